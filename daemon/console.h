/* console.h — the guest console on the host's standard input and output,
 * for `hsptd run` (like `qemu-system-arm -nographic` or `lkvm run`).
 *
 * Output goes to out_fd byte by byte as the guest writes it. Input is read
 * by a thread and fed to the board's UART, waiting for room rather than
 * dropping bytes. When the input is a terminal it is put in raw mode
 * (restored by console_close, also after a fatal signal) and the escape
 * key works: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A h helps.
 * End of input (a closed pipe, /dev/null) just stops reading. */
#ifndef HSPT_DAEMON_CONSOLE_H
#define HSPT_DAEMON_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "machine/board.h"

#define CONSOLE_ESCAPE 0x01	/* Ctrl-A */

struct console {
	int in_fd, out_fd;
	bool raw;			/* in_fd is a terminal in raw mode */
	struct termios saved;
	int stop_pipe[2];		/* wakes the reader to end it */
	pthread_t reader;
	bool reader_started;
	struct board *board;		/* set by console_attach */
	pthread_mutex_t lock;		/* protects board and room */
	pthread_cond_t room_cond;
	bool room;			/* the UART took back-pressure off */
	bool escape;			/* the last input byte was the escape key */
	/* The user typed the quit sequence. Called on the reader thread. */
	void (*quit)(void *opaque);
	void *opaque;
};

/* Prepare the console on in_fd/out_fd (raw mode if in_fd is a terminal).
 * 0 or -errno. */
int console_open(struct console *c, int in_fd, int out_fd, void (*quit)(void *), void *opaque);
/* Feed input to this board from now on (NULL: hold input back), and start
 * the reader thread the first time. 0 or -errno. */
int console_attach(struct console *c, struct board *b);
/* Stop the reader and restore the terminal. */
void console_close(struct console *c);

/* Board callbacks (board_config.console_out/console_room, opaque = the
 * struct console). */
void console_out(void *opaque, uint8_t byte);
void console_room(void *opaque);

#endif
