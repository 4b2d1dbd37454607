/* test_proto_rpc.c — the JSON-RPC 2.0 codec and session (proto/rpc.c,
 * proto/session.c), checked byte for byte on what goes out: the
 * specification's own examples (section 7), the stricter rules of
 * docs/protocol.md, params schemas, deferred calls and hostile input.
 *
 * Every frame the session sends passes through capture(), which checks
 * the framing invariant: one '\n', at the end. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rpc.h"
#include "tests/unit/leak_check.h"
#include "util/log.h"

/* ---- A session under test, with methods shaped after the spec's ---- */

static char *out;		/* everything sent since the last exchange() */
static size_t out_len;
static unsigned nsent;		/* frames sent */
static unsigned nnotified;	/* notification handler runs */
static struct rpc_call *held[8];	/* deferred calls */
static unsigned nheld;
static struct rpc_session *sess;

static void capture(void *ctx, const char *line, size_t len)
{
	cr_assert_gt(len, 1);
	cr_assert_eq(line[len - 1], '\n', "a frame ends with a newline");
	cr_assert_null(memchr(line, '\n', len - 1), "raw newline inside a frame: %s", line);
	cr_assert_eq(line[len], '\0');
	cr_assert_eq(strlen(line), len, "NUL inside a frame");
	out = realloc(out, out_len + len + 1);
	cr_assert_not_null(out);
	memcpy(out + out_len, line, len + 1);
	out_len += len;
	nsent++;
}

static json_t *want_int(json_t *params, const char *name)
{
	json_t *v = json_object_get(params, name);

	cr_assert(json_is_integer(v), "the schema let a non-integer %s through", name);
	return v;
}

static int do_subtract(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		       struct rpc_error *err)
{
	*result = json_integer(json_integer_value(want_int(params, "minuend")) -
			       json_integer_value(want_int(params, "subtrahend")));
	return 0;
}

static int do_sum(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		  struct rpc_error *err)
{
	json_int_t sum = 0;
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(params, "values"), i, v)
		sum += json_integer_value(v);
	*result = json_integer(sum);
	return 0;
}

static int do_notified(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		       struct rpc_error *err)
{
	nnotified++;
	*result = json_string("dropped: a notification has no answer");
	return 0;
}

static int do_get_data(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		       struct rpc_error *err)
{
	*result = json_pack("[si]", "hello", 5);
	return 0;
}

static int do_echo(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	*result = json_incref(params);
	return 0;
}

static int do_nothing(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		      struct rpc_error *err)
{
	return 0;	/* *result left NULL: answers null */
}

static int do_fail(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	const char *name = json_string_value(json_object_get(params, "name"));

	*result = json_true();		/* must be dropped, not leaked */
	rpc_error_set(err, PROTO_ERR_NO_SUCH_VM, "no VM named %s", name);
	err->data = json_pack("{ss}", "name", name);
	return -ENOENT;
}

static int do_fail_plain(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
			 struct rpc_error *err)
{
	err->code = PROTO_ERR_BAD_STATE;	/* no message: the code's name */
	return -EINVAL;
}

static int do_enomem(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		     struct rpc_error *err)
{
	return -ENOMEM;
}

static int do_defer(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		    struct rpc_error *err)
{
	cr_assert_lt(nheld, 8);
	held[nheld++] = call;
	return RPC_DEFERRED;
}

/* Finishes its own call before returning RPC_DEFERRED: allowed. */
static int do_defer_now(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
			struct rpc_error *err)
{
	rpc_call_finish(call, json_string("early"));
	return RPC_DEFERRED;
}

static int do_close(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		    struct rpc_error *err)
{
	rpc_session_close(sess);
	sess = NULL;
	*result = json_true();
	return 0;
}

static int do_big(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		  struct rpc_error *err)
{
	char text[1001];

	memset(text, 'b', 1000);
	text[1000] = '\0';
	*result = json_string(text);
	return 0;
}

static const struct rpc_param subtract_params[] = {
	{ .name = "minuend", .type = RPC_TYPE_INTEGER, .required = true },
	{ .name = "subtrahend", .type = RPC_TYPE_INTEGER, .required = true },
	{ .name = NULL },
};

static const struct rpc_param sum_params[] = {
	{ .name = "values", .type = RPC_TYPE_ARRAY, .required = true },
	{ .name = NULL },
};

static const struct rpc_param notify_params[] = {
	{ .name = "n", .type = RPC_TYPE_INTEGER },
	{ .name = NULL },
};

/* Shaped like the daemon's VM creation, to exercise every kind of check. */
static const struct rpc_param create_params[] = {
	{ .name = "name", .type = RPC_TYPE_STRING, .required = true, .max_len = 16 },
	{ .name = "vcpus", .type = RPC_TYPE_INTEGER, .required = true, .min = 1, .max = 8 },
	{ .name = "memory", .type = RPC_TYPE_INTEGER, .min = 16, .max = 4096 },
	{ .name = "start", .type = RPC_TYPE_BOOLEAN },
	{ .name = "opts", .type = RPC_TYPE_OBJECT },
	{ .name = "disks", .type = RPC_TYPE_ARRAY },
	{ .name = "seed", .type = RPC_TYPE_INTEGER },
	{ .name = "note", .type = RPC_TYPE_STRING },
	{ .name = NULL },
};

static const struct rpc_param name_params[] = {
	{ .name = "name", .type = RPC_TYPE_STRING, .required = true },
	{ .name = NULL },
};

static const struct rpc_param echo_params[] = {
	{ .name = "text", .type = RPC_TYPE_STRING },
	{ .name = NULL },
};

static const struct rpc_method methods[] = {
	{ .name = "subtract", .handler = do_subtract, .params = subtract_params },
	{ .name = "sum", .handler = do_sum, .params = sum_params },
	{ .name = "update", .handler = do_notified, .params = notify_params },
	{ .name = "notify_hello", .handler = do_notified, .params = notify_params },
	{ .name = "notify_sum", .handler = do_notified, .params = notify_params },
	{ .name = "get_data", .handler = do_get_data },
	{ .name = "vm.create", .handler = do_echo, .params = create_params },
	{ .name = "echo", .handler = do_echo, .params = echo_params },
	{ .name = "nothing", .handler = do_nothing },
	{ .name = "fail", .handler = do_fail, .params = name_params },
	{ .name = "fail_plain", .handler = do_fail_plain },
	{ .name = "enomem", .handler = do_enomem },
	{ .name = "defer", .handler = do_defer },
	{ .name = "defer_now", .handler = do_defer_now },
	{ .name = "close", .handler = do_close },
	{ .name = "big", .handler = do_big },
	{ .name = NULL },
};

static const struct rpc_session_conf conf = {
	.methods = methods,
	.send = capture,
};

static const struct rpc_session_conf small_conf = {
	.methods = methods,
	.send = capture,
	.max_frame = 256,
};

static void open_session(const struct rpc_session_conf *c)
{
	int ctx;

	cr_assert_eq(rpc_session_new(c, &ctx, &sess), 0);
}

static void setup(void)
{
	out = NULL;
	out_len = 0;
	nsent = 0;
	nnotified = 0;
	nheld = 0;
	open_session(&conf);
}

static void teardown(void)
{
	cr_assert_eq(nheld, 0, "a test left deferred calls unfinished");
	if (sess)
		rpc_session_close(sess);
	free(out);
	assert_no_leaks();
}

/* Feed in as bytes from the peer; everything sent in answer. */
static const char *exchange_n(const char *in, size_t n)
{
	out_len = 0;
	if (out)
		out[0] = '\0';
	rpc_session_feed(sess, in, n);
	return out ? out : "";
}

static const char *exchange(const char *in)
{
	return exchange_n(in, strlen(in));
}

/* For answers whose message comes from jansson (its wording is jansson's,
 * not ours): the code, the id and the start of the message. */
static void assert_error(const char *line, int code, const char *id_json, const char *prefix)
{
	json_t *m = json_loads(line, 0, NULL), *e = json_object_get(m, "error");
	char *id = json_dumps(json_object_get(m, "id"), JSON_ENCODE_ANY);

	cr_assert_not_null(m, "not one JSON message: %s", line);
	cr_assert_eq(json_integer_value(json_object_get(e, "code")), code, "%s", line);
	cr_assert_str_eq(id, id_json, "%s", line);
	cr_assert_eq(strncmp(json_string_value(json_object_get(e, "message")), prefix,
			     strlen(prefix)), 0, "%s", line);
	free(id);
	json_decref(m);
}

TestSuite(proto_rpc, .init = setup, .fini = teardown);

/* ---- The specification's examples, in its order ---- */

Test(proto_rpc, spec_positional_params_refused)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"params must be an object\"},\"id\":1}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [23, 42], \"id\": 2}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"params must be an object\"},\"id\":2}\n");
}

Test(proto_rpc, spec_named_params)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"subtrahend\": 23, \"minuend\": 42}, \"id\": 3}\n"),
			 "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":3}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"minuend\": 42, \"subtrahend\": 23}, \"id\": 4}\n"),
			 "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":4}\n");
}

Test(proto_rpc, spec_notifications)
{
	/* Positional params fail the schema, which a notification is not
	 * told about; an unknown method likewise. */
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": [1,2,3,4,5]}\n"), "");
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\"}\n"), "");
	cr_assert_eq(nnotified, 0);
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": {\"n\": 5}}\n"), "");
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"update\"}\n"), "");
	cr_assert_eq(nnotified, 2, "valid notifications run their handler");
	cr_assert_eq(nsent, 0);
}

Test(proto_rpc, spec_method_not_found)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": \"1\"}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"method not found: foobar\"},\"id\":\"1\"}\n");
}

Test(proto_rpc, spec_invalid_json)
{
	const char *o = exchange("{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]\n");

	assert_error(o, -32700, "null", "invalid JSON: ");
	cr_assert_eq(nsent, 1);
}

Test(proto_rpc, spec_invalid_request_object)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"method: expected string, got integer\"},\"id\":null}\n");
}

Test(proto_rpc, spec_batch_invalid_json)
{
	const char *o = exchange("[ {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
				 "{\"jsonrpc\": \"2.0\", \"method\" ]\n");

	assert_error(o, -32700, "null", "invalid JSON: ");
	cr_assert_eq(o[0], '{', "one response, not a batch");
	cr_assert_eq(nsent, 1);
}

Test(proto_rpc, spec_empty_array)
{
	cr_assert_str_eq(exchange("[]\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"empty batch\"},\"id\":null}\n");
	cr_assert_str_eq(exchange("[ ]\r\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"empty batch\"},\"id\":null}\n");
}

Test(proto_rpc, spec_invalid_batch_of_one)
{
	cr_assert_str_eq(exchange("[1]\n"),
			 "[{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"expected an object, got integer\"},\"id\":null}]\n");
}

Test(proto_rpc, spec_invalid_batch)
{
	cr_assert_str_eq(exchange("[1,2,3]\n"),
			 "[{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"expected an object, got integer\"},\"id\":null},"
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"expected an object, got integer\"},\"id\":null},"
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"expected an object, got integer\"},\"id\":null}]\n");
	cr_assert_eq(nsent, 1, "a batch is answered in one frame");
}

/* The specification's mixed batch, verbatim: positional params answer
 * -32602 here (docs/protocol.md). */
Test(proto_rpc, spec_mixed_batch)
{
	cr_assert_str_eq(exchange(
		"[{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42,23], \"id\": \"2\"},"
		"{\"foo\": \"boo\"},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}]\n"),
		"[{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"params must be an object\"},\"id\":\"1\"},"
		"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"params must be an object\"},\"id\":\"2\"},"
		"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"jsonrpc: missing, expected \\\"2.0\\\"\"},\"id\":null},"
		"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"method not found: foo.get\"},\"id\":\"5\"},"
		"{\"jsonrpc\":\"2.0\",\"result\":[\"hello\",5],\"id\":\"9\"}]\n");
}

/* The same batch with named params gives the specification's results. */
Test(proto_rpc, spec_mixed_batch_named)
{
	cr_assert_str_eq(exchange(
		"[{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": {\"values\": [1,2,4]}, \"id\": \"1\"},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": {\"n\": 7}},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"minuend\": 42, \"subtrahend\": 23}, \"id\": \"2\"},"
		"{\"foo\": \"boo\"},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}]\n"),
		"[{\"jsonrpc\":\"2.0\",\"result\":7,\"id\":\"1\"},"
		"{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":\"2\"},"
		"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"jsonrpc: missing, expected \\\"2.0\\\"\"},\"id\":null},"
		"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"method not found: foo.get\"},\"id\":\"5\"},"
		"{\"jsonrpc\":\"2.0\",\"result\":[\"hello\",5],\"id\":\"9\"}]\n");
	cr_assert_eq(nnotified, 1);
}

Test(proto_rpc, spec_all_notification_batch)
{
	cr_assert_str_eq(exchange(
		"[{\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1,2,4]},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]}]\n"), "");
	cr_assert_str_eq(exchange(
		"[{\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": {\"n\": 7}},"
		"{\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\"}]\n"), "");
	cr_assert_eq(nsent, 0, "nothing at all, not even an empty array");
	cr_assert_eq(nnotified, 2);
}

/* ---- Messages ---- */

Test(proto_rpc, ids)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":null}\n"),
			 "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":null}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":-9223372036854775808}\n"),
			 "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":-9223372036854775808}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":\"\"}\n"),
			 "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":\"\"}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":1.5}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"id: expected string, integer or null, got number\"},\"id\":null}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":1.0}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"id: expected string, integer or null, got number\"},\"id\":null}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":1e3}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"id: expected string, integer or null, got number\"},\"id\":null}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":true}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"id: expected string, integer or null, got boolean\"},\"id\":null}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":[1]}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"id: expected string, integer or null, got array\"},\"id\":null}\n");
	/* Beyond int64: jansson refuses the text. */
	assert_error(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":9223372036854775808}\n"),
		     -32700, "null", "invalid JSON: too big integer");
}

Test(proto_rpc, invalid_requests_keep_a_valid_id)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"1.0\",\"method\":\"nothing\",\"id\":7}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"jsonrpc: expected \\\"2.0\\\", got \\\"1.0\\\"\"},\"id\":7}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":2,\"method\":\"nothing\",\"id\":\"a\"}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"jsonrpc: expected \\\"2.0\\\", got integer\"},\"id\":\"a\"}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"id\":8}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"method: missing\"},\"id\":8}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"params\":\"x\",\"id\":9}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"params: expected object or array, got string\"},\"id\":9}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"params\":null,\"id\":10}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"params: expected object or array, got null\"},\"id\":10}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"param\":{},\"id\":11}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"param: unknown member\"},\"id\":11}\n");
	/* Invalid, and no id at all: still answered (spec: id null). */
	cr_assert_str_eq(exchange("{\"method\":\"nothing\"}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"jsonrpc: missing, expected \\\"2.0\\\"\"},\"id\":null}\n");
	cr_assert_str_eq(exchange("\"hello\"\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"expected an object, got string\"},\"id\":null}\n");
	cr_assert_str_eq(exchange("[{\"jsonrpc\":\"2.0\",\"method\":1,\"id\":5}]\n"),
			 "[{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"method: expected string, got integer\"},\"id\":5}]\n");
}

Test(proto_rpc, duplicate_keys)
{
	assert_error(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":{\"minuend\":1,\"minuend\":2,\"subtrahend\":0},\"id\":1}\n"),
		     -32700, "null", "invalid JSON: duplicate object key");
	assert_error(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":1,\"id\":2}\n"),
		     -32700, "null", "invalid JSON: duplicate object key");
}

Test(proto_rpc, nul_bytes)
{
	static const char raw[] = "{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":1}\0\n";

	cr_assert_str_eq(exchange_n(raw, sizeof(raw) - 1),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"NUL byte in frame\"},\"id\":null}\n");
	assert_error(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"text\":\"a\\u0000b\"},\"id\":1}\n"),
		     -32700, "null", "invalid JSON: \\u0000 is not allowed");
}

static char *nested(const char *open, const char *middle, const char *close, unsigned depth)
{
	size_t lo = strlen(open), lm = strlen(middle), lc = strlen(close);
	char *s = malloc(depth * (lo + lc) + lm + 2), *p = s;

	cr_assert_not_null(s);
	for (unsigned i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, middle, lm);
	p += lm;
	for (unsigned i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	strcpy(p, "\n");
	return s;
}

Test(proto_rpc, deep_nesting_refused_flat)
{
	char *s = nested("[", "", "]", 100000);

	cr_assert_str_eq(exchange(s),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"nesting deeper than 64 levels at byte 64\"},\"id\":null}\n");
	free(s);
	s = nested("{\"a\":", "1", "}", 100000);
	cr_assert_str_eq(exchange(s),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"nesting deeper than 64 levels at byte 320\"},\"id\":null}\n");
	free(s);
	/* Unclosed, as a hostile peer would send it. */
	s = nested("[", "", "", 100000);
	cr_assert_str_eq(exchange(s),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"nesting deeper than 64 levels at byte 64\"},\"id\":null}\n");
	free(s);
}

Test(proto_rpc, nesting_limit_exact)
{
	struct rpc_error err;
	json_t *root;
	char *s = nested("[", "", "]", PROTO_MAX_DEPTH);

	cr_assert_eq(rpc_parse(s, strlen(s), &root, &err), 0, "64 levels: %s", err.message);
	json_decref(root);
	free(s);
	s = nested("[", "", "]", PROTO_MAX_DEPTH + 1);
	cr_assert_eq(rpc_parse(s, strlen(s), &root, &err), -EBADMSG);
	cr_assert_null(root);
	cr_assert_eq(err.code, PROTO_ERR_PARSE);
	free(s);
	/* Brackets inside strings, escaped quotes included, are not nesting. */
	s = nested("[", "\"[[[[\\\"{{{{\"", "]", PROTO_MAX_DEPTH);
	cr_assert_eq(rpc_parse(s, strlen(s), &root, &err), 0, "%s", err.message);
	json_decref(root);
	free(s);
}

Test(proto_rpc, brackets_in_strings_pass)
{
	char *text = nested("[{", "", "", 50000);
	char *req;

	text[strlen(text) - 1] = '\0';
	cr_assert_gt(asprintf(&req, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"text\":\"%s\"},\"id\":1}\n",
			      text), 0);
	cr_assert_eq(strncmp(exchange(req), "{\"jsonrpc\":\"2.0\",\"result\":{\"text\":\"[{[{", 35), 0, "%.80s", out);
	free(req);
	free(text);
}

Test(proto_rpc, unknown_members_and_frames_between)
{
	/* Blank lines and CRLF between frames, as a terminal would send. */
	cr_assert_str_eq(exchange("\r\n\n{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":1}\r\n\r\n"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":2}\n"),
			 "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}\n"
			 "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":2}\n");
	cr_assert_eq(nsent, 2);
}

Test(proto_rpc, request_split_byte_by_byte)
{
	static const char in[] = "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\","
				 "\"params\":{\"minuend\":5,\"subtrahend\":7},\"id\":\"x\"}\r\n";

	for (size_t i = 0; i < sizeof(in) - 1; i++) {
		exchange_n(in + i, 1);
		if (i < sizeof(in) - 2)
			cr_assert_eq(nsent, 0, "answered before the newline, at byte %zu", i);
	}
	cr_assert_str_eq(out, "{\"jsonrpc\":\"2.0\",\"result\":-2,\"id\":\"x\"}\n");
}

/* ---- Framing errors through the session ---- */

Test(proto_rpc, oversized_frame_then_resync)
{
	char in[600];

	rpc_session_close(sess);
	open_session(&small_conf);
	memset(in, 'x', 300);
	strcpy(in + 300, "\n{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":1}\n");
	cr_assert_str_eq(exchange(in),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"frame larger than 256 bytes\"},\"id\":null}\n"
			 "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}\n");
	/* Fed in small pieces, the oversized frame is still answered once. */
	for (int i = 0; i < 10; i++)
		exchange_n(in, 100);
	cr_assert_str_eq(out, "");
	cr_assert_eq(nsent, 3);
}

Test(proto_rpc, oversized_answer_becomes_error)
{
	char in[400];

	rpc_session_close(sess);
	open_session(&small_conf);
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"big\",\"id\":1}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"response larger than the frame limit\"},\"id\":1}\n");
	/* With an id too long to echo in the error, id null. */
	snprintf(in, sizeof(in), "{\"jsonrpc\":\"2.0\",\"method\":\"big\",\"id\":\"%0200d\"}\n", 0);
	cr_assert_str_eq(exchange(in),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"response larger than the frame limit\"},\"id\":null}\n");
	/* A batch answer too big: one error, since no single id fits it. */
	cr_assert_str_eq(exchange("[{\"jsonrpc\":\"2.0\",\"method\":\"big\",\"id\":1},"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":2}]\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"response larger than the frame limit\"},\"id\":null}\n");
}

Test(proto_rpc, session_conf_checked)
{
	static const struct rpc_session_conf tiny = { .methods = methods, .send = capture, .max_frame = 100 };
	static const struct rpc_session_conf nosend = { .methods = methods };
	struct rpc_session *s2;

	cr_assert_eq(rpc_session_new(&tiny, NULL, &s2), -EINVAL);
	cr_assert_eq(rpc_session_new(&nosend, NULL, &s2), -EINVAL);
}

/* ---- Params schemas ---- */

static const char *create(const char *params)
{
	char *in;
	const char *o;

	cr_assert_gt(asprintf(&in, "{\"jsonrpc\":\"2.0\",\"method\":\"vm.create\",\"params\":%s,\"id\":1}\n",
			      params), 0);
	o = exchange(in);
	free(in);
	return o;
}

#define BAD_PARAMS(msg) "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32602,\"message\":\"" msg "\"},\"id\":1}\n"

Test(proto_rpc, schema_types_name_the_field)
{
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":\"4\"}"),
			 BAD_PARAMS("params.vcpus: expected integer 1..8, got string"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":2.5}"),
			 BAD_PARAMS("params.vcpus: expected integer 1..8, got number"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":null}"),
			 BAD_PARAMS("params.vcpus: expected integer 1..8, got null"));
	cr_assert_str_eq(create("{\"name\":7,\"vcpus\":1}"),
			 BAD_PARAMS("params.name: expected string of at most 16 bytes, got integer"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":1,\"start\":\"yes\"}"),
			 BAD_PARAMS("params.start: expected boolean, got string"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":1,\"opts\":[]}"),
			 BAD_PARAMS("params.opts: expected object, got array"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":1,\"disks\":{}}"),
			 BAD_PARAMS("params.disks: expected array, got object"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":1,\"note\":false}"),
			 BAD_PARAMS("params.note: expected string, got boolean"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":1,\"seed\":\"1\"}"),
			 BAD_PARAMS("params.seed: expected integer, got string"));
}

Test(proto_rpc, schema_missing_and_unknown)
{
	cr_assert_str_eq(create("{\"vcpus\":1}"),
			 BAD_PARAMS("params.name: missing, expected string of at most 16 bytes"));
	cr_assert_str_eq(create("{\"name\":\"a\"}"),
			 BAD_PARAMS("params.vcpus: missing, expected integer 1..8"));
	cr_assert_str_eq(create("{}"),
			 BAD_PARAMS("params.name: missing, expected string of at most 16 bytes"));
	/* A misspelt field is named as unknown, not as the missing one. */
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpu\":2}"),
			 BAD_PARAMS("params.vcpu: unknown field"));
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"vm.create\",\"id\":1}\n"),
			 BAD_PARAMS("params.name: missing, expected string of at most 16 bytes"));
	/* A method that takes no params: {} and absent are fine, nothing else. */
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"params\":{},\"id\":1}\n"),
			 "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"params\":{\"x\":1},\"id\":1}\n"),
			 BAD_PARAMS("params.x: unknown field"));
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"params\":[],\"id\":1}\n"),
			 BAD_PARAMS("params must be an object"));
}

Test(proto_rpc, schema_ranges)
{
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":0}"),
			 BAD_PARAMS("params.vcpus: expected integer 1..8, got 0"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":9}"),
			 BAD_PARAMS("params.vcpus: expected integer 1..8, got 9"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":-1}"),
			 BAD_PARAMS("params.vcpus: expected integer 1..8, got -1"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":1,\"memory\":15}"),
			 BAD_PARAMS("params.memory: expected integer 16..4096, got 15"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":1,\"memory\":4097}"),
			 BAD_PARAMS("params.memory: expected integer 16..4096, got 4097"));
	cr_assert_str_eq(create("{\"name\":\"a\",\"vcpus\":1,\"memory\":-9223372036854775808}"),
			 BAD_PARAMS("params.memory: expected integer 16..4096, got -9223372036854775808"));
	cr_assert_str_eq(create("{\"name\":\"0123456789abcdefg\",\"vcpus\":1}"),
			 BAD_PARAMS("params.name: expected string of at most 16 bytes, got 17 bytes"));
	/* The bounds themselves are in range; unbounded means unbounded. */
	cr_assert_str_eq(create("{\"name\":\"0123456789abcdef\",\"vcpus\":1,\"memory\":16}"),
			 "{\"jsonrpc\":\"2.0\",\"result\":{\"name\":\"0123456789abcdef\",\"vcpus\":1,\"memory\":16},\"id\":1}\n");
	cr_assert_str_eq(create("{\"vcpus\":8,\"memory\":4096,\"name\":\"\",\"seed\":-9223372036854775808,"
				"\"start\":true,\"opts\":{\"x\":[]},\"disks\":[1,\"a\"]}"),
			 "{\"jsonrpc\":\"2.0\",\"result\":{\"vcpus\":8,\"memory\":4096,\"name\":\"\","
			 "\"seed\":-9223372036854775808,\"start\":true,\"opts\":{\"x\":[]},\"disks\":[1,\"a\"]},\"id\":1}\n");
}

Test(proto_rpc, schema_message_with_hostile_field_name)
{
	char name[400], params[512];
	const char *o;
	json_t *m;

	/* 150 two-byte characters: the message is cut, never mid-character. */
	for (int i = 0; i < 150; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[300] = '\0';
	snprintf(params, sizeof(params), "{\"%s\":1}", name);
	o = create(params);
	m = json_loads(o, 0, NULL);
	cr_assert_not_null(m, "%s", o);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(m, "error"), "code")), -32602);
	cr_assert_eq(strncmp(json_string_value(json_object_get(json_object_get(m, "error"), "message")),
			     "params.\xc3\xa9", 9), 0);
	cr_assert_lt(strlen(json_string_value(json_object_get(json_object_get(m, "error"), "message"))),
		     RPC_MESSAGE_MAX);
	json_decref(m);
}

/* ---- Handlers ---- */

Test(proto_rpc, handler_errors)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":{\"name\":\"vm1\"},\"id\":3}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"no VM named vm1\",\"data\":{\"name\":\"vm1\"}},\"id\":3}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"fail_plain\",\"id\":4}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32002,\"message\":\"Wrong VM state\"},\"id\":4}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"enomem\",\"id\":5}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Cannot allocate memory\"},\"id\":5}\n");
	/* As notifications, the same errors go nowhere (and leak nothing). */
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":{\"name\":\"vm1\"}}\n"), "");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"enomem\"}\n"), "");
}

Test(proto_rpc, newlines_are_escaped)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"text\":\"a\\nb\\r\\n\\u2028\\t\"},\"id\":\"\\n\"}\n"),
			 "{\"jsonrpc\":\"2.0\",\"result\":{\"text\":\"a\\nb\\r\\n\xe2\x80\xa8\\t\"},\"id\":\"\\n\"}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"x\\ny\",\"id\":1}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"method not found: x\\ny\"},\"id\":1}\n");
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":{\"name\":\"l1\\nl2\"},\"id\":1}\n"),
			 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,\"message\":\"no VM named l1\\nl2\",\"data\":{\"name\":\"l1\\nl2\"}},\"id\":1}\n");
}

/* ---- Hostile input ---- */

/* Every answer is a response object with "jsonrpc":"2.0", an id, and
 * exactly one of result and error; a batch answer is an array of them. */
static void assert_answer(json_t *a)
{
	cr_assert(json_is_object(a));
	cr_assert_str_eq(json_string_value(json_object_get(a, "jsonrpc")), "2.0");
	cr_assert_not_null(json_object_get(a, "id"));
	cr_assert_neq(!json_object_get(a, "result"), !json_object_get(a, "error"));
}

static void assert_answers(const char *text)
{
	const char *p = text, *nl;

	while ((nl = strchr(p, '\n'))) {
		json_t *m = json_loadb(p, (size_t)(nl - p), 0, NULL), *a;
		size_t i;

		cr_assert_not_null(m, "not JSON: %.*s", (int)(nl - p), p);
		if (json_is_array(m)) {
			cr_assert_gt(json_array_size(m), 0);
			json_array_foreach(m, i, a)
				assert_answer(a);
		} else {
			assert_answer(m);
		}
		json_decref(m);
		p = nl + 1;
	}
	cr_assert_eq(*p, '\0', "output ends mid-frame");
}

/* Valid messages with a few random edits (a byte deleted, a fragment
 * inserted), many to a read, read in random pieces: the session must
 * answer only with well-formed frames, and neither crash nor leak (make
 * check). A fixed seed, so that a failure reproduces. */
Test(proto_rpc, hostile_mutations)
{
	static const char *const valid[] = {
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"text\":\"t\"},\"id\":1}",
		"[{\"jsonrpc\":\"2.0\",\"method\":\"defer_now\",\"id\":\"d\"},"
		"{\"jsonrpc\":\"2.0\",\"method\":\"get_data\",\"id\":3},{\"jsonrpc\":\"2.0\",\"method\":\"update\"}]",
		"{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":{\"minuend\":4,\"subtrahend\":1},\"id\":\"s\"}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"vm.create\",\"params\":{\"name\":\"a\",\"vcpus\":2},\"id\":9}",
		"{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":2}",
	};
	static const char *const bits[] = {
		"{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\n", "\r\n", "\0", "\xff", "\xc3\xa9",
		"1", "-7", "1.5", "1e999", "null", "true", "\"x\"", "\"\\u0000\"", "\"\\n\"",
		"\"id\":5,", "\"params\":[1],", "\"vcpus\":99,", "\"extra\":0,", "[[[[[[[[[[[[[[[[",
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":7}",
	};
	const size_t nvalid = sizeof(valid) / sizeof(valid[0]), nbits = sizeof(bits) / sizeof(bits[0]);
	const size_t size = 1 << 16;
	unsigned seed = 20240607, results = 0;
	char *buf = malloc(size);

	cr_assert_not_null(buf);
	log_set_level(LOG_ERROR);	/* the many warnings are expected */
	rpc_session_close(sess);
	open_session(&small_conf);	/* oversized frames and answers too */
	for (int round = 0; round < 200; round++) {
		size_t len = 0, off = 0;

		for (int f = 0; f < 40; f++) {
			const char *v = valid[rand_r(&seed) % nvalid];
			size_t start = len, edits = rand_r(&seed) % 4;

			memcpy(buf + len, v, strlen(v));
			len += strlen(v);
			for (size_t e = 0; e < edits; e++) {
				size_t at = start + rand_r(&seed) % (len - start);
				const char *b = bits[rand_r(&seed) % nbits];
				size_t n = *b ? strlen(b) : 1;	/* "\0": one NUL byte */

				if (rand_r(&seed) % 2) {
					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				} else if (len + n < size / 2) {
					memmove(buf + at + n, buf + at, len - at);
					memcpy(buf + at, b, n);
					len += n;
				}
			}
			buf[len++] = '\n';
		}
		out_len = 0;
		if (out)
			out[0] = '\0';
		while (off < len) {
			size_t n = 1 + rand_r(&seed) % 300;

			if (n > len - off)
				n = len - off;
			rpc_session_feed(sess, buf + off, n);
			off += n;
		}
		assert_answers(out ? out : "");
		for (const char *p = out; p && (p = strstr(p, "\"result\"")); p++)
			results++;
	}
	cr_assert_gt(nsent, 4000, "only %u answers", nsent);
	cr_assert_gt(results, 1000, "only %u results: the edits break too much", results);
	free(buf);
}

/* ---- Deferred calls ---- */

Test(proto_rpc, deferred_single)
{
	struct rpc_error err = { .code = 0 };

	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"id\":\"a\"}\n"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"id\":2}\n"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"defer\"}\n"), "");
	cr_assert_eq(nheld, 3);
	cr_assert_str_eq(json_string_value(rpc_call_id(held[0])), "a");
	cr_assert_eq(json_integer_value(rpc_call_id(held[1])), 2);
	cr_assert_null(rpc_call_id(held[2]), "a notification");
	cr_assert_not(rpc_call_cancelled(held[0]));

	out_len = 0;
	rpc_call_finish(held[1], json_pack("{si}", "pid", 42));
	cr_assert_str_eq(out, "{\"jsonrpc\":\"2.0\",\"result\":{\"pid\":42},\"id\":2}\n");
	out_len = 0;
	rpc_error_set(&err, PROTO_ERR_WORKER, "worker exited with status %d", 3);
	err.data = json_integer(3);
	rpc_call_fail(held[0], &err);
	cr_assert_null(err.data, "taken");
	cr_assert_eq(err.code, 0, "cleared");
	cr_assert_str_eq(out, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32006,\"message\":\"worker exited with status 3\",\"data\":3},\"id\":\"a\"}\n");
	out_len = 0;
	rpc_call_finish(held[2], json_true());
	cr_assert_eq(out_len, 0, "a notification's result goes nowhere");
	cr_assert_eq(nsent, 2);
	nheld = 0;
}

Test(proto_rpc, deferred_in_batch)
{
	cr_assert_str_eq(exchange("[{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"id\":1},"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"get_data\",\"id\":2},"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"id\":3},"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"defer_now\",\"id\":4},"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"defer\"}]\n"), "");
	cr_assert_eq(nheld, 3);
	rpc_call_finish(held[1], json_integer(33));
	rpc_call_finish(held[2], NULL);
	cr_assert_eq(nsent, 0, "the batch waits for its last call");
	rpc_call_finish(held[0], json_integer(11));
	cr_assert_eq(nsent, 1);
	cr_assert_str_eq(out, "[{\"jsonrpc\":\"2.0\",\"result\":[\"hello\",5],\"id\":2},"
			      "{\"jsonrpc\":\"2.0\",\"result\":\"early\",\"id\":4},"
			      "{\"jsonrpc\":\"2.0\",\"result\":33,\"id\":3},"
			      "{\"jsonrpc\":\"2.0\",\"result\":11,\"id\":1}]\n");
	nheld = 0;
}

Test(proto_rpc, deferred_after_close)
{
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"id\":1}\n"
				  "[{\"jsonrpc\":\"2.0\",\"method\":\"defer\",\"id\":2},"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":3}]\n"), "");
	cr_assert_eq(nheld, 2);
	rpc_session_close(sess);	/* the peer hung up */
	sess = NULL;
	cr_assert(rpc_call_cancelled(held[0]));
	cr_assert(rpc_call_cancelled(held[1]));
	rpc_call_finish(held[1], json_string("late"));
	rpc_call_finish(held[0], json_string("late"));	/* frees the session */
	cr_assert_eq(nsent, 0);
	nheld = 0;
}

Test(proto_rpc, close_from_a_handler)
{
	cr_assert_str_eq(exchange("[{\"jsonrpc\":\"2.0\",\"method\":\"nothing\",\"id\":1},"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"close\",\"id\":2},"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"update\",\"params\":{\"n\":1}}]\n"
				  "{\"jsonrpc\":\"2.0\",\"method\":\"update\"}\n"), "");
	cr_assert_null(sess);
	cr_assert_eq(nnotified, 0, "nothing runs after the close");
	cr_assert_eq(nsent, 0);
}

/* ---- The asking side: responses, classification, builders ---- */

static struct rpc_msg seen[4];
static unsigned nseen;

static void on_response(void *ctx, const struct rpc_msg *msg)
{
	cr_assert_lt(nseen, 4);
	seen[nseen] = *msg;
	seen[nseen].id = json_deep_copy(msg->id);	/* the tree goes after the call */
	nseen++;
}

Test(proto_rpc, responses_go_to_the_hook)
{
	static const struct rpc_session_conf with_hook = {
		.methods = methods, .send = capture, .response = on_response,
	};

	rpc_session_close(sess);
	open_session(&with_hook);
	nseen = 0;
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"result\":5,\"id\":9}\n"
				  "[{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"taken\"},\"id\":10},"
				  "{\"jsonrpc\":\"2.0\",\"result\":1,\"error\":{\"code\":1,\"message\":\"x\"},\"id\":11}]\n"),
			 "");
	cr_assert_eq(nseen, 2, "the malformed response is dropped");
	cr_assert_eq(seen[0].kind, RPC_RESPONSE);
	cr_assert_eq(json_integer_value(seen[0].id), 9);
	cr_assert_eq(seen[1].kind, RPC_RESPONSE);
	cr_assert_eq(json_integer_value(seen[1].id), 10);
	cr_assert_eq(seen[1].error_code, PROTO_ERR_VM_EXISTS);
	json_decref(seen[0].id);
	json_decref(seen[1].id);
	/* Without a hook, responses are dropped too: never answered. */
	rpc_session_close(sess);
	open_session(&conf);
	cr_assert_str_eq(exchange("{\"jsonrpc\":\"2.0\",\"result\":5,\"id\":9}\n"
				  "{\"jsonrpc\":\"2.0\",\"error\":7,\"id\":9}\n"), "");
	cr_assert_eq(nsent, 0);
}

static enum rpc_kind classify_text(const char *text, struct rpc_msg *msg, json_t **root)
{
	*root = json_loads(text, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(*root, "%s", text);
	return rpc_classify(*root, msg);
}

Test(proto_rpc, classify)
{
	struct rpc_msg m;
	json_t *root;

	cr_assert_eq(classify_text("{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"params\":{\"x\":1},\"id\":1}", &m, &root),
		     RPC_REQUEST);
	cr_assert_str_eq(m.method, "a");
	cr_assert_eq(json_integer_value(json_object_get(m.params, "x")), 1);
	json_decref(root);
	cr_assert_eq(classify_text("{\"jsonrpc\":\"2.0\",\"method\":\"a\"}", &m, &root), RPC_NOTIFICATION);
	cr_assert_null(m.id);
	cr_assert_null(m.params);
	json_decref(root);
	cr_assert_eq(classify_text("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":null}", &m, &root), RPC_RESPONSE);
	cr_assert(json_is_null(m.result));
	cr_assert_null(m.error);
	json_decref(root);
	cr_assert_eq(classify_text("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"no\",\"data\":[]},\"id\":\"q\"}",
				   &m, &root), RPC_RESPONSE);
	cr_assert_eq(m.error_code, -32601);
	cr_assert_str_eq(m.error_message, "no");
	cr_assert_null(m.result);
	json_decref(root);
}

Test(proto_rpc, classify_bad_responses)
{
	static const struct { const char *text, *why; } cases[] = {
		{ "{\"jsonrpc\":\"2.0\",\"result\":1}", "id: missing or not a string, integer or null" },
		{ "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":1.5}", "id: missing or not a string, integer or null" },
		{ "{\"result\":1,\"id\":1}", "jsonrpc: missing, expected \"2.0\"" },
		{ "{\"jsonrpc\":\"2.0\",\"result\":1,\"error\":null,\"id\":1}", "both result and error" },
		{ "{\"jsonrpc\":\"2.0\",\"error\":\"bad\",\"id\":1}", "error: expected object, got string" },
		{ "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1.5,\"message\":\"x\"},\"id\":1}",
		  "error: expected integer code and string message" },
		{ "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":4294967296,\"message\":\"x\"},\"id\":1}",
		  "error: expected integer code and string message" },
		{ "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1},\"id\":1}",
		  "error: expected integer code and string message" },
		{ "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":1,\"extra\":0}", "extra: unknown member" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rpc_msg m;
		json_t *root;

		cr_assert_eq(classify_text(cases[i].text, &m, &root), RPC_BAD_RESPONSE, "%s", cases[i].text);
		cr_assert_eq(m.why.code, PROTO_ERR_INVALID_REQUEST);
		cr_assert_str_eq(m.why.message, cases[i].why, "%s", cases[i].text);
		json_decref(root);
	}
}

static void assert_line(json_t *msg, const char *want)
{
	char *line;
	size_t len;

	cr_assert_not_null(msg);
	cr_assert_eq(rpc_serialize(msg, 0, &line, &len), 0);
	cr_assert_str_eq(line, want);
	cr_assert_eq(len, strlen(want));
	free(line);
	json_decref(msg);
}

Test(proto_rpc, builders)
{
	assert_line(rpc_request(5, "vm.list", NULL),
		    "{\"jsonrpc\":\"2.0\",\"method\":\"vm.list\",\"id\":5}\n");
	assert_line(rpc_request(-1, "vm.start", json_pack("{ss}", "name", "a\nb")),
		    "{\"jsonrpc\":\"2.0\",\"method\":\"vm.start\",\"params\":{\"name\":\"a\\nb\"},\"id\":-1}\n");
	assert_line(rpc_notification("vm.state", json_pack("{ss}", "state", "stopped")),
		    "{\"jsonrpc\":\"2.0\",\"method\":\"vm.state\",\"params\":{\"state\":\"stopped\"}}\n");
	assert_line(rpc_notification("ping", NULL), "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}\n");
	assert_line(rpc_response_result(NULL, NULL), "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":null}\n");
	assert_line(rpc_response_error(NULL, PROTO_ERR_GUEST_IMAGE, NULL, NULL),
		    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32007,\"message\":\"Bad guest image\"},\"id\":null}\n");
	/* A message that is not UTF-8 falls back on the code's name. */
	assert_line(rpc_response_error(NULL, PROTO_ERR_LIMIT, "bad \xff byte", json_integer(1)),
		    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32005,\"message\":\"Limit reached\",\"data\":1},\"id\":null}\n");
	/* An invalid method name: no message, and params released. */
	cr_assert_null(rpc_request(1, "\xff", json_object()));
}

Test(proto_rpc, serialize_bound)
{
	json_t *m = rpc_response_result(NULL, json_string("0123456789"));
	const char *want = "{\"jsonrpc\":\"2.0\",\"result\":\"0123456789\",\"id\":null}";
	size_t n = strlen(want), len;
	char *line;

	cr_assert_eq(rpc_serialize(m, n, &line, &len), 0, "exactly the limit");
	cr_assert_eq(len, n + 1);
	free(line);
	cr_assert_eq(rpc_serialize(m, n - 1, &line, &len), -EMSGSIZE);
	json_decref(m);
	m = json_string("not a message");
	cr_assert_eq(rpc_serialize(m, 0, &line, &len), -EINVAL);
	json_decref(m);
}

Test(proto_rpc, session_send)
{
	char name[300];

	cr_assert_eq(rpc_session_send(sess, rpc_request(1, "vm.stop", NULL)), 0);
	cr_assert_str_eq(out, "{\"jsonrpc\":\"2.0\",\"method\":\"vm.stop\",\"id\":1}\n");
	rpc_session_close(sess);
	open_session(&small_conf);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_assert_eq(rpc_session_send(sess, rpc_notification(name, NULL)), -EMSGSIZE);
	cr_assert_eq(rpc_session_send(sess, NULL), -ENOMEM);
	cr_assert_eq(nsent, 1);
}

Test(proto_rpc, error_names_and_messages)
{
	struct rpc_error err = { .code = 0 };
	char big[601];
	json_t *s;

	cr_assert_str_eq(rpc_error_name(PROTO_ERR_PARSE), "Parse error");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_INVALID_REQUEST), "Invalid Request");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_METHOD_NOT_FOUND), "Method not found");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_INVALID_PARAMS), "Invalid params");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_INTERNAL), "Internal error");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_NO_SUCH_VM), "No such VM");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_VM_EXISTS), "VM already exists");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_BAD_STATE), "Wrong VM state");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_PERMISSION), "Permission denied");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_BUSY), "Busy");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_LIMIT), "Limit reached");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_WORKER), "Worker failed");
	cr_assert_str_eq(rpc_error_name(PROTO_ERR_GUEST_IMAGE), "Bad guest image");
	cr_assert_str_eq(rpc_error_name(-32099), "Server error");
	cr_assert_str_eq(rpc_error_name(-32100), "Unknown error");
	cr_assert_str_eq(rpc_error_name(0), "Unknown error");
	cr_assert_eq(PROTO_ERR_PARSE, -32700);
	cr_assert_eq(PROTO_ERR_GUEST_IMAGE, -32007);

	/* Cut to the buffer at a character boundary: still valid UTF-8. */
	for (int i = 0; i < 200; i++)
		memcpy(big + 3 * i, "\xe2\x82\xac", 3);	/* the euro sign */
	big[600] = '\0';
	rpc_error_set(&err, PROTO_ERR_INTERNAL, "x%s", big);
	cr_assert_eq(strlen(err.message), 253, "x and 84 whole euro signs");
	s = json_string(err.message);
	cr_assert_not_null(s, "not valid UTF-8");
	json_decref(s);
	err.data = json_object();
	rpc_error_clear(&err);
	cr_assert_null(err.data);
	cr_assert_eq(err.code, 0);
}
