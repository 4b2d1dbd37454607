/* test_pl031.c — the PL031 RTC model (machine/pl031.c) through its MMIO
 * ops and a recording interrupt line; most tests drive a fake host clock
 * through the model's host_ns hook so that they need not wait. */
#include <criterion/criterion.h>
#include <time.h>

#include "machine/pl031.h"

enum { DR = 0x00, MR = 0x04, LR = 0x08, CR = 0x0c, IMSC = 0x10, RIS = 0x14, MIS = 0x18, ICR = 0x1c };

static struct pl031 r;
static bool irq_level;
static int64_t fake_ns;

static void rec_irq(void *opaque, unsigned n, bool level)
{
	cr_assert_neq(irq_level, level, "interrupt driven to the level it had");
	irq_level = level;
}

static int64_t fake_clock(void)
{
	return fake_ns;
}

static uint32_t rd(unsigned off)
{
	uint64_t v = 0xdeadbeef;

	cr_assert_eq(pl031_ops.read(&r, 0, off, 4, &v), 0, "read %#x", off);
	return (uint32_t)v;
}

static void wr(unsigned off, uint32_t v)
{
	cr_assert_eq(pl031_ops.write(&r, 0, off, 4, v), 0, "write %#x", off);
}

static void setup(void)
{
	struct irq_line irq = { .set = rec_irq, .opaque = NULL, .n = 2 };

	irq_level = false;
	cr_assert_eq(pl031_init(&r, irq), 0);
}

/* Fake clock at host second 5.25, counter loaded with 1000. */
static void setup_fake(void)
{
	setup();
	fake_ns = 5250000000;
	r.host_ns = fake_clock;
	wr(LR, 1000);
	cr_assert_eq(rd(DR), 1000);
}

static void advance(int64_t sec)
{
	fake_ns += sec * 1000000000;
}

Test(pl031, identification)
{
	uint32_t pid = 0, cid = 0;
	uint64_t v;

	setup();
	for (unsigned i = 0; i < 4; i++) {
		pid |= (rd(0xfe0 + 4 * i) & 0xff) << (8 * i);
		cid |= (rd(0xff0 + 4 * i) & 0xff) << (8 * i);
	}
	cr_assert_eq(pid, 0x00041031);
	cr_assert_eq(cid, 0xb105f00d);
	cr_assert_eq(rd(CR), 1, "started");
	wr(CR, 0);
	cr_assert_eq(rd(CR), 1, "a started RTC cannot be stopped");
	cr_assert_eq(rd(IMSC), 0);
	cr_assert_eq(rd(RIS), 0);
	cr_assert_eq(pl031_ops.read(&r, 0, DR, 8, &v), -1);
	cr_assert_eq(pl031_ops.read(&r, 0, DR + 2, 4, &v), -1);
	cr_assert_eq(pl031_ops.write(&r, 0, PL031_SIZE, 4, 0), -1);
	pl031_destroy(&r);
}

Test(pl031, counts_host_time)
{
	time_t before, after;
	uint32_t dr;

	setup();
	before = time(NULL);
	dr = rd(DR);
	after = time(NULL);
	cr_assert(dr >= (uint32_t)before && dr <= (uint32_t)after,
		  "RTCDR %u is the host's time (%ld..%ld)", dr, (long)before, (long)after);
	pl031_destroy(&r);
}

Test(pl031, load_sets_an_offset)
{
	setup_fake();
	cr_assert_eq(rd(LR), 1000, "RTCLR reads back the last load");
	advance(3);
	cr_assert_eq(rd(DR), 1003, "and the counter runs from it");
	fake_ns += 740000000;	/* 8.99 s: not yet a new second */
	cr_assert_eq(rd(DR), 1003);
	fake_ns += 10000000;
	cr_assert_eq(rd(DR), 1004);

	/* Loading real time, as Linux's set_time does. */
	pl031_destroy(&r);
	setup();
	wr(LR, 0x12345678);
	cr_assert_geq(rd(DR), 0x12345678);
	cr_assert_leq(rd(DR), 0x12345679);
	pl031_destroy(&r);
}

Test(pl031, match_interrupt)
{
	setup_fake();
	wr(MR, 1002);
	wr(IMSC, 1);
	advance(1);
	pl031_tick(&r);
	cr_assert_not(irq_level, "1001: not yet");
	cr_assert_eq(rd(RIS), 0);
	advance(1);
	pl031_tick(&r);
	cr_assert(irq_level, "1002: match");
	cr_assert_eq(rd(RIS), 1);
	cr_assert_eq(rd(MIS), 1);
	wr(ICR, 1);
	cr_assert_not(irq_level);
	cr_assert_eq(rd(RIS), 0);
	advance(5);
	pl031_tick(&r);
	cr_assert_not(irq_level, "a match happens once");

	/* Ticks that come late still see a match that was passed. */
	wr(MR, 1010);
	advance(20);
	pl031_tick(&r);
	cr_assert(irq_level);
	wr(ICR, 1);

	/* Masked: raw status only. */
	wr(IMSC, 0);
	wr(MR, rd(DR) + 1);
	advance(1);
	cr_assert_eq(rd(RIS), 1, "found on a register read, no tick needed");
	cr_assert_eq(rd(MIS), 0);
	cr_assert_not(irq_level);
	wr(IMSC, 1);
	cr_assert(irq_level);
	wr(ICR, 1);

	/* A match register equal to the counter now matches now. */
	wr(MR, rd(DR));
	cr_assert(irq_level);
	wr(ICR, 1);
	pl031_destroy(&r);
}

Test(pl031, loads_jump_over_the_match)
{
	setup_fake();
	wr(IMSC, 1);
	wr(MR, 2000);
	wr(LR, 2005);
	pl031_tick(&r);
	cr_assert_not(irq_level, "loading past RTCMR is not a match");
	wr(LR, 1999);
	advance(1);
	pl031_tick(&r);
	cr_assert(irq_level, "counting up to it is");
	wr(ICR, 1);
	wr(LR, 2000);
	cr_assert(irq_level, "loading the match value itself is");
	pl031_destroy(&r);
}

Test(pl031, next_match_deadline)
{
	setup_fake();
	cr_assert_eq(pl031_next_match_ns(&r), INT64_MAX, "masked: no deadline");
	wr(MR, 1004);
	wr(IMSC, 1);
	cr_assert_eq(pl031_next_match_ns(&r), 9000000000, "host second 9");
	advance(4);
	pl031_tick(&r);
	cr_assert(irq_level);
	pl031_destroy(&r);
}

Test(pl031, match_on_the_real_clock)
{
	struct timespec pause = { .tv_nsec = 20000000 };

	setup();
	wr(IMSC, 1);
	wr(MR, rd(DR) + 1);
	for (unsigned i = 0; i < 150 && !irq_level; i++) {
		nanosleep(&pause, NULL);
		pl031_tick(&r);
	}
	cr_assert(irq_level, "the next second matched within 3 s");
	pl031_destroy(&r);
}
