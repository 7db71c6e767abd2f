/* frame.c — frame header parsing and writing, masking. */
#include "ws/frame.h"

static int frame_fail(uint16_t *close_code, const char **why, const char *text)
{
	*close_code = 1002;
	if (why)
		*why = text;
	return -1;
}

static int frame_opcode_known(unsigned op)
{
	return op <= WS_OP_BINARY || (op >= WS_OP_CLOSE && op <= WS_OP_PONG);
}

int ws_frame_parse_why(const uint8_t *buf, size_t len, struct ws_frame_hdr *h, uint16_t *close_code,
                       const char **why)
{
	/* The checks follow the byte order of the header, so a bad frame is
	 * refused on the byte that makes it bad, whatever comes after. */
	if (len < 1)
		return -2;
	unsigned fin = buf[0] >> 7, rsv = (buf[0] >> 4) & 7, op = buf[0] & 0xF;
	if (rsv)
		return frame_fail(close_code, why, "reserved bits set without an extension");
	if (!frame_opcode_known(op))
		return frame_fail(close_code, why, "reserved opcode");
	if (op >= WS_OP_CLOSE && !fin)
		return frame_fail(close_code, why, "fragmented control frame");

	if (len < 2)
		return -2;
	unsigned masked = buf[1] >> 7, len7 = buf[1] & 0x7F;
	if (!masked)
		return frame_fail(close_code, why, "unmasked frame from a client");
	if (op >= WS_OP_CLOSE && len7 > WS_FRAME_CONTROL_MAX)
		return frame_fail(close_code, why, "control frame longer than 125 bytes");
	size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
	if (ext == 8 && len >= 3 && (buf[2] & 0x80))
		return frame_fail(close_code, why, "64-bit frame length with the top bit set");

	size_t hdr_len = 2 + ext + 4;
	if (len < hdr_len)
		return -2;
	uint64_t plen = len7;
	if (ext) {
		plen = 0;
		for (size_t i = 0; i < ext; i++)
			plen = plen << 8 | buf[2 + i];
	}
	h->fin = (uint8_t)fin;
	h->rsv = 0;
	h->opcode = (uint8_t)op;
	h->masked = 1;
	for (size_t i = 0; i < 4; i++)
		h->mask[i] = buf[2 + ext + i];
	h->len = plen;
	h->hdr_len = (uint8_t)hdr_len;
	return (int)hdr_len;
}

int ws_frame_parse(const uint8_t *buf, size_t len, struct ws_frame_hdr *h, uint16_t *close_code)
{
	return ws_frame_parse_why(buf, len, h, close_code, NULL);
}

size_t ws_frame_header_write(uint8_t *out, int fin, int opcode, uint64_t len)
{
	out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0xF));
	if (len < 126) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xFFFF) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		return 4;
	}
	out[1] = 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}

void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4],
                  uint64_t offset)
{
	/* Rotate the key once so the loop indexes it with i & 3 only, a form
	 * compilers turn into wide XORs. */
	uint8_t m[4];
	for (unsigned k = 0; k < 4; k++)
		m[k] = mask[(offset + k) & 3];
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] ^ m[i & 3];
}

int ws_close_code_valid(unsigned code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
	       (code >= 3000 && code <= 4999);
}
