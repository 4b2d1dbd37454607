/* log.c — see log.h. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum log_level max_level = LOG_INFO;
static const char *ident = "hspt";
static int syslog_prefix;

/* syslog priorities: err, warning, info, debug. */
static const char *const level_prefixes[] = {
	[LOG_ERROR] = "<3>",
	[LOG_WARN] = "<4>",
	[LOG_INFO] = "<6>",
	[LOG_DEBUG] = "<7>",
};

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	max_level = level;
}

void log_set_ident(const char *name)
{
	ident = name;
}

void log_set_syslog_prefix(int on)
{
	syslog_prefix = on;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (level > max_level)
		return;
	n = snprintf(buf, sizeof(buf), "%s%s: %s: ", syslog_prefix ? level_prefixes[level] : "",
		     ident, level_names[level]);
	if (n < 0 || (size_t)n >= sizeof(buf) / 2)
		n = 0;	/* an absurd ident: keep the message */
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* One write per message so that lines from several threads never
	 * interleave mid-line. */
	n = (int)strlen(buf);
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		return; /* nowhere left to report a failure to report */
}

void log_raw_hex(const char *what, uint64_t value)
{
	static const char digits[] = "0123456789abcdef";
	char buf[256];
	size_t n = 0, len = strlen(what);

	memcpy(buf, "hspt: ", 6);
	n = 6;
	if (len > sizeof(buf) - 32)
		len = sizeof(buf) - 32;
	memcpy(buf + n, what, len);
	n += len;
	buf[n++] = ' ';
	buf[n++] = '0';
	buf[n++] = 'x';
	for (int shift = 60; shift >= 0; shift -= 4)
		buf[n++] = digits[(value >> shift) & 0xf];
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}
