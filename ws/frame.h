/* frame.h — WebSocket frame headers (RFC 6455 §5.2): a pure parser for the
 * frames a client sends, a writer for the frames the server sends, and
 * payload masking.
 *
 * No extension is ever negotiated, so RSV bits are always an error, and a
 * client MUST mask every frame (§5.1), so the parser refuses unmasked ones
 * (a server-side parser only). */
#ifndef FERRY_WS_FRAME_H
#define FERRY_WS_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA
};

/* Longest header: 2 fixed bytes, 8 length bytes, 4 mask bytes. */
#define WS_FRAME_HDR_MAX 14
/* Longest header the server writes (it never masks). */
#define WS_FRAME_OUT_HDR_MAX 10
/* Largest payload of a control frame (§5.5). */
#define WS_FRAME_CONTROL_MAX 125

/* A parsed header; plain values, no pointers. */
struct ws_frame_hdr {
	uint8_t fin;     /* 1 for the last frame of a message */
	uint8_t rsv;     /* RSV1..3 as bits 2..0; always 0 once parsed */
	uint8_t opcode;  /* WS_OP_* */
	uint8_t masked;  /* always 1 once parsed */
	uint8_t mask[4]; /* masking key */
	uint64_t len;    /* payload length, < 2^63 */
	uint8_t hdr_len; /* header length in bytes, 6..14 for a masked frame */
};

/* Parses the header of a client frame at buf[0..len). buf is borrowed for the
 * call and never read past len; it need not be NUL-terminated.
 * Returns the header length (6..14: a client frame is always masked) and
 * fills *h; or -2 when more bytes are needed; or -1 when the header is
 * invalid, with *close_code set to the code the server must close with
 * (1002). Invalid: an RSV bit set, a reserved opcode (3-7, B-F), a control
 * frame that is not FIN or is longer than 125 bytes, the mask bit clear, a
 * 64-bit length with its top bit set. Each rule is checked as soon as the
 * byte carrying it is present, so -1 may come before the whole header has
 * arrived; once a prefix gives -1 or a length, every longer one gives the
 * same. A non-minimal length encoding (e.g. 5 in 16 bits) is accepted: the
 * RFC puts the "minimal" rule on the sender, and it does no harm.
 * *h is written only on success, *close_code only on -1. */
int ws_frame_parse(const uint8_t *buf, size_t len, struct ws_frame_hdr *h, uint16_t *close_code);

/* ws_frame_parse, and on -1 also *why (when why is not NULL): a short static
 * English sentence naming the rule broken, for logs and the close reason. */
int ws_frame_parse_why(const uint8_t *buf, size_t len, struct ws_frame_hdr *h, uint16_t *close_code,
                       const char **why);

/* Writes the header of an unmasked server frame carrying len payload bytes
 * into out, which must hold WS_FRAME_OUT_HDR_MAX (10) bytes; returns the
 * header length (2, 4 or 10), using the minimal length encoding. fin is 0 or
 * 1; opcode is a WS_OP_*. The caller keeps control frames ≤ 125 bytes. */
size_t ws_frame_header_write(uint8_t *out, int fin, int opcode, uint64_t len);

/* Unmasks (or masks: it is its own inverse) n payload bytes:
 * dst[i] = src[i] ^ mask[(offset + i) & 3]. offset is the number of payload
 * bytes of this frame already handled, so a payload can be processed in
 * pieces. dst may equal src (in place); other overlaps are not allowed.
 * All pointers are borrowed for the call. */
void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4],
                  uint64_t offset);

/* 1 when code may appear in a close frame on the wire (§7.4): 1000-1003,
 * 1007-1011 and 3000-4999; else 0. 1005, 1006 and 1015 are reserved for
 * APIs and never sent. */
int ws_close_code_valid(unsigned code);

#endif
