/* batch.c — running one blob of sequences on both sides: buffers, the
 * hspt child, qemu-arm, deadlines. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/diff/difftest.h"

int buf_put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		uint8_t *p;

		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){ 0 };
}

int buf_read_file(struct buf *b, const char *path)
{
	int fd = open(path, O_RDONLY);
	uint8_t tmp[65536];
	ssize_t n;

	if (fd < 0)
		return -errno;
	b->len = 0;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		if (buf_put(b, tmp, (size_t)n))
			break;
	close(fd);
	return n < 0 ? -errno : 0;
}

int buf_write_file(const struct buf *b, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < b->len) {
		ssize_t n = write(fd, b->p + off, b->len - off);

		if (n <= 0) {
			close(fd);
			return n < 0 ? -errno : -EIO;
		}
		off += (size_t)n;
	}
	return close(fd) ? -errno : 0;
}

int blob_add(struct buf *blob, const struct gen_seq *s)
{
	static const uint8_t zero[4];
	int err = buf_put(blob, &s->in, sizeof(s->in));

	if (!err)
		err = buf_put(blob, s->code, s->in.code_len);
	if (!err)
		err = buf_put(blob, zero, (4 - (s->in.code_len & 3)) & 3);
	if (!err && (s->in.flags & DIFF_F_MEM))
		err = buf_put(blob, s->mem, DIFF_SCRATCH_SIZE);
	return err;
}

void batch_outputs_free(struct outputs *out)
{
	buf_free(&out->q);
	buf_free(&out->h);
}

static pid_t spawn_hspt(const struct diff_ctx *c, const struct buf *blob, const char *out_path)
{
	pid_t pid = fork();

	if (pid == 0) {
		char err[256] = "";
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/* The driver's handlers only set a flag: let ^C end this side. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);

		if (fd < 0)
			_exit(3);
		if (runner_run(c->image, c->o.org, blob->p, blob->len, fd, err, sizeof(err))) {
			/* The reason goes to a side file the parent reads. */
			char p[640];
			int e;

			snprintf(p, sizeof(p), "%s.err", out_path);
			e = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (e >= 0 && write(e, err, strlen(err)) < 0)
				_exit(5);
			_exit(4);
		}
		close(fd);
		_exit(0);
	}
	return pid;
}

/* Wait for pid until deadline (CLOCK_MONOTONIC seconds); kill it then. */
static void wait_child(pid_t pid, double deadline, bool *ok, char *why, size_t len)
{
	int st;

	*ok = false;
	for (;;) {
		struct timespec now, nap = { 0, 2000000 };
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec + now.tv_nsec * 1e-9 > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			snprintf(why, len, "timed out (killed)");
			return;
		}
		nanosleep(&nap, NULL);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		*ok = true;
	else if (WIFEXITED(st))
		snprintf(why, len, "exited with status %d", WEXITSTATUS(st));
	else
		snprintf(why, len, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
}

double batch_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Run blob under qemu-arm and (unless qemu_only) hspt, concurrently. */
int batch_run(struct diff_ctx *c, const struct buf *blob, unsigned nseq, struct outputs *out)
{
	char in_path[600], q_path[600], h_path[600];
	double deadline = batch_now() + 60 + nseq * 0.02;
	pid_t qpid, hpid = -1;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(in_path, sizeof(in_path), "%s/blob.bin", c->dir);
	snprintf(q_path, sizeof(q_path), "%s/qemu.out", c->dir);
	snprintf(h_path, sizeof(h_path), "%s/hspt.out", c->dir);
	err = buf_write_file(blob, in_path);
	if (err) {
		fprintf(stderr, "difftest: %s: %s\n", in_path, strerror(-err));
		return -1;
	}
	err = qemu_spawn(c->o.qemu, c->image, in_path, q_path, &qpid);
	if (err) {
		fprintf(stderr, "difftest: cannot run %s: %s (scripts/deps.sh installs qemu-user)\n",
			c->o.qemu, strerror(-err));
		return -1;
	}
	if (!c->o.qemu_only) {
		fflush(NULL);
		hpid = spawn_hspt(c, blob, h_path);
		if (hpid < 0)
			fprintf(stderr, "difftest: fork: %s\n", strerror(errno));
	}
	wait_child(qpid, deadline, &out->q_ok, out->q_why, sizeof(out->q_why));
	if (hpid > 0) {
		char e_path[640];
		struct buf e = { 0 };

		wait_child(hpid, deadline, &out->h_ok, out->h_why, sizeof(out->h_why));
		snprintf(e_path, sizeof(e_path), "%s.err", h_path);
		if (!out->h_ok && !buf_read_file(&e, e_path) && e.len && !buf_put(&e, "", 1))
			snprintf(out->h_why, sizeof(out->h_why), "%.*s", (int)strcspn((char *)e.p, "\n"),
				 (char *)e.p);
		unlink(e_path);
		buf_free(&e);
		buf_read_file(&out->h, h_path);
	}
	buf_read_file(&out->q, q_path);
	return 0;
}

const struct diff_out *batch_record(const struct buf *b, unsigned i)
{
	size_t off = (size_t)i * sizeof(struct diff_out);

	if (off + sizeof(struct diff_out) > b->len)
		return NULL;
	return (const struct diff_out *)(b->p + off);
}

