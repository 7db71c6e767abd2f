/* proto.c — see proto.h. */
#include "core/proto.h"

#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "json/tok.h"
#include "json/write.h"

/* SPEC §2: JSON nesting depth ≤ 32, the message object counting as 1. */
#define PROTO_MAX_DEPTH 32
/* SPEC §2: a req is a string of at most 64 bytes, or an integer. */
#define PROTO_REQ_MAX 64

static struct json_tok *toks;
static unsigned ntoks_cap;
static char reply_buf[WS_REPLY_RESERVE - 16];

/* Send ERROR {code, message, req?}. req_tok < 0: none. */
static void send_error(struct conn *c, const char *js, int req_tok, const char *code,
                       const char *message)
{
	struct json_writer w;
	json_writer_init(&w, reply_buf, sizeof reply_buf);
	json_writer_object_open(&w);
	json_writer_key(&w, "type");
	json_writer_cstr(&w, "ERROR");
	if (req_tok >= 0) {
		json_writer_key(&w, "req");
		const struct json_tok *t = &toks[req_tok];
		/* A valid req is echoed as it came: a string with its quotes, or
		 * an integer's digits. */
		if (t->type == JSON_STRING)
			json_writer_raw(&w, js + t->start - 1, t->end - t->start + 2);
		else
			json_writer_raw(&w, js + t->start, t->end - t->start);
	}
	json_writer_key(&w, "code");
	json_writer_cstr(&w, code);
	json_writer_key(&w, "message");
	json_writer_cstr(&w, message);
	json_writer_object_close(&w);
	int n = json_writer_finish(&w);
	if (n < 0) {
		LOG_ERROR("conn %llu: reply did not fit (%d)", (unsigned long long)c->id, n);
		return;
	}
	/* The session reserved room for a direct reply before reading. */
	ws_send_text(c, reply_buf, (size_t)n);
}

/* 1 when token i is a valid req: a string of ≤ 64 bytes once unescaped, or
 * an integer. */
static int req_valid(const char *js, int i)
{
	const struct json_tok *t = &toks[i];
	if (t->type == JSON_STRING) {
		char tmp[PROTO_REQ_MAX + 1];
		return json_string_copy(js, t, tmp, sizeof tmp) >= 0;
	}
	int64_t v;
	return t->type == JSON_NUMBER && json_int64(js, t, &v) == 0;
}

static void proto_on_message(struct conn *c, const char *msg, size_t len)
{
	struct json_parser p;
	json_parser_init(&p, PROTO_MAX_DEPTH);
	int n = json_parse(&p, msg, len, 1, toks, ntoks_cap);
	if (n < 0) {
		const char *why = n == JSON_ERR_DEPTH ? "The message nests deeper than 32 levels."
		                  : n == JSON_ERR_DUPKEY ? "The message repeats a key."
		                  : n == JSON_ERR_NOMEM  ? "The message has too many values."
		                                         : "The message is not valid JSON.";
		send_error(c, msg, -1, "BAD_MESSAGE", why);
		return;
	}
	if (n == 0 || toks[0].type != JSON_OBJECT) {
		send_error(c, msg, -1, "BAD_MESSAGE", "A message must be a JSON object.");
		return;
	}
	int req = json_object_get(msg, toks, n, 0, "req");
	if (req >= 0 && !req_valid(msg, req)) {
		send_error(c, msg, -1, "BAD_MESSAGE",
		           "\"req\" must be a string of at most 64 bytes or an integer.");
		return;
	}
	int type = json_object_get(msg, toks, n, 0, "type");
	if (type < 0 || toks[type].type != JSON_STRING) {
		send_error(c, msg, req, "BAD_MESSAGE", "A message needs a string \"type\".");
		return;
	}
	send_error(c, msg, req, "UNKNOWN_TYPE", "This hub does not know that message type.");
}

const struct ws_app proto_app = {
    .on_message = proto_on_message,
};

int proto_init(const struct config *cfg)
{
	/* The densest JSON ("[0,0,0…") has one token per two bytes. */
	ntoks_cap = cfg->max_message / 2 + 2;
	toks = arena_alloc(sizeof *toks * ntoks_cap);
	return 0;
}
