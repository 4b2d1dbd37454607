/* log.h — levelled logging to standard error, plus an async-signal-safe
 * writer for the few places (the SIGSEGV path) that may not call stdio. */
#ifndef HSPT_UTIL_LOG_H
#define HSPT_UTIL_LOG_H

#include <stdint.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Messages above this level are dropped; LOG_INFO unless a program's
 * main() sets another before starting threads. */
void log_set_level(enum log_level level);

/* The name that starts every line ("hspt" unless set; the string must
 * outlive the program's logging), e.g. "hsptd" or "hsptd[vm web]". */
void log_set_ident(const char *ident);

/* Start every line with a syslog priority, "<3>" for errors up to "<7>"
 * for debug, which the journal reads when standard error is connected to
 * it (sd-daemon(3)). Set before starting threads. */
void log_set_syslog_prefix(int on);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Async-signal-safe: writes "hspt: <what> <hex value>\n" with write(2) only.
 * For the fault handler, which must report emulator bugs before aborting. */
void log_raw_hex(const char *what, uint64_t value);

#endif
