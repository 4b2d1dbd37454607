/* client.c — see client.h. */
#include "ctl/client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto/rpc.h"

const char *ctl_default_socket(void)
{
	static char path[108];
	const char *env = getenv("HSPTD_SOCKET"), *run = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (env && *env)
		return env;
	if (getuid() != 0 && run && run[0] == '/' &&
	    snprintf(path, sizeof(path), "%s/hsptd.sock", run) < (int)sizeof(path) &&
	    stat(path, &st) == 0)
		return path;
	return "/run/hsptd/hsptd.sock";
}

int ctl_connect(struct ctl_conn *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	memset(c, 0, sizeof(*c));
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "hsptctl: %s: socket path too long\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		fprintf(stderr, "hsptctl: cannot connect to hsptd at %s: %s\n", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return err;
	}
	frame_reader_init(&c->reader, 0);
	c->responses = json_array();
	return c->responses ? 0 : -ENOMEM;
}

void ctl_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	frame_reader_destroy(&c->reader);
	json_decref(c->responses);
	c->responses = NULL;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

json_int_t ctl_send(struct ctl_conn *c, const char *method, json_t *params)
{
	json_int_t id = ++c->next_id;
	json_t *msg = rpc_request(id, method, params);
	char *line;
	size_t len;
	int rc;

	if (!msg)
		return -ENOMEM;
	rc = rpc_serialize(msg, 0, &line, &len);
	json_decref(msg);
	if (rc)
		return rc;
	rc = write_all(c->fd, line, len);
	free(line);
	return rc ? rc : id;
}

/* One frame from the daemon: a response is kept, a notification goes to
 * the callback; anything else is ignored. */
static void handle_frame(struct ctl_conn *c, const char *line, size_t len)
{
	struct rpc_error err;
	struct rpc_msg msg;
	json_t *root;

	if (rpc_parse(line, len, &root, &err))
		return;
	switch (rpc_classify(root, &msg)) {
	case RPC_RESPONSE:
		json_array_append(c->responses, root);
		break;
	case RPC_NOTIFICATION:
		if (c->on_note)
			c->on_note(c->opaque, msg.method, msg.params);
		break;
	default:
		break;
	}
	json_decref(root);
}

/* Take the kept response to id, if it came. */
static json_t *claim(struct ctl_conn *c, json_int_t id)
{
	size_t i;
	json_t *r;

	json_array_foreach(c->responses, i, r) {
		json_t *rid = json_object_get(r, "id");

		/* A response with id null answers a frame the daemon could not
		 * read at all: it is ours, since we wait for one answer at a time. */
		if (json_is_null(rid) || (json_is_integer(rid) && json_integer_value(rid) == id)) {
			json_incref(r);
			json_array_remove(c->responses, i);
			return r;
		}
	}
	return NULL;
}

json_t *ctl_take_response(struct ctl_conn *c)
{
	json_t *r = json_array_get(c->responses, 0);

	if (!r)
		return NULL;
	json_incref(r);
	json_array_remove(c->responses, 0);
	return r;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

int ctl_pump(struct ctl_conn *c)
{
	static char buf[64 << 10];
	const char *line;
	size_t len;
	ssize_t n;

	do
		n = recv(c->fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n ? -errno : -EPIPE;
	frame_reader_feed(&c->reader, buf, (size_t)n);
	while (frame_reader_next(&c->reader, &line, &len) > 0)
		handle_frame(c, line, len);
	return 0;
}

int ctl_wait(struct ctl_conn *c, json_int_t id, int timeout_ms, json_t **resp)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int left = timeout_ms < 0 ? -1 : (int)(deadline - now_ms());
		int n, rc;

		if ((*resp = claim(c, id)))
			return 1;
		if (timeout_ms >= 0 && left <= 0)
			return 0;
		n = poll(&pfd, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n > 0 && (rc = ctl_pump(c)) < 0)
			return rc;
	}
}

int ctl_call(struct ctl_conn *c, const char *method, json_t *params, json_t **result)
{
	json_int_t id = ctl_send(c, method, params);
	json_t *resp, *error;
	int rc;

	if (id < 0 || (rc = ctl_wait(c, id, -1, &resp)) < 0) {
		fprintf(stderr, "hsptctl: lost the connection to hsptd: %s\n",
			strerror(id < 0 ? (int)-id : -rc));
		return CTL_EXIT_CONNECT;
	}
	if ((error = json_object_get(resp, "error"))) {
		fprintf(stderr, "hsptctl: %s\n", json_string_value(json_object_get(error, "message")));
		json_decref(resp);
		return CTL_EXIT_FAILED;
	}
	*result = json_incref(json_object_get(resp, "result"));
	json_decref(resp);
	return 0;
}
