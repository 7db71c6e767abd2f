/* proto.h — the hub's message protocol over WebSocket (SPEC §4–§5).
 *
 * For now the protocol knows no message types: every well-formed message
 * (a JSON object with a string "type") is answered with ERROR UNKNOWN_TYPE,
 * anything else with ERROR BAD_MESSAGE. The message state machine of the
 * hub's core replaces this. */
#ifndef FERRY_CORE_PROTO_H
#define FERRY_CORE_PROTO_H

#include "core/config.h"
#include "ws/session.h"

/* Reserve the token array (from --max-message) and the reply buffer. */
int proto_init(const struct config *cfg);

/* The callbacks ws/session.c calls. */
extern const struct ws_app proto_app;

#endif
