/* gtimer.c — see gtimer.h. */
#include "vcpu/gtimer.h"

#include <time.h>

uint64_t gtimer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void gtimer_init(struct gtimer *t, uint64_t epoch_ns)
{
	for (int w = 0; w < GTIMER_COUNT; w++) {
		t->cval[w] = 0;
		t->ctl[w] = 0;
		t->level[w] = false;
	}
	t->cntkctl = 0;
	t->epoch_ns = epoch_ns;
}

uint64_t gtimer_count(const struct gtimer *t)
{
	return (gtimer_now_ns() - t->epoch_ns) / GTIMER_NS_PER_TICK;
}

static bool condition(const struct gtimer *t, enum gtimer_which w, uint64_t count)
{
	return (t->ctl[w] & CNT_CTL_ENABLE) && count >= t->cval[w];
}

uint32_t gtimer_read_ctl(const struct gtimer *t, enum gtimer_which w)
{
	return t->ctl[w] | (condition(t, w, gtimer_count(t)) ? CNT_CTL_ISTATUS : 0);
}

void gtimer_write_ctl(struct gtimer *t, enum gtimer_which w, uint32_t v)
{
	t->ctl[w] = v & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
	gtimer_update(t);
}

uint64_t gtimer_read_cval(const struct gtimer *t, enum gtimer_which w)
{
	return t->cval[w];
}

void gtimer_write_cval(struct gtimer *t, enum gtimer_which w, uint64_t v)
{
	t->cval[w] = v;
	gtimer_update(t);
}

uint32_t gtimer_read_tval(const struct gtimer *t, enum gtimer_which w)
{
	return (uint32_t)(t->cval[w] - gtimer_count(t));
}

void gtimer_write_tval(struct gtimer *t, enum gtimer_which w, uint32_t v)
{
	/* CVAL = count + SignExtend(TVAL) (ARM ARM B8.1.5). */
	t->cval[w] = gtimer_count(t) + (uint64_t)(int64_t)(int32_t)v;
	gtimer_update(t);
}

void gtimer_update(struct gtimer *t)
{
	uint64_t count = gtimer_count(t);

	for (int w = 0; w < GTIMER_COUNT; w++) {
		bool level = condition(t, w, count) && !(t->ctl[w] & CNT_CTL_IMASK);

		if (level != t->level[w]) {
			t->level[w] = level;
			if (t->irq)
				t->irq(t->opaque, (enum gtimer_which)w, level);
		}
	}
}

uint64_t gtimer_next_deadline_ns(const struct gtimer *t)
{
	uint64_t best = UINT64_MAX;

	for (int w = 0; w < GTIMER_COUNT; w++) {
		uint64_t ns;

		if (!(t->ctl[w] & CNT_CTL_ENABLE) || (t->ctl[w] & CNT_CTL_IMASK) || t->level[w])
			continue;
		if (t->cval[w] > (UINT64_MAX - t->epoch_ns) / GTIMER_NS_PER_TICK)
			continue;	/* beyond the host clock's range: never */
		ns = t->epoch_ns + t->cval[w] * GTIMER_NS_PER_TICK;
		if (ns < best)
			best = ns;
	}
	return best;
}
