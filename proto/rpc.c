/* rpc.c — the JSON-RPC 2.0 codec: parsing, classification, builders and
 * serialisation (the serving side is in session.c). See rpc.h. */
#include "proto/rpc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rpc_error_name(int code)
{
	switch (code) {
	case PROTO_ERR_PARSE:			return "Parse error";
	case PROTO_ERR_INVALID_REQUEST:		return "Invalid Request";
	case PROTO_ERR_METHOD_NOT_FOUND:	return "Method not found";
	case PROTO_ERR_INVALID_PARAMS:		return "Invalid params";
	case PROTO_ERR_INTERNAL:		return "Internal error";
	case PROTO_ERR_NO_SUCH_VM:		return "No such VM";
	case PROTO_ERR_VM_EXISTS:		return "VM already exists";
	case PROTO_ERR_BAD_STATE:		return "Wrong VM state";
	case PROTO_ERR_PERMISSION:		return "Permission denied";
	case PROTO_ERR_BUSY:			return "Busy";
	case PROTO_ERR_LIMIT:			return "Limit reached";
	case PROTO_ERR_WORKER:			return "Worker failed";
	case PROTO_ERR_GUEST_IMAGE:		return "Bad guest image";
	}
	if (code >= -32099 && code <= -32000)
		return "Server error";
	return "Unknown error";
}

/* vsnprintf cuts at a byte, which can split a UTF-8 sequence, and jansson
 * refuses to make a string of invalid UTF-8. Messages quote names the peer
 * sent (valid UTF-8, since jansson parsed them), so a cut sequence at the
 * end is the one way they become invalid: drop it. */
static void drop_cut_sequence(char *s)
{
	size_t n = strlen(s), i = n;
	unsigned char lead;
	size_t want;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	if (want > n - (i - 1))
		s[i - 1] = '\0';
}

static void verror_set(struct rpc_error *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void verror_set(struct rpc_error *err, int code, const char *fmt, va_list ap)
{
	int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);

	err->code = code;
	if (n >= (int)sizeof(err->message))
		drop_cut_sequence(err->message);
}

void rpc_error_set(struct rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror_set(err, code, fmt, ap);
	va_end(ap);
}

void rpc_error_clear(struct rpc_error *err)
{
	json_decref(err->data);
	memset(err, 0, sizeof(*err));
}

const char *rpc_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:	return "object";
	case JSON_ARRAY:	return "array";
	case JSON_STRING:	return "string";
	case JSON_INTEGER:	return "integer";
	case JSON_REAL:		return "number";
	case JSON_TRUE:
	case JSON_FALSE:	return "boolean";
	case JSON_NULL:		return "null";
	}
	return "?";
}

/* Reject what jansson should never see: nesting deeper than
 * PROTO_MAX_DEPTH (its parser recurses once per level) and NUL bytes. One
 * flat pass; brackets inside strings do not count. Invalid JSON that
 * passes is left to jansson, which stops at the first bad token, before
 * any deeper level than this scan saw. */
static int check_text(const char *buf, size_t len, struct rpc_error *err)
{
	bool in_string = false, escaped = false;
	unsigned depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\0') {
			rpc_error_set(err, PROTO_ERR_PARSE, "NUL byte at byte %zu", i);
			return -EBADMSG;
		}
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > PROTO_MAX_DEPTH) {
				rpc_error_set(err, PROTO_ERR_PARSE,
					      "nesting deeper than %d levels at byte %zu",
					      PROTO_MAX_DEPTH, i);
				return -EBADMSG;
			}
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return 0;
}

int rpc_parse(const char *buf, size_t len, json_t **root, struct rpc_error *err)
{
	json_error_t jerr;
	json_t *j;

	*root = NULL;
	err->data = NULL;
	if (check_text(buf, len, err) < 0)
		return -EBADMSG;
	/* JSON_DECODE_ANY: a bare 2 is valid JSON, so it is an invalid
	 * request (-32600), not a parse error. */
	j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		rpc_error_set(err, PROTO_ERR_PARSE, "invalid JSON: %s at byte %d", jerr.text,
			      jerr.position);
		return -EBADMSG;
	}
	if (json_is_array(j) && json_array_size(j) == 0) {
		json_decref(j);
		rpc_error_set(err, PROTO_ERR_INVALID_REQUEST, "empty batch");
		return -EBADMSG;
	}
	*root = j;
	return 0;
}

static enum rpc_kind reject(struct rpc_msg *out, enum rpc_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum rpc_kind reject(struct rpc_msg *out, enum rpc_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror_set(&out->why, PROTO_ERR_INVALID_REQUEST, fmt, ap);
	va_end(ap);
	out->kind = kind;
	return kind;
}

/* The first member of m that is not in allowed (NULL-terminated). */
static const char *unknown_member(json_t *m, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(m, key, v) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, key))
			a++;
		if (!*a)
			return key;
	}
	return NULL;
}

static bool valid_id(const json_t *id)
{
	return json_is_string(id) || json_is_integer(id) || json_is_null(id);
}

/* Shared by requests and responses: "jsonrpc": "2.0" exactly. */
static bool check_version(json_t *m, struct rpc_msg *out, enum rpc_kind bad)
{
	json_t *v = json_object_get(m, "jsonrpc");

	if (!v)
		reject(out, bad, "jsonrpc: missing, expected \"2.0\"");
	else if (!json_is_string(v))
		reject(out, bad, "jsonrpc: expected \"2.0\", got %s", rpc_type_name(v));
	else if (strcmp(json_string_value(v), "2.0"))
		reject(out, bad, "jsonrpc: expected \"2.0\", got \"%s\"", json_string_value(v));
	else
		return true;
	return false;
}

static enum rpc_kind classify_response(json_t *m, struct rpc_msg *out)
{
	static const char *const members[] = { "jsonrpc", "result", "error", "id", NULL };
	const enum rpc_kind bad = RPC_BAD_RESPONSE;
	json_t *e, *code, *message;
	const char *key;

	if (!check_version(m, out, bad))
		return bad;
	if (!out->id)
		return reject(out, bad, "id: missing or not a string, integer or null");
	if ((key = unknown_member(m, members)))
		return reject(out, bad, "%s: unknown member", key);
	out->result = json_object_get(m, "result");
	e = json_object_get(m, "error");
	if (out->result && e)
		return reject(out, bad, "both result and error");
	if (e) {
		if (!json_is_object(e))
			return reject(out, bad, "error: expected object, got %s", rpc_type_name(e));
		code = json_object_get(e, "code");
		message = json_object_get(e, "message");
		if (!json_is_integer(code) || json_integer_value(code) < INT_MIN ||
		    json_integer_value(code) > INT_MAX || !json_is_string(message))
			return reject(out, bad, "error: expected integer code and string message");
		out->error = e;
		out->error_code = (int)json_integer_value(code);
		out->error_message = json_string_value(message);
	}
	out->kind = RPC_RESPONSE;
	return RPC_RESPONSE;
}

enum rpc_kind rpc_classify(json_t *m, struct rpc_msg *out)
{
	static const char *const members[] = { "jsonrpc", "method", "params", "id", NULL };
	json_t *id, *method, *params;
	const char *key;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(m))
		return reject(out, RPC_INVALID, "expected an object, got %s", rpc_type_name(m));
	/* Known before anything else is checked, so that an invalid request
	 * with a valid id is answered with that id. */
	id = json_object_get(m, "id");
	if (valid_id(id))
		out->id = id;
	method = json_object_get(m, "method");
	if (!method && (json_object_get(m, "result") || json_object_get(m, "error")))
		return classify_response(m, out);

	if (!check_version(m, out, RPC_INVALID))
		return RPC_INVALID;
	if (id && !out->id)
		return reject(out, RPC_INVALID, "id: expected string, integer or null, got %s",
			      rpc_type_name(id));
	if (!method)
		return reject(out, RPC_INVALID, "method: missing");
	if (!json_is_string(method))
		return reject(out, RPC_INVALID, "method: expected string, got %s",
			      rpc_type_name(method));
	params = json_object_get(m, "params");
	if (params && !json_is_object(params) && !json_is_array(params))
		return reject(out, RPC_INVALID, "params: expected object or array, got %s",
			      rpc_type_name(params));
	if ((key = unknown_member(m, members)))
		return reject(out, RPC_INVALID, "%s: unknown member", key);

	out->method = json_string_value(method);
	out->params = params;
	out->kind = id ? RPC_REQUEST : RPC_NOTIFICATION;
	return out->kind;
}

/* A message with its "jsonrpc" member, or NULL. The builders set every
 * other member without short-circuiting, so that each stolen value is
 * consumed whatever fails: json_object_set_new() releases the value even
 * when the object is NULL. */
static json_t *envelope(void)
{
	json_t *m = json_object();

	if (json_object_set_new(m, "jsonrpc", json_string("2.0"))) {
		json_decref(m);
		return NULL;
	}
	return m;
}

static json_t *built(json_t *m, int rc)
{
	if (rc) {
		json_decref(m);
		return NULL;
	}
	return m;
}

json_t *rpc_request(json_int_t id, const char *method, json_t *params)
{
	json_t *m = envelope();
	int rc = !m;

	rc |= json_object_set_new(m, "method", json_string(method));
	if (params)
		rc |= json_object_set_new(m, "params", params);
	rc |= json_object_set_new(m, "id", json_integer(id));
	return built(m, rc);
}

json_t *rpc_notification(const char *method, json_t *params)
{
	json_t *m = envelope();
	int rc = !m;

	rc |= json_object_set_new(m, "method", json_string(method));
	if (params)
		rc |= json_object_set_new(m, "params", params);
	return built(m, rc);
}

json_t *rpc_response_result(json_t *id, json_t *result)
{
	json_t *m = envelope();
	int rc = !m;

	rc |= json_object_set_new(m, "result", result ? result : json_null());
	rc |= json_object_set_new(m, "id", id ? json_incref(id) : json_null());
	return built(m, rc);
}

json_t *rpc_response_error(json_t *id, int code, const char *text, json_t *data)
{
	json_t *m = envelope(), *e = json_object(), *s = NULL;
	int rc = !m;

	if (text && *text)
		s = json_string(text);
	if (!s)		/* none, or not valid UTF-8 */
		s = json_string(rpc_error_name(code));
	rc |= json_object_set_new(e, "code", json_integer(code));
	rc |= json_object_set_new(e, "message", s);
	if (data)
		rc |= json_object_set_new(e, "data", data);
	rc |= json_object_set_new(m, "error", e);
	rc |= json_object_set_new(m, "id", id ? json_incref(id) : json_null());
	return built(m, rc);
}

struct dump {
	char *buf;
	size_t len, cap, max;
	int err;
};

/* jansson's dump callback: append, refusing to grow past max (+2 for the
 * '\n' and the NUL), so a huge message costs no more than a frame. */
static int dump_chunk(const char *p, size_t n, void *opaque)
{
	struct dump *d = opaque;

	if (n > d->max - d->len) {
		d->err = -EMSGSIZE;
		return -1;
	}
	if (d->len + n + 2 > d->cap) {
		size_t cap = d->cap ? d->cap : 256;
		char *nbuf;

		while (cap < d->len + n + 2)
			cap *= 2;
		if (cap > d->max + 2)
			cap = d->max + 2;
		nbuf = realloc(d->buf, cap);
		if (!nbuf) {
			d->err = -ENOMEM;
			return -1;
		}
		d->buf = nbuf;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	return 0;
}

int rpc_serialize(const json_t *msg, size_t max, char **line, size_t *len)
{
	struct dump d = { .max = max ? max : PROTO_MAX_FRAME };

	if (json_dump_callback(msg, dump_chunk, &d, JSON_COMPACT) < 0 || !d.len) {
		free(d.buf);
		return d.err ? d.err : -EINVAL;	/* else not an object or array */
	}
	d.buf[d.len++] = '\n';
	d.buf[d.len] = '\0';
	*line = d.buf;
	*len = d.len;
	return 0;
}
