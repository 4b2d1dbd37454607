/*
 * hspt-clock-check — is the guest's time right? Run by the guest's /init
 * (scripts/guest-init.sh, hspt.workload=smp; tests/boot/README.md).
 *
 *   hspt-clock-check [--hosttime SECONDS] [--slack SECONDS]
 *
 * Checks, each against something the guest cannot fake by itself:
 *
 *  - date: the wall clock (set from the PL031 RTC at boot, then advanced
 *    by the generic timer's counter) is no earlier than the host time the
 *    harness passed on the command line (hspt.hosttime=), and no later than
 *    that plus the guest's uptime plus --slack (default 300 s: the time
 *    the emulator takes before the kernel's clock starts, which includes
 *    the zImage decompressing itself, is unknown here; the harness checks
 *    the exact upper bound, the host's time when the guest has finished);
 *  - counter rate: the wall clock still agrees with the RTC to 2 s, after
 *    the whole boot; and between two RTC edges (polled every 5 ms) 2 or 3
 *    s apart, during the two checks below, CLOCK_MONOTONIC advances at
 *    the RTC's rate +- 10% (a wrong counter frequency is off by far more);
 *  - sleep: nanosleep(1 s) returns after 1.0 to 1.5 s (the timer interrupt
 *    that ends it arrives, and in time);
 *  - HZ: busy on one CPU for 1 s, from a tick to a tick, jiffies advance
 *    at one of the kernel's HZ values (100, 250, 300, 1000) to within 8%,
 *    and that CPU takes at least 0.7 times HZ arch_timer interrupts a
 *    second of the time it ran (the tick is not stopped on a busy CPU, so
 *    each jiffy is a timer interrupt; time the host took the vCPU away
 *    shows as gaps in the clock and is left out), and at most twice HZ a
 *    second of real time (more is a timer line that does not go down).
 *
 * Prints "hspt-clock: date D host H uptime U rtc R", then
 * "hspt-clock: PASS ..." or "hspt-clock: FAIL ..." (exit status 0 or 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RTC_PATH	"/sys/class/rtc/rtc0/since_epoch"

static unsigned failures;
static char first_failure[160];

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (failures++ == 0)
		vsnprintf(first_failure, sizeof(first_failure), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	fputs("hspt-clock: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long read_number(const char *path, const char *key)
{
	char line[256];
	long long v = -1;
	size_t klen = strlen(key);
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) == 0) {
			v = strtoll(line + klen, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static long long rtc_seconds(void)
{
	return read_number(RTC_PATH, "");
}

/* CPU's count on the arch_timer line of /proc/interrupts, or -1. */
static long long timer_irqs(int cpu)
{
	char line[512];
	long long v = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!p || !strstr(line, "arch_timer"))
			continue;
		for (int c = 0; c <= cpu && p; c++)
			v = strtoll(p + 1, &p, 10);
		break;
	}
	fclose(f);
	return v;
}

/* Polls the RTC until its second changes; returns the new second. */
static long long rtc_edge(double *mono)
{
	long long start = rtc_seconds(), now;
	double limit = clock_s(CLOCK_MONOTONIC) + 3.0;
	struct timespec poll = { .tv_sec = 0, .tv_nsec = 5000000 };

	do {
		nanosleep(&poll, NULL);
		now = rtc_seconds();
		*mono = clock_s(CLOCK_MONOTONIC);
	} while (now == start && *mono < limit);
	return now == start ? -1 : now;
}

static void check_date(long long host, double slack, double *uptime)
{
	double date = clock_s(CLOCK_REALTIME);
	long long rtc = rtc_seconds();

	*uptime = clock_s(CLOCK_BOOTTIME);
	printf("hspt-clock: date %.0f host %lld uptime %.2f rtc %lld\n", date, host, *uptime, rtc);
	if (rtc < 0)
		fail("cannot read the RTC (%s)", RTC_PATH);
	else if (date < rtc - 2 || date > rtc + 2)
		fail("date %.0f and RTC %lld differ by more than 2 s", date, rtc);
	if (host > 0 && date < host - 2)
		fail("date %.0f is %.0f s before the host's %lld", date, host - date, host);
	if (host > 0 && date > host + *uptime + slack)
		fail("date %.0f is %.0f s after the host's %lld (uptime %.1f s)", date, date - host, host, *uptime);
}

static double check_sleep(void)
{
	struct timespec one = { .tv_sec = 1, .tv_nsec = 0 };
	double t0 = clock_s(CLOCK_MONOTONIC), took;

	while (nanosleep(&one, &one) < 0 && errno == EINTR)
		;
	took = clock_s(CLOCK_MONOTONIC) - t0;
	if (took < 1.0 || took > 1.5)
		fail("sleep 1 took %.3f s", took);
	return took;
}

struct hz_sample {
	double jiffies;		/* a second */
	double irqs;		/* arch_timer interrupts on the CPU a second of run time */
	double run;		/* seconds the sample ran, out of about 1 */
	int hz;			/* the kernel HZ value jiffies match, or 0 */
	int tries;		/* samples taken */
};

/*
 * Spins until CPU's arch_timer count changes, for up to 0.5 s: just after
 * a tick, when jiffies are up to date (the busy CPU keeps them). Returns
 * the new count, or -1.
 */
static long long next_tick(int cpu)
{
	long long i0 = timer_irqs(cpu), i;
	double limit = clock_s(CLOCK_MONOTONIC) + 0.5;

	do
		i = timer_irqs(cpu);
	while (i == i0 && i0 >= 0 && clock_s(CLOCK_MONOTONIC) < limit);
	return i == i0 ? -1 : i;
}

/*
 * Busy for 1 s on CPU, from a tick to a tick. A host that deschedules the
 * vCPU shows as gaps in the guest's clock readings, during which at most
 * one (late) timer interrupt arrives; the interrupt rate is taken over the
 * time without such gaps. Returns 0 if S looks like a tick at S->hz, -1 if
 * not, -2 if the counts cannot be read.
 */
static int hz_sample(int cpu, struct hz_sample *s)
{
	static const int hz_values[] = { 100, 250, 300, 1000 };
	long long i0 = next_tick(cpu), j0 = read_number("/proc/timer_list", "jiffies: ");
	double t0 = clock_s(CLOCK_MONOTONIC), prev = t0, t, stolen = 0;

	while ((t = clock_s(CLOCK_MONOTONIC)) - t0 < 1.0) {
		if (t - prev > 0.002)
			stolen += t - prev;
		prev = t;
	}
	long long i1 = next_tick(cpu), j1 = read_number("/proc/timer_list", "jiffies: ");

	t = clock_s(CLOCK_MONOTONIC);
	if (i0 < 0 || i1 < 0 || j0 < 0 || j1 < 0)
		return -2;
	s->run = t - t0 - stolen;
	s->jiffies = (j1 - j0) / (t - t0);
	s->irqs = (i1 - i0) / s->run;
	s->hz = 0;
	/* 8% keeps 250 and 300 apart. */
	for (unsigned k = 0; k < sizeof(hz_values) / sizeof(hz_values[0]); k++)
		if (s->jiffies > hz_values[k] * 0.92 && s->jiffies < hz_values[k] * 1.08)
			s->hz = hz_values[k];
	if (s->hz == 0 || s->run < 0.25)
		return -1;
	return s->irqs >= 0.7 * s->hz && (i1 - i0) / (t - t0) <= 2.0 * s->hz + 50 ? 0 : -1;
}

/*
 * The HZ check, on the CPU this runs on. Three tries: a host so busy that
 * the vCPU runs less than a quarter of a second spoils a sample; a tick
 * that is really wrong spoils all three.
 */
static void check_hz(struct hz_sample *s, int *cpu_out)
{
	int cpu = sched_getcpu(), rc = -1;
	cpu_set_t set;

	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	if (cpu < 0 || sched_setaffinity(0, sizeof(set), &set) < 0) {
		fail("cannot pin to a CPU: %s", strerror(errno));
		return;
	}
	*cpu_out = cpu;
	for (s->tries = 1; s->tries <= 3; s->tries++) {
		rc = hz_sample(cpu, s);
		if (rc != -1)
			break;
	}
	if (rc == 0)
		return;
	if (rc == -2)
		fail("cannot read jiffies (/proc/timer_list) or arch_timer (/proc/interrupts)");
	else if (s->hz == 0)
		fail("jiffies advance %.1f/s, not a kernel HZ value", s->jiffies);
	else if (s->run < 0.25)
		fail("the vCPU ran only %.2f s of each second", s->run);
	else
		fail("cpu %d took %.1f timer interrupts/s while busy (over %.2f s of run time); HZ is %d",
		     cpu, s->irqs, s->run, s->hz);
}

/* Counter rate: CLOCK_MONOTONIC between two RTC edges M0/R0 and M1/R1. */
static double check_rate(double m0, long long r0, double m1, long long r1)
{
	double ratio;

	if (r0 < 0 || r1 < 0) {
		fail("the RTC did not advance within 3 s");
		return 0;
	}
	ratio = (m1 - m0) / (double)(r1 - r0);
	if (ratio < 0.9 || ratio > 1.1)
		fail("CLOCK_MONOTONIC advanced %.3f s over %lld RTC seconds", m1 - m0, r1 - r0);
	return ratio;
}

int main(int argc, char **argv)
{
	long long host = 0;
	double slack = 300, uptime, ratio, took, m0 = 0, m1 = 0;
	struct hz_sample hz = { .hz = 0 };
	long long r0, r1 = -1;
	int cpu = -1;

	/* Lines in order with stderr's when /init pipes them through tee. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--hosttime") == 0 && i + 1 < argc) {
			host = atoll(argv[++i]);
		} else if (strcmp(argv[i], "--slack") == 0 && i + 1 < argc) {
			slack = atof(argv[++i]);
		} else {
			fprintf(stderr, "usage: hspt-clock-check [--hosttime SECONDS] [--slack SECONDS]\n");
			return 2;
		}
	}
	check_date(host, slack, &uptime);
	/* The sleep and HZ checks take 2 s or more: the rate's time base. */
	r0 = rtc_edge(&m0);
	took = check_sleep();
	check_hz(&hz, &cpu);
	if (r0 >= 0)
		r1 = rtc_edge(&m1);
	ratio = check_rate(m0, r0, m1, r1);
	if (failures) {
		if (failures > 1)
			printf("hspt-clock: FAIL %s (and %u more)\n", first_failure, failures - 1);
		else
			printf("hspt-clock: FAIL %s\n", first_failure);
		return 1;
	}
	printf("hspt-clock: PASS date within %s, counter/RTC %.3f, sleep 1 took %.3f s, "
	       "HZ %d (%.1f jiffies/s, %.1f timer irqs/s on cpu %d over %.2f s of run time, try %d)\n",
	       host > 0 ? "host time + uptime" : "RTC", ratio, took, hz.hz, hz.jiffies, hz.irqs, cpu, hz.run, hz.tries);
	return 0;
}
