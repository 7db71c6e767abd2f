/* metrics.h — counters the hub keeps for GET /metrics. Plain integers in
 * one struct: single-threaded, so no atomics. */
#ifndef FERRY_CORE_METRICS_H
#define FERRY_CORE_METRICS_H

#include <stdint.h>

struct metrics {
	uint64_t http_requests;
	uint64_t http_status[6]; /* by class: [1] 1xx … [5] 5xx */
	uint64_t ws_opened;
	uint64_t ws_messages_in;
	uint64_t ws_messages_out;
	uint64_t ws_protocol_errors; /* connections failed with 1002/1003/1007/1009 */
};

extern struct metrics metrics;

/* Count a response's status. */
static inline void metrics_http_status(int status)
{
	if (status >= 100 && status < 600)
		metrics.http_status[status / 100]++;
}

#endif
