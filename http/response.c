#include "http/response.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const char *http_status_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 426: return "Upgrade Required";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* The Date header (RFC 9110 §6.6.1), formatted once a second. */
static const char *date_now(void)
{
	static char buf[40];
	static time_t last = -1;
	time_t t = time(NULL);
	if (t != last) {
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = t;
	}
	return buf;
}

int http_respond(struct conn *c, int status, const char *type, const char *extra, const void *body,
                 size_t body_len, int flags)
{
	char head[HTTP_RESPONSE_RESERVE];
	int n =
	    snprintf(head, sizeof head,
	             "HTTP/1.1 %d %s\r\nDate: %s\r\n%s%s%sContent-Length: %zu\r\n%s%s\r\n", status,
	             http_status_reason(status), date_now(), type ? "Content-Type: " : "",
	             type ? type : "", type ? "\r\n" : "", body_len,
	             (flags & HTTP_RESP_CLOSE) ? "Connection: close\r\n" : "", extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof head)
		return -1;
	int with_body = !(flags & HTTP_RESP_HEAD) && body_len > 0;
	int copy_body = with_body && !(flags & HTTP_RESP_BORROW);
	if (conn_out_room(c) < (size_t)n + (copy_body ? body_len : 0))
		return -1;
	conn_out_append(c, head, (size_t)n);
	if (copy_body)
		conn_out_append(c, body, body_len);
	else if (with_body)
		conn_out_borrow(c, body, body_len);
	if (flags & HTTP_RESP_CLOSE)
		conn_close_after_flush(c);
	return 0;
}

int http_respond_text(struct conn *c, int status, const char *sentence, const char *extra,
                      int flags)
{
	char body[512];
	int n = snprintf(body, sizeof body, "%s\n", sentence);
	if (n < 0 || (size_t)n >= sizeof body)
		n = (int)sizeof body - 1;
	return http_respond(c, status, "text/plain; charset=utf-8", extra, body, (size_t)n,
	                    flags & ~HTTP_RESP_BORROW);
}
