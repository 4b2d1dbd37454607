/* console.c — see console.h. */
#include "daemon/console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

/* The terminal settings to restore, for the fatal-signal path. */
static struct termios saved_termios;
static int saved_fd = -1;

static void restore_terminal(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSANOW, &saved_termios);
}

int console_open(struct console *c, int in_fd, int out_fd, void (*quit)(void *), void *opaque)
{
	memset(c, 0, sizeof(*c));
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->quit = quit;
	c->opaque = opaque;
	if (pipe2(c->stop_pipe, O_CLOEXEC) < 0)
		return -errno;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->room_cond, NULL);
	if (isatty(in_fd) && tcgetattr(in_fd, &c->saved) == 0) {
		struct termios raw = c->saved;

		/* Raw: every key goes to the guest (its own tty does the line
		 * editing and signals); output is not post-processed since
		 * the guest's tty already writes CR LF. */
		cfmakeraw(&raw);
		if (tcsetattr(in_fd, TCSANOW, &raw) == 0) {
			c->raw = true;
			saved_termios = c->saved;
			saved_fd = in_fd;
			atexit(restore_terminal);
		}
	}
	return 0;
}

void console_out(void *opaque, uint8_t byte)
{
	struct console *c = opaque;

	/* A console whose reader went away (a closed pipe) loses output,
	 * not the VM: the write error is ignored on purpose. */
	while (write(c->out_fd, &byte, 1) < 0 && errno == EINTR)
		;
}

void console_room(void *opaque)
{
	struct console *c = opaque;

	pthread_mutex_lock(&c->lock);
	c->room = true;
	pthread_cond_signal(&c->room_cond);
	pthread_mutex_unlock(&c->lock);
}

/* Offer bytes to the board until it has taken them all (or the console is
 * closing). */
static void feed(struct console *c, const uint8_t *buf, size_t n)
{
	pthread_mutex_lock(&c->lock);
	while (n && c->board) {
		size_t took;

		c->room = false;
		took = board_console_input(c->board, buf, n);
		buf += took;
		n -= took;
		if (n && !c->room) {
			/* Wait for console_room, but not forever: the receiver
			 * may be disabled while the guest reboots. */
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&c->room_cond, &c->lock, &ts);
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static void help(struct console *c)
{
	static const char msg[] = "\r\nhsptd: C-a x  quit\r\n"
				  "hsptd: C-a C-a  send C-a\r\n"
				  "hsptd: C-a h  this help\r\n";

	if (write(c->out_fd, msg, sizeof(msg) - 1) < 0)
		return;
}

/* Escape-key handling (terminals only); returns false to quit. */
static bool input(struct console *c, const uint8_t *buf, size_t n)
{
	size_t start = 0;

	if (!c->raw) {
		feed(c, buf, n);
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (!c->escape) {
			if (buf[i] == CONSOLE_ESCAPE) {
				feed(c, buf + start, i - start);
				start = i + 1;
				c->escape = true;
			}
			continue;
		}
		c->escape = false;
		start = i + 1;
		switch (buf[i]) {
		case 'x':
		case 'X':
			return false;
		case CONSOLE_ESCAPE:
			feed(c, &buf[i], 1);
			break;
		case 'h':
		case 'H':
		case '?':
			help(c);
			break;
		default:
			break;	/* an unknown escape is dropped */
		}
	}
	feed(c, buf + start, n - start);
	return true;
}

static void *reader_main(void *arg)
{
	struct console *c = arg;
	struct pollfd pfd[2] = {
		{ .fd = c->in_fd, .events = POLLIN },
		{ .fd = c->stop_pipe[0], .events = POLLIN },
	};
	uint8_t buf[256];

	for (;;) {
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("console: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		n = read(c->in_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;	/* end of input: the guest runs on */
		if (!input(c, buf, (size_t)n)) {
			if (c->quit)
				c->quit(c->opaque);
			break;
		}
	}
	return NULL;
}

int console_attach(struct console *c, struct board *b)
{
	int err;

	pthread_mutex_lock(&c->lock);
	c->board = b;
	pthread_cond_signal(&c->room_cond);
	pthread_mutex_unlock(&c->lock);
	if (c->reader_started || !b)
		return 0;
	if ((err = pthread_create(&c->reader, NULL, reader_main, c)))
		return -err;
	c->reader_started = true;
	return 0;
}

void console_close(struct console *c)
{
	if (c->reader_started) {
		/* Wake the reader if it is polling, and unblock a feed(). */
		if (write(c->stop_pipe[1], "", 1) < 0)
			log_warn("console: cannot wake the reader: %s", strerror(errno));
		console_attach(c, NULL);
		pthread_join(c->reader, NULL);
		c->reader_started = false;
	}
	if (c->raw) {
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
		c->raw = false;
		saved_fd = -1;
	}
	close(c->stop_pipe[0]);
	close(c->stop_pipe[1]);
	pthread_cond_destroy(&c->room_cond);
	pthread_mutex_destroy(&c->lock);
}
