/* session.c — the serving side of rpc.h: dispatch, params schemas,
 * deferred calls and batches.
 *
 * Lifetimes. A session is freed when its reference count drops to zero.
 * References are held by the owner (until rpc_session_close()), by every
 * call not yet finished, by every batch not yet answered and by
 * rpc_session_feed() while it runs, so a handler may close the session or
 * finish calls at any point without pulling it out from under the
 * dispatcher.
 *
 * Every request, however it ends (unknown method, bad params, handler
 * result or error, deferred or not), goes through one struct rpc_call and
 * leaves through rpc_call_finish() or rpc_call_fail(): there is one path
 * for answers. A batch collects its answers and goes out when its last call
 * finishes; while the batch is being dispatched it holds one extra count,
 * so that calls finished on the spot cannot send it early. */
#include "proto/rpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* Below this, even the fixed error answers might not fit in a frame. */
#define MIN_FRAME	256

/* Sent when there is no memory to build a real answer. */
static const char nomem_line[] =
	"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"out of memory\"},\"id\":null}\n";

struct rpc_session {
	const struct rpc_session_conf *conf;
	void *ctx;
	size_t max_frame;
	struct frame_reader reader;
	unsigned refs;
	bool closed;
};

struct rpc_batch {
	struct rpc_session *s;
	json_t *answers;	/* array */
	unsigned pending;	/* calls not finished, +1 while dispatching */
	bool failed;		/* an answer was lost to a lack of memory */
};

struct rpc_call {
	struct rpc_session *s;
	struct rpc_batch *batch;	/* NULL: not part of a batch */
	json_t *id;			/* a reference; NULL: a notification */
};

int rpc_session_new(const struct rpc_session_conf *conf, void *ctx, struct rpc_session **out)
{
	struct rpc_session *s;

	if (!conf->send || (conf->max_frame && conf->max_frame < MIN_FRAME))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->conf = conf;
	s->ctx = ctx;
	s->max_frame = conf->max_frame ? conf->max_frame : PROTO_MAX_FRAME;
	frame_reader_init(&s->reader, s->max_frame);
	s->refs = 1;
	*out = s;
	return 0;
}

static void session_put(struct rpc_session *s)
{
	if (--s->refs)
		return;
	frame_reader_destroy(&s->reader);
	free(s);
}

void rpc_session_close(struct rpc_session *s)
{
	s->closed = true;
	session_put(s);
}

static int send_msg(struct rpc_session *s, const json_t *msg)
{
	char *line;
	size_t len;
	int rc = rpc_serialize(msg, s->max_frame, &line, &len);

	if (rc == 0) {
		s->conf->send(s->ctx, line, len);
		free(line);
	}
	return rc;
}

int rpc_session_send(struct rpc_session *s, json_t *msg)
{
	int rc = msg ? send_msg(s, msg) : -ENOMEM;

	json_decref(msg);
	return rc;
}

/* An answer too big for a frame becomes an internal error, with the
 * request's id if that fits (the id alone may be near the limit). */
static int send_too_large(struct rpc_session *s, json_t *msg)
{
	json_t *id = json_is_object(msg) ? json_object_get(msg, "id") : NULL;
	int rc = -EMSGSIZE;

	for (int pass = id ? 0 : 1; pass < 2 && rc == -EMSGSIZE; pass++) {
		json_t *e = rpc_response_error(pass ? NULL : id, PROTO_ERR_INTERNAL,
					       "response larger than the frame limit", NULL);

		rc = e ? send_msg(s, e) : -ENOMEM;
		json_decref(e);
	}
	return rc;
}

/* Send an answer (a response or a batch of them), stolen; NULL means
 * building it ran out of memory. Every request gets an answer, even if
 * only the fixed out-of-memory one. */
static void answer(struct rpc_session *s, json_t *msg)
{
	int rc = -ENOMEM;

	if (s->closed) {
		json_decref(msg);
		return;
	}
	if (msg)
		rc = send_msg(s, msg);
	if (rc == -EMSGSIZE) {
		log_warn("rpc: an answer is larger than the %zu-byte frame limit", s->max_frame);
		rc = send_too_large(s, msg);
	}
	json_decref(msg);
	if (rc < 0) {
		log_error("rpc: cannot send an answer: %s", strerror(-rc));
		s->conf->send(s->ctx, nomem_line, sizeof(nomem_line) - 1);
	}
}

static struct rpc_batch *batch_new(struct rpc_session *s)
{
	struct rpc_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->answers = json_array();
	if (!b->answers) {
		free(b);
		return NULL;
	}
	b->s = s;
	b->pending = 1;
	s->refs++;
	return b;
}

static void batch_put(struct rpc_batch *b)
{
	struct rpc_session *s = b->s;

	if (--b->pending)
		return;
	if (b->failed) {
		json_decref(b->answers);
		answer(s, NULL);
	} else if (json_array_size(b->answers)) {
		answer(s, b->answers);
	} else {
		json_decref(b->answers);	/* all notifications: no answer at all */
	}
	free(b);
	session_put(s);
}

/* A call for a request (id, borrowed, non-NULL) or a notification (id
 * NULL), or NULL when out of memory. */
static struct rpc_call *call_new(struct rpc_session *s, struct rpc_batch *b, json_t *id)
{
	struct rpc_call *call = calloc(1, sizeof(*call));

	if (!call)
		return NULL;
	call->s = s;
	call->batch = b;
	call->id = json_incref(id);
	s->refs++;
	if (b)
		b->pending++;
	return call;
}

/* Deliver a call's response (stolen; NULL: out of memory), then free the
 * call. */
static void call_end(struct rpc_call *call, json_t *resp)
{
	struct rpc_session *s = call->s;
	struct rpc_batch *b = call->batch;

	if (!call->id) {
		json_decref(resp);
	} else if (!b) {
		answer(s, resp);
	} else if (!resp || json_array_append_new(b->answers, resp)) {
		b->failed = true;
	}
	if (b)
		batch_put(b);
	json_decref(call->id);
	free(call);
	session_put(s);
}

void rpc_call_finish(struct rpc_call *call, json_t *result)
{
	json_t *resp = NULL;

	if (call->id)
		resp = rpc_response_result(call->id, result);
	else
		json_decref(result);
	call_end(call, resp);
}

void rpc_call_fail(struct rpc_call *call, struct rpc_error *err)
{
	json_t *resp = NULL;

	if (call->id) {
		resp = rpc_response_error(call->id, err->code ? err->code : PROTO_ERR_INTERNAL,
					  err->message, err->data);
		err->data = NULL;	/* taken by the response */
	}
	rpc_error_clear(err);
	call_end(call, resp);
}

json_t *rpc_call_id(const struct rpc_call *call)
{
	return call->id;
}

bool rpc_call_cancelled(const struct rpc_call *call)
{
	return call->s->closed;
}

/* "integer 1..8", "string of at most 64 bytes": what p accepts. */
static void describe(const struct rpc_param *p, char *buf, size_t size)
{
	static const char *const names[] = {
		[RPC_TYPE_STRING] = "string", [RPC_TYPE_INTEGER] = "integer",
		[RPC_TYPE_BOOLEAN] = "boolean", [RPC_TYPE_OBJECT] = "object",
		[RPC_TYPE_ARRAY] = "array",
	};
	const char *name = p->type >= RPC_TYPE_STRING && p->type <= RPC_TYPE_ARRAY ?
		names[p->type] : "?";

	if (p->type == RPC_TYPE_INTEGER && (p->min || p->max))
		snprintf(buf, size, "integer %" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT,
			 p->min, p->max);
	else if (p->type == RPC_TYPE_STRING && p->max_len)
		snprintf(buf, size, "string of at most %zu bytes", p->max_len);
	else
		snprintf(buf, size, "%s", name);
}

static int check_value(const struct rpc_param *p, json_t *v, struct rpc_error *err)
{
	char want[64], got[48];
	bool ok = false;

	snprintf(got, sizeof(got), "%s", rpc_type_name(v));
	switch (p->type) {
	case RPC_TYPE_STRING:
		if (!json_is_string(v))
			break;
		ok = !p->max_len || json_string_length(v) <= p->max_len;
		snprintf(got, sizeof(got), "%zu bytes", json_string_length(v));
		break;
	case RPC_TYPE_INTEGER:
		if (!json_is_integer(v))
			break;
		ok = (!p->min && !p->max) ||
		     (json_integer_value(v) >= p->min && json_integer_value(v) <= p->max);
		snprintf(got, sizeof(got), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case RPC_TYPE_BOOLEAN:
		ok = json_is_boolean(v);
		break;
	case RPC_TYPE_OBJECT:
		ok = json_is_object(v);
		break;
	case RPC_TYPE_ARRAY:
		ok = json_is_array(v);
		break;
	}
	if (ok)
		return 0;
	describe(p, want, sizeof(want));
	rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.%s: expected %s, got %s", p->name,
		      want, got);
	return -EINVAL;
}

/* params (NULL: absent) against a method's schema (NULL: no params).
 * Members are checked in the order the peer sent them, unknown ones
 * included, then missing required ones in schema order: a misspelt name
 * is reported as unknown rather than as the required one missing. */
static int check_params(const struct rpc_param *schema, json_t *params, struct rpc_error *err)
{
	static const struct rpc_param none[] = { { .name = NULL } };
	const struct rpc_param *p;
	const char *key;
	json_t *v;

	if (!schema)
		schema = none;
	if (params && !json_is_object(params)) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params must be an object");
		return -EINVAL;
	}
	json_object_foreach(params, key, v) {
		for (p = schema; p->name && strcmp(p->name, key); p++)
			;
		if (!p->name) {
			rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.%s: unknown field", key);
			return -EINVAL;
		}
		if (check_value(p, v, err) < 0)
			return -EINVAL;
	}
	for (p = schema; p->name; p++) {
		if (p->required && !json_object_get(params, p->name)) {
			char want[64];

			describe(p, want, sizeof(want));
			rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.%s: missing, expected %s",
				      p->name, want);
			return -EINVAL;
		}
	}
	return 0;
}

static const struct rpc_method *lookup(const struct rpc_method *m, const char *name)
{
	for (; m && m->name; m++)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

/* Run a request or notification: method, params, handler. */
static void invoke(struct rpc_session *s, struct rpc_batch *b, const struct rpc_msg *msg)
{
	const struct rpc_method *m = lookup(s->conf->methods, msg->method);
	struct rpc_error err = { .code = 0 };
	json_t *result = NULL;
	struct rpc_call *call;
	int rc;

	call = call_new(s, b, msg->kind == RPC_REQUEST ? msg->id : NULL);
	if (!call) {
		if (b)
			b->failed = true;
		else if (msg->kind == RPC_REQUEST)
			answer(s, NULL);
		return;
	}
	if (!m) {
		rpc_error_set(&err, PROTO_ERR_METHOD_NOT_FOUND, "method not found: %s", msg->method);
		rpc_call_fail(call, &err);
		return;
	}
	if (check_params(m->params, msg->params, &err) < 0) {
		rpc_call_fail(call, &err);
		return;
	}
	rc = m->handler(s->ctx, msg->params, call, &result, &err);
	if (rc == RPC_DEFERRED) {
		/* call may be gone already: do not touch it. result and err
		 * should be empty; release them anyway, they are ours. */
		json_decref(result);
		rpc_error_clear(&err);
		return;
	}
	if (rc == 0) {
		rpc_error_clear(&err);
		rpc_call_finish(call, result);
		return;
	}
	json_decref(result);
	if (!err.code)
		rpc_error_set(&err, PROTO_ERR_INTERNAL, "%s", strerror(rc < 0 ? -rc : EINVAL));
	rpc_call_fail(call, &err);
}

/* One message of a frame (the frame itself, or an element of batch b). */
static void dispatch(struct rpc_session *s, struct rpc_batch *b, json_t *m)
{
	struct rpc_msg msg;
	struct rpc_call *call;

	switch (rpc_classify(m, &msg)) {
	case RPC_REQUEST:
	case RPC_NOTIFICATION:
		invoke(s, b, &msg);
		break;
	case RPC_INVALID:
		/* Answered even without an id, with id null (spec §5). */
		call = call_new(s, b, msg.id ? msg.id : json_null());
		if (call)
			rpc_call_fail(call, &msg.why);
		else if (b)
			b->failed = true;
		else
			answer(s, NULL);
		break;
	case RPC_RESPONSE:
		if (s->conf->response)
			s->conf->response(s->ctx, &msg);
		else
			log_debug("rpc: dropped a response to no request of ours");
		break;
	case RPC_BAD_RESPONSE:
		log_warn("rpc: malformed response from the peer: %s", msg.why.message);
		break;
	}
}

static void handle_frame(struct rpc_session *s, const char *line, size_t len)
{
	struct rpc_error err;
	struct rpc_batch *b;
	json_t *root, *m;
	size_t i;

	if (rpc_parse(line, len, &root, &err) < 0) {
		answer(s, rpc_response_error(NULL, err.code, err.message, NULL));
		return;
	}
	if (!json_is_array(root)) {
		dispatch(s, NULL, root);
	} else if (!(b = batch_new(s))) {
		answer(s, NULL);
	} else {
		json_array_foreach(root, i, m) {
			if (s->closed)	/* by a handler: run nothing more */
				break;
			dispatch(s, b, m);
		}
		batch_put(b);
	}
	json_decref(root);
}

static void frame_error(struct rpc_session *s, int rc)
{
	struct rpc_error err;

	if (rc == -EMSGSIZE)
		rpc_error_set(&err, PROTO_ERR_INVALID_REQUEST, "frame larger than %zu bytes",
			      s->max_frame);
	else if (rc == -EBADMSG)
		rpc_error_set(&err, PROTO_ERR_PARSE, "NUL byte in frame");
	else
		rpc_error_set(&err, PROTO_ERR_INTERNAL, "%s", strerror(-rc));
	answer(s, rpc_response_error(NULL, err.code, err.message, NULL));
}

void rpc_session_feed(struct rpc_session *s, const void *buf, size_t n)
{
	const char *line;
	size_t len;
	int rc;

	if (s->closed)
		return;
	s->refs++;
	/* Every earlier feed was drained (or the session closed, and we
	 * returned above), so this cannot fail with -EBUSY. */
	if (frame_reader_feed(&s->reader, buf, n) == 0) {
		while (!s->closed && (rc = frame_reader_next(&s->reader, &line, &len)) != 0) {
			if (rc > 0)
				handle_frame(s, line, len);
			else
				frame_error(s, rc);
		}
	}
	session_put(s);
}
