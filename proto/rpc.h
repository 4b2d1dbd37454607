/* rpc.h — JSON-RPC 2.0 (https://www.jsonrpc.org/specification) as spoken
 * between hsptctl and hsptd, and between hsptd and its VM workers, one
 * message or batch per frame (proto/frame.h). docs/protocol.md describes
 * the wire format; this header is the C side of it, in two layers.
 *
 * The codec: rpc_parse() turns a frame into JSON, rpc_classify() says what
 * one message is, the rpc_request()... builders make messages and
 * rpc_serialize() turns one into a frame. Clients (hsptctl) use just this.
 *
 * The session: one per connection, on the serving side. It reads frames,
 * calls the handlers of a method table after checking the params against
 * a declarative schema, and writes the responses, batches included. A
 * handler either answers at once or defers: it keeps its struct rpc_call
 * and finishes it later, so that hsptd can forward a request to a worker
 * and answer when the worker does.
 *
 * Where this is stricter than the specification (all documented in
 * docs/protocol.md):
 *  - params, when present, must be an object: positional (array) params
 *    get -32602 "params must be an object";
 *  - an id is a string, an integer or null; a number written with a
 *    fraction or an exponent (even 1.0) is an invalid request;
 *  - a request may not carry members other than jsonrpc, method, params
 *    and id;
 *  - duplicate object keys, nesting deeper than PROTO_MAX_DEPTH, NUL
 *    bytes (raw or \u0000) and integers outside int64 are parse errors;
 *  - a message that looks like a response (result or error, no method) is
 *    never answered, even when malformed (RPC_BAD_RESPONSE), so that two
 *    peers cannot answer each other's errors forever.
 *
 * JSON values use jansson; ownership follows jansson's _new convention:
 * a function "steals" a reference when its contract says so, even when it
 * fails. Nothing here is thread-safe: a session, its calls and the JSON
 * they hand out belong to one thread (the daemon's event loop). */
#ifndef HSPT_PROTO_RPC_H
#define HSPT_PROTO_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto/frame.h"

#define PROTO_MAX_DEPTH	64	/* arrays and objects nested in one frame */

/* Error codes. The first five are JSON-RPC's; the rest are hsptd's, in
 * the range the specification reserves for implementation-defined server
 * errors. Numbers are part of the protocol: never renumber. */
enum {
	PROTO_ERR_PARSE			= -32700, /* not JSON, or too deep */
	PROTO_ERR_INVALID_REQUEST	= -32600, /* JSON, but not a request */
	PROTO_ERR_METHOD_NOT_FOUND	= -32601,
	PROTO_ERR_INVALID_PARAMS	= -32602, /* params fail the schema */
	PROTO_ERR_INTERNAL		= -32603, /* a bug or no memory */

	PROTO_ERR_NO_SUCH_VM		= -32000, /* no VM of that name */
	PROTO_ERR_VM_EXISTS		= -32001, /* the name is taken */
	PROTO_ERR_BAD_STATE		= -32002, /* e.g. start a running VM */
	PROTO_ERR_PERMISSION		= -32003, /* the caller may not */
	PROTO_ERR_BUSY			= -32004, /* another operation on it is under way */
	PROTO_ERR_LIMIT			= -32005, /* a VM, memory or connection limit */
	PROTO_ERR_WORKER		= -32006, /* the VM's worker failed or died */
	PROTO_ERR_GUEST_IMAGE		= -32007, /* unusable kernel, initrd or DTB */
};

/* A short English name for an error code ("Parse error", "No such VM"),
 * the default message; "Server error" for other codes in -32099..-32000,
 * "Unknown error" for the rest. Never NULL. */
const char *rpc_error_name(int code);

#define RPC_MESSAGE_MAX	256	/* longer messages are cut, at a UTF-8 boundary */

/* An error to answer with. Handlers get one zeroed. */
struct rpc_error {
	int code;			/* 0: no error */
	char message[RPC_MESSAGE_MAX];	/* empty: rpc_error_name(code) */
	json_t *data;			/* optional; owned: rpc_error_clear() */
};

/* Set err's code and printf-style message (data is left alone). */
void rpc_error_set(struct rpc_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Drop err's data and zero it. */
void rpc_error_clear(struct rpc_error *err);

/* A JSON value's type as error messages name it: "object", "array",
 * "string", "integer", "number" (one with a fraction or exponent),
 * "boolean" or "null". */
const char *rpc_type_name(const json_t *v);

/* Parse one frame. 0 with *root, a new reference: an object (one message),
 * a non-empty array (a batch) or any other JSON value (one message, which
 * rpc_classify() will call invalid). -EBADMSG with *err, whose code is
 * PROTO_ERR_PARSE (not JSON, too deep, duplicate keys, NUL) or
 * PROTO_ERR_INVALID_REQUEST (an empty batch): answer it once, with id
 * null. Never recurses with the input's depth. */
int rpc_parse(const char *buf, size_t len, json_t **root, struct rpc_error *err);

enum rpc_kind {
	RPC_REQUEST,		/* has an id: answer it */
	RPC_NOTIFICATION,	/* no id: never answered */
	RPC_RESPONSE,		/* result or error: for the side that asked */
	RPC_INVALID,		/* answer with the error in why */
	RPC_BAD_RESPONSE,	/* a malformed response (why says how): never answer */
};

/* One message of a parsed frame. Every json_t and string is borrowed from
 * the tree rpc_classify() was given, and lives as long as it does. For
 * RPC_INVALID and RPC_BAD_RESPONSE only id and why mean anything. */
struct rpc_msg {
	enum rpc_kind kind;
	json_t *id;		/* request, response: the id (may be JSON null);
				 * invalid: the id if it was a valid one, else NULL */
	const char *method;	/* request, notification */
	json_t *params;		/* request, notification: an object, or NULL */
	json_t *result;		/* response: the result; NULL for an error */
	json_t *error;		/* response: the error object, or NULL */
	int error_code;		/* ... its code, */
	const char *error_message; /* ... and its message */
	struct rpc_error why;	/* invalid, bad response: PROTO_ERR_INVALID_REQUEST
				 * and what is wrong (data always NULL) */
};

/* Classify one message (an element of a batch, or a frame's root) and
 * check it against the specification and the rules above. Fills *out;
 * returns out->kind. */
enum rpc_kind rpc_classify(json_t *msg, struct rpc_msg *out);

/* Builders. Each returns a new object, or NULL when out of memory. params,
 * result and data are stolen (NULL: absent; for result, JSON null); id is
 * borrowed (NULL: JSON null). A NULL message is rpc_error_name(code), as
 * is one that is not valid UTF-8. */
json_t *rpc_request(json_int_t id, const char *method, json_t *params);
json_t *rpc_notification(const char *method, json_t *params);
json_t *rpc_response_result(json_t *id, json_t *result);
json_t *rpc_response_error(json_t *id, int code, const char *message, json_t *data);

/* One message or batch as a frame: compact JSON and a final '\n', which is
 * the only newline in it (jansson escapes control characters in strings).
 * 0 with *line (NUL-terminated, free() it) and *len ('\n' included);
 * -EMSGSIZE when the text before the '\n' would exceed max bytes (0:
 * PROTO_MAX_FRAME), without ever holding more than that; -ENOMEM. */
int rpc_serialize(const json_t *msg, size_t max, char **line, size_t *len);

/* ---- The serving side ---- */

enum rpc_type {
	RPC_TYPE_STRING = 1,
	RPC_TYPE_INTEGER,
	RPC_TYPE_BOOLEAN,
	RPC_TYPE_OBJECT,
	RPC_TYPE_ARRAY,
};

/* One named parameter of a method. A method's list ends with a zeroed
 * entry. A params member not in the list is an error. */
struct rpc_param {
	const char *name;
	enum rpc_type type;
	bool required;
	json_int_t min, max;	/* RPC_TYPE_INTEGER: inclusive; both 0: any */
	size_t max_len;		/* RPC_TYPE_STRING: bytes; 0: any */
};

struct rpc_call;

#define RPC_DEFERRED	1	/* a handler's "I will finish the call later" */

/* One method. Its handler gets the session's ctx; params is NULL or an
 * object that has passed the schema, borrowed for the duration of the
 * call (json_incref() it to keep it). The handler returns
 *   0             with *result set (stolen; NULL answers JSON null);
 *   RPC_DEFERRED  having kept call, to finish later with rpc_call_finish()
 *                 or rpc_call_fail(), exactly once (before returning is
 *                 allowed too); *result and err are ignored;
 *   < 0           an error: err as filled in, or when err->code is still
 *                 0, PROTO_ERR_INTERNAL with strerror(-rc) as the message
 *                 (so -ENOMEM can be returned as is).
 * Notifications call handlers the same way; their answers are dropped. */
struct rpc_method {
	const char *name;
	int (*handler)(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		       struct rpc_error *err);
	const struct rpc_param *params;	/* NULL: takes no params */
};

struct rpc_session_conf {
	const struct rpc_method *methods;	/* ends with a zeroed entry */
	/* Write one frame (len bytes, '\n' included, NUL-terminated) to the
	 * peer. Never called after rpc_session_close(). A write error is the
	 * owner's to handle, by closing the session. */
	void (*send)(void *ctx, const char *line, size_t len);
	/* Optional: a response to a request this side sent with
	 * rpc_session_send() (msg and its JSON are borrowed for the call).
	 * Without it, responses are dropped with a debug message. */
	void (*response)(void *ctx, const struct rpc_msg *msg);
	/* The frame limit in both directions; 0: PROTO_MAX_FRAME. At least
	 * 256, so that the fixed error answers always fit. */
	size_t max_frame;
};

struct rpc_session;

/* A session speaking for ctx (say, hsptd's connection) under conf, which
 * must outlive it. 0 with *out; -EINVAL without send or with max_frame
 * below 256; -ENOMEM. */
int rpc_session_new(const struct rpc_session_conf *conf, void *ctx, struct rpc_session **out);

/* Bytes read from the peer: every complete request in them is dispatched
 * and every answer that is ready is sent before this returns. A frame
 * over the limit is answered -32600, one with a NUL byte -32700, both with
 * id null. buf is not kept. */
void rpc_session_feed(struct rpc_session *s, const void *buf, size_t n);

/* Send msg (stolen), a request or notification made with the builders
 * (NULL: a builder ran out of memory). 0; -EMSGSIZE when it does not fit
 * in a frame (nothing is sent); -ENOMEM. */
int rpc_session_send(struct rpc_session *s, json_t *msg);

/* The owner is done with s (the peer hung up, or a write failed). No more
 * handlers run and nothing more is sent; s is freed once the last deferred
 * call has been finished. Call once; s must not be used afterwards, except
 * through those calls. Safe from inside a handler. */
void rpc_session_close(struct rpc_session *s);

/* Complete a deferred call with a result (stolen; NULL: JSON null). Frees
 * call. If it was the last outstanding call of a batch, the batch's
 * response goes out now. */
void rpc_call_finish(struct rpc_call *call, json_t *result);

/* Complete a deferred call with an error; err's data is taken and err is
 * cleared. Frees call. */
void rpc_call_fail(struct rpc_call *call, struct rpc_error *err);

/* The call's id (a string, an integer or JSON null), borrowed; NULL for a
 * notification. For logging and for matching a forwarded request. */
json_t *rpc_call_id(const struct rpc_call *call);

/* Has the session been closed, so that the answer will go nowhere? A
 * deferred handler may then skip the work, but must still finish the call. */
bool rpc_call_cancelled(const struct rpc_call *call);

#endif
