/* client.h — hsptctl's connection to hsptd: blocking JSON-RPC calls over
 * the control socket, with the notifications that arrive meanwhile
 * (console output, events) handed to a callback. */
#ifndef HSPT_CTL_CLIENT_H
#define HSPT_CTL_CLIENT_H

#include <jansson.h>
#include <stdbool.h>

#include "proto/frame.h"

/* Exit statuses of hsptctl (hsptctl(1)). */
#define CTL_EXIT_OK	 0
#define CTL_EXIT_FAILED	 1	/* the daemon refused or the operation failed */
#define CTL_EXIT_USAGE	 2	/* bad command line */
#define CTL_EXIT_CONNECT 3	/* the daemon cannot be reached */

struct ctl_conn {
	int fd;
	struct frame_reader reader;
	json_int_t next_id;
	json_t *responses;		/* read, not yet claimed: an array */
	/* Called for every notification (params borrowed, may be NULL). */
	void (*on_note)(void *opaque, const char *method, json_t *params);
	void *opaque;
};

/* The socket hsptctl uses without --socket: $HSPTD_SOCKET, else the
 * user's daemon ($XDG_RUNTIME_DIR/hsptd.sock) when it exists, else the
 * system one (/run/hsptd/hsptd.sock). */
const char *ctl_default_socket(void);

/* Connect to path. 0, or -errno with a message on standard error. */
int ctl_connect(struct ctl_conn *c, const char *path);
void ctl_close(struct ctl_conn *c);

/* Send a request (params stolen, may be NULL); returns its id, or -errno. */
json_int_t ctl_send(struct ctl_conn *c, const char *method, json_t *params);

/* Read until the response to id arrives (1, *resp a new reference: the
 * whole response object), timeout_ms passes (0; -1 waits for ever), or the
 * connection fails (-errno, -EPIPE when the daemon hung up). */
int ctl_wait(struct ctl_conn *c, json_int_t id, int timeout_ms, json_t **resp);

/* Read what the socket has (one recv, which blocks if nothing is there)
 * and dispatch it: responses are kept for ctl_wait(), notifications go to
 * on_note. 0, or -errno (-EPIPE: the daemon hung up). */
int ctl_pump(struct ctl_conn *c);

/* Take and return a kept response, if any (a new reference), for callers
 * that do not wait for their answers (console input). */
json_t *ctl_take_response(struct ctl_conn *c);

/* Call method and wait for its answer. 0 with *result (a new reference),
 * or CTL_EXIT_FAILED/CTL_EXIT_CONNECT with the one-line error already
 * printed on standard error ("hsptctl: <message>"). */
int ctl_call(struct ctl_conn *c, const char *method, json_t *params, json_t **result);

#endif
