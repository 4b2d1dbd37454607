/* pl031.c — PL031 real-time clock (see pl031.h).
 *
 * Matching is done over intervals rather than by equality at one instant:
 * each check asks whether RTCMR lies in (checked, now], the counter values
 * passed since the last check. So a match is never lost however rarely the
 * board ticks; ticks only bound how late the interrupt is. A counter that
 * goes backwards (RTCLR, the host clock being set back) only matches if it
 * lands exactly on RTCMR. */
#include "machine/pl031.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

#define RTCDR		0x00
#define RTCMR		0x04
#define RTCLR		0x08
#define RTCCR		0x0c
#define RTCIMSC		0x10
#define RTCRIS		0x14
#define RTCMIS		0x18
#define RTCICR		0x1c
#define RTC_ID_BASE	0xfe0

#define RTC_INT		1u	/* the one interrupt bit of IMSC/RIS/MIS/ICR */
#define NS_PER_SEC	1000000000

/* PeriphID 0x00041031 (part 0x031, designer ARM, revision 0) and the
 * PrimeCell ID 0xb105f00d, which the AMBA bus probes. */
static const uint8_t id_regs[8] = { 0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* Whole host seconds, rounding towards minus infinity. */
static int64_t host_seconds(const struct pl031 *r)
{
	int64_t ns = r->host_ns();
	int64_t s = ns / NS_PER_SEC;

	return ns % NS_PER_SEC < 0 ? s - 1 : s;
}

static uint32_t counter(const struct pl031 *r)
{
	return (uint32_t)(host_seconds(r) + r->offset);
}

static void update_irq(struct pl031 *r)
{
	bool level = (r->ris & r->imsc) != 0;

	if (level != r->level) {
		r->level = level;
		irq_set(&r->irq, level);
	}
}

static void check_match(struct pl031 *r)
{
	uint32_t now = counter(r);
	uint32_t passed = now - r->checked;

	if (passed == 0)
		return;
	if ((int32_t)passed > 0 ? r->mr - r->checked - 1 < passed : now == r->mr)
		r->ris |= RTC_INT;
	r->checked = now;
	update_irq(r);
}

static uint32_t read_reg(struct pl031 *r, unsigned reg)
{
	switch (reg) {
	case RTCDR:
		return counter(r);
	case RTCMR:
		return r->mr;
	case RTCLR:
		return r->lr;
	case RTCCR:
		return 1;	/* started, for good (see pl031.h) */
	case RTCIMSC:
		return r->imsc;
	case RTCRIS:
		return r->ris;
	case RTCMIS:
		return r->ris & r->imsc;
	default:
		if (reg >= RTC_ID_BASE)
			return id_regs[(reg - RTC_ID_BASE) / 4];
		return 0;	/* ICR (write-only), test registers, reserved */
	}
}

static void write_reg(struct pl031 *r, unsigned reg, uint32_t v)
{
	switch (reg) {
	case RTCLR:
		r->lr = v;
		r->offset = (int64_t)v - host_seconds(r);
		/* Only the value just loaded is "passed": jumping over RTCMR
		 * is not a match. */
		r->checked = v - 1;
		break;
	case RTCMR:
		r->mr = v;
		r->checked = counter(r) - 1;	/* a match now counts */
		break;
	case RTCIMSC:
		r->imsc = v & RTC_INT;
		break;
	case RTCICR:
		r->ris &= ~(v & RTC_INT);
		break;
	default:
		return;	/* RTCCR (a started RTC ignores 0), read-only: WI */
	}
	update_irq(r);
}

/* 32-bit registers; narrower accesses see the addressed bytes. */
static int rtc_read(void *opaque, unsigned cpu, uint64_t offset, unsigned size, uint64_t *val)
{
	struct pl031 *r = opaque;
	uint32_t v;

	if (offset >= PL031_SIZE || size > 4 || (offset & (size - 1)))
		return -1;
	pthread_mutex_lock(&r->lock);
	check_match(r);
	v = read_reg(r, (unsigned)offset & ~3u) >> (8 * (offset & 3));
	pthread_mutex_unlock(&r->lock);
	*val = size == 4 ? v : v & ((1u << (8 * size)) - 1);
	return 0;
}

static int rtc_write(void *opaque, unsigned cpu, uint64_t offset, unsigned size, uint64_t val)
{
	struct pl031 *r = opaque;

	if (offset >= PL031_SIZE || size > 4 || (offset & 3))
		return -1;
	if (size < 4)
		val &= (1u << (8 * size)) - 1;
	pthread_mutex_lock(&r->lock);
	check_match(r);
	write_reg(r, (unsigned)offset, (uint32_t)val);
	check_match(r);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

const struct mmio_ops pl031_ops = {
	.name = "pl031",
	.read = rtc_read,
	.write = rtc_write,
};

void pl031_tick(struct pl031 *r)
{
	pthread_mutex_lock(&r->lock);
	check_match(r);
	pthread_mutex_unlock(&r->lock);
}

int64_t pl031_next_match_ns(struct pl031 *r)
{
	int64_t sec, when;
	uint32_t ahead;

	pthread_mutex_lock(&r->lock);
	if (!r->imsc) {
		when = INT64_MAX;
	} else {
		sec = host_seconds(r);
		ahead = r->mr - (uint32_t)(sec + r->offset);

		when = (sec + (ahead ? ahead : 1ll << 32)) * NS_PER_SEC;
	}
	pthread_mutex_unlock(&r->lock);
	return when;
}

int pl031_init(struct pl031 *r, struct irq_line irq)
{
	int err;

	memset(r, 0, sizeof(*r));
	err = pthread_mutex_init(&r->lock, NULL);
	if (err) {
		log_error("pl031: mutex: %s", strerror(err));
		return -err;
	}
	r->irq = irq;
	r->host_ns = realtime_ns;
	r->checked = counter(r);
	return 0;
}

void pl031_destroy(struct pl031 *r)
{
	pthread_mutex_destroy(&r->lock);
}
