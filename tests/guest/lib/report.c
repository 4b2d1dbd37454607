/* report.c — output and check bookkeeping, through the hspt test device
 * (or, built with -DGUEST_QEMU, QEMU virt's PL011 and semihosting). */
#include "guest.h"

#ifdef GUEST_QEMU
#define UART_DR 0x09000000u

void print_char(char c)
{
	wr32(UART_DR, (uint8_t)c);
}

/* Semihosting SYS_EXIT_EXTENDED: the status reaches QEMU's exit code. */
void test_exit(uint32_t status)
{
	static volatile uint32_t block[2];
	register uint32_t r0 __asm__("r0") = 0x20;
	register volatile uint32_t *r1 __asm__("r1") = block;

	block[0] = 0x20026;	/* ADP_Stopped_ApplicationExit */
	block[1] = status;
	__asm__ volatile("svc #0x123456" : : "r"(r0), "r"(r1) : "memory");
	for (;;)
		;
}
#else
/* The device wants 32-bit accesses: volatile word stores are STRs. */
void print_char(char c)
{
	wr32(TESTDEV_BASE + TESTDEV_PUTC, (uint8_t)c);
}

void test_exit(uint32_t status)
{
	wr32(TESTDEV_BASE + TESTDEV_EXIT, status);
	for (;;)
		;
}
#endif

void print_str(const char *s)
{
	while (*s)
		print_char(*s++);
}

void print_hex(uint32_t v)
{
	print_str("0x");
	for (int i = 28; i >= 0; i -= 4)
		print_char("0123456789abcdef"[(v >> i) & 15u]);
}

void print_hex64(uint64_t v)
{
	print_hex((uint32_t)(v >> 32));
	print_char('_');
	for (int i = 28; i >= 0; i -= 4)
		print_char("0123456789abcdef"[((uint32_t)v >> i) & 15u]);
}

static void print_num(uint32_t n)
{
	char buf[12];
	int i = 0;

	/* No divide instruction in plain ARMv7-A: subtract powers of ten. */
	static const uint32_t pow10[] = { 1000000000u, 100000000u, 10000000u, 1000000u,
					  100000u, 10000u, 1000u, 100u, 10u, 1u };
	for (unsigned p = 0; p < 10; p++) {
		char d = '0';

		while (n >= pow10[p]) {
			n -= pow10[p];
			d++;
		}
		if (d != '0' || i || p == 9)
			buf[i++] = d;
	}
	buf[i] = 0;
	print_str(buf);
}

void pass(void)
{
	print_str("PASS\n");
	test_exit(0);
}

void fail(uint32_t code)
{
	if (code == 0 || code > 255)
		code = 255;
	print_str("FAIL status ");
	print_num(code);
	print_char('\n');
	test_exit(code);
}

static uint32_t checks_run, first_failure;

void check_group(const char *title)
{
	print_str("-- ");
	print_str(title);
	print_char('\n');
}

static void check_head(bool ok, const char *name)
{
	checks_run++;
	if (!ok && !first_failure)
		first_failure = checks_run;
	print_str(ok ? "ok " : "FAIL ");
	print_num(checks_run);
	print_char(' ');
	print_str(name);
}

bool check_true(const char *name, bool ok)
{
	check_head(ok, name);
	print_char('\n');
	return ok;
}

bool check_eq(const char *name, uint32_t got, uint32_t want)
{
	bool ok = got == want;

	check_head(ok, name);
	if (ok) {
		print_str(" = ");
		print_hex(got);
	} else {
		print_str(": got ");
		print_hex(got);
		print_str(" want ");
		print_hex(want);
	}
	print_char('\n');
	return ok;
}

bool check_eq64(const char *name, uint64_t got, uint64_t want)
{
	bool ok = got == want;

	check_head(ok, name);
	if (ok) {
		print_str(" = ");
		print_hex64(got);
	} else {
		print_str(": got ");
		print_hex64(got);
		print_str(" want ");
		print_hex64(want);
	}
	print_char('\n');
	return ok;
}

bool check_bits(const char *name, uint32_t got, uint32_t mask, uint32_t want)
{
	bool ok = (got & mask) == (want & mask);

	check_head(ok, name);
	print_str(ok ? " = " : ": got ");
	print_hex(got);
	if (!ok) {
		print_str(" want ");
		print_hex(want & mask);
		print_str(" in mask ");
		print_hex(mask);
	}
	print_char('\n');
	return ok;
}

void note(const char *name, uint32_t value)
{
	print_str("   ");
	print_str(name);
	print_str(" = ");
	print_hex(value);
	print_char('\n');
}

void checks_finish(void)
{
	print_num(checks_run);
	print_str(" checks\n");
	if (first_failure)
		fail(first_failure > 250 ? 250 : first_failure);
	pass();
}

const char *str_cat(const char *a, const char *b)
{
	static char bufs[4][96];
	static unsigned next;
	char *d = bufs[next++ & 3u];
	unsigned i = 0;

	while (*a && i < sizeof(bufs[0]) - 1)
		d[i++] = *a++;
	while (*b && i < sizeof(bufs[0]) - 1)
		d[i++] = *b++;
	d[i] = 0;
	return d;
}
