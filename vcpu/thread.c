/* thread.c — one host thread per vCPU: power states, the run loop with
 * its request bits, WFI sleep on the eventfd and the timer deadline. */
#include "vcpu/thread.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "translate/run.h"
#include "util/log.h"
#include "vcpu/loop.h"

/* WFE without an event wakes after this long anyway: architecturally it
 * may, and a missed SEV then costs a millisecond, not a hang. */
#define WFE_MAX_SLEEP_NS 1000000u

/* Instructions per vcpu_run() call: between calls the thread re-evaluates
 * the generic timer, so this bounds timer latency (under 1 ms at the
 * interpreter's 40-100 MIPS) when nothing else stops the vCPU. */
#define VCPU_SLICE 32768

int vcpu_thread_init(struct vcpu_thread *t, unsigned index, struct shadow_cpu *mmu,
		     const struct vcpu_thread_ops *ops, void *opaque)
{
	int err;

	memset(t, 0, sizeof(*t));
	vcpu_init(&t->vcpu, index, mmu);
	t->ops = ops;
	t->opaque = opaque;
	t->slice = VCPU_SLICE;
	t->power = VCPU_POWER_OFF;
	t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->efd < 0)
		return -errno;
	if ((err = pthread_mutex_init(&t->power_lock, NULL))) {
		close(t->efd);
		return -err;
	}
	if ((err = pthread_cond_init(&t->cond, NULL))) {
		pthread_mutex_destroy(&t->power_lock);
		close(t->efd);
		return -err;
	}
	return 0;
}

void vcpu_thread_destroy(struct vcpu_thread *t)
{
	arm_run_free(&t->vcpu.cpu);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->power_lock);
	close(t->efd);
}

/* Wake the thread if it sleeps in a state that `level` ends: a kick
 * (VCPU_SLEEP) ends every sleep, an event (VCPU_SLEEP_WFE) only WFE's. An
 * SEV must not wake a vCPU in WFI: Linux's spin_unlock is an SEV, and
 * waking anyway cost an idle vCPU thousands of cross-CPU wake-ups a
 * second (docs/board.md). */
static void wake(struct vcpu_thread *t, enum vcpu_sleep level)
{
	static const uint64_t one = 1;

	/* Orders the caller's state change (line, request, power, event)
	 * before the load of `sleeping`; pairs with the fence in
	 * sleep_until(). One of the two threads sees the other's store, so a
	 * wake-up is never lost, and a running vCPU costs no system call. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&t->sleeping, __ATOMIC_RELAXED) >= level) {
		__atomic_add_fetch(&t->wakeups, 1, __ATOMIC_RELAXED);
		/* EAGAIN means the counter is full: a wake-up is pending
		 * anyway. */
		if (write(t->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_error("vcpu%u: eventfd write: %s", t->vcpu.index, strerror(errno));
	}
}

void vcpu_thread_kick(struct vcpu_thread *t)
{
	arm_cpu_kick(&t->vcpu.cpu);
	wake(t, VCPU_SLEEP);
}

void vcpu_thread_event(struct vcpu_thread *t)
{
	/* No kick: a running vCPU finds the event at its next WFE. */
	__atomic_store_n(&t->vcpu.cpu.event, true, __ATOMIC_RELEASE);
	wake(t, VCPU_SLEEP_WFE);
}

void vcpu_thread_request(struct vcpu_thread *t, uint32_t bits)
{
	__atomic_fetch_or(&t->req, bits, __ATOMIC_SEQ_CST);
	vcpu_thread_kick(t);
}

void vcpu_thread_clear(struct vcpu_thread *t, uint32_t bits)
{
	__atomic_fetch_and(&t->req, ~bits, __ATOMIC_SEQ_CST);
	vcpu_thread_kick(t);
}

void vcpu_thread_set_line(struct vcpu_thread *t, uint8_t line, bool level)
{
	arm_cpu_set_line(&t->vcpu.cpu, line, level);
	if (level)
		vcpu_thread_kick(t);
}

static uint32_t requests(struct vcpu_thread *t)
{
	return __atomic_load_n(&t->req, __ATOMIC_SEQ_CST);
}

/* The state other threads wait for through t->cond. */
static void set_running(struct vcpu_thread *t, bool running)
{
	pthread_mutex_lock(&t->power_lock);
	t->running = running;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->power_lock);
}

void vcpu_thread_wait_paused(struct vcpu_thread *t)
{
	pthread_mutex_lock(&t->power_lock);
	while (t->running && !t->ended)
		pthread_cond_wait(&t->cond, &t->power_lock);
	pthread_mutex_unlock(&t->power_lock);
}

int vcpu_thread_power_on(struct vcpu_thread *t, const struct vcpu_entry *e)
{
	int err = 0;

	pthread_mutex_lock(&t->power_lock);
	if (t->power == VCPU_POWER_ON) {
		err = -EALREADY;
	} else if (t->power == VCPU_POWER_ON_PENDING) {
		err = -EINPROGRESS;
	} else {
		t->entry = *e;
		t->power = VCPU_POWER_ON_PENDING;
	}
	pthread_mutex_unlock(&t->power_lock);
	if (!err)
		vcpu_thread_kick(t);
	return err;
}

enum vcpu_power vcpu_thread_power(struct vcpu_thread *t)
{
	enum vcpu_power p;

	pthread_mutex_lock(&t->power_lock);
	p = t->power;
	pthread_mutex_unlock(&t->power_lock);
	return p;
}

/* Sleep until `ready` says so, a request arrives, or the host clock
 * reaches deadline_ns (CLOCK_MONOTONIC; UINT64_MAX for none). Outside the
 * guest meanwhile, so shootdowns do not wait for this vCPU. */
static void sleep_until(struct vcpu_thread *t, enum vcpu_sleep how,
			bool (*ready)(struct vcpu_thread *), uint32_t wake_reqs,
			uint64_t deadline_ns)
{
	struct pollfd pfd = { .fd = t->efd, .events = POLLIN };
	uint64_t drain;

	__atomic_store_n(&t->sleeping, how, __ATOMIC_RELAXED);
	/* Pairs with the fence in vcpu_thread_kick(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (!ready(t) && !(requests(t) & wake_reqs)) {
		uint64_t now = gtimer_now_ns();
		struct timespec ts, *tsp = NULL;

		if (deadline_ns != UINT64_MAX) {
			if (now >= deadline_ns)
				break;
			ts.tv_sec = (time_t)((deadline_ns - now) / 1000000000u);
			ts.tv_nsec = (long)((deadline_ns - now) % 1000000000u);
			tsp = &ts;
		}
		if (ppoll(&pfd, 1, tsp, NULL) < 0 && errno != EINTR) {
			log_error("vcpu%u: ppoll: %s", t->vcpu.index, strerror(errno));
			break;
		}
		/* Reset the counter; EAGAIN (nothing written) is fine. */
		if (read(t->efd, &drain, sizeof(drain)) < 0 && errno != EAGAIN)
			log_error("vcpu%u: eventfd read: %s", t->vcpu.index, strerror(errno));
	}
	__atomic_store_n(&t->sleeping, VCPU_AWAKE, __ATOMIC_RELAXED);
}

static bool line_asserted(struct vcpu_thread *t)
{
	return arm_cpu_lines(&t->vcpu.cpu) != 0;
}

static bool event_or_line(struct vcpu_thread *t)
{
	return __atomic_load_n(&t->vcpu.cpu.event, __ATOMIC_ACQUIRE) || line_asserted(t);
}

static bool pause_cleared(struct vcpu_thread *t)
{
	return !(requests(t) & VCPU_REQ_PAUSE);
}

static bool power_on_pending(struct vcpu_thread *t)
{
	return vcpu_thread_power(t) == VCPU_POWER_ON_PENDING;
}

/* WFI: the timer may be what wakes us, so re-evaluate it on the way out. */
static void wfi(struct vcpu_thread *t)
{
	struct shadow_cpu *mmu = t->vcpu.cpu.mmu;

	gtimer_update(&t->vcpu.timer);
	shadow_cpu_leave(mmu);
	__atomic_add_fetch(&t->sleeps, 1, __ATOMIC_RELAXED);
	sleep_until(t, VCPU_SLEEP, line_asserted, VCPU_REQ_STOP | VCPU_REQ_PAUSE,
		    gtimer_next_deadline_ns(&t->vcpu.timer));
	shadow_cpu_enter(mmu);
	/* Remote invalidations done while we were out: the run loop's fetch
	 * translation may be stale. */
	arm_run_flush(&t->vcpu.cpu);
	gtimer_update(&t->vcpu.timer);
}

/* WFE with the event register clear: wait for an SEV, an interrupt or
 * the timer, at most WFE_MAX_SLEEP_NS. */
static void wfe(struct vcpu_thread *t)
{
	struct shadow_cpu *mmu = t->vcpu.cpu.mmu;
	uint64_t deadline = gtimer_now_ns() + WFE_MAX_SLEEP_NS;
	uint64_t timer = gtimer_next_deadline_ns(&t->vcpu.timer);

	shadow_cpu_leave(mmu);
	sleep_until(t, VCPU_SLEEP_WFE, event_or_line, VCPU_REQ_STOP | VCPU_REQ_PAUSE,
		    timer < deadline ? timer : deadline);
	/* The wake-up event is consumed, as WFE completing would. */
	__atomic_store_n(&t->vcpu.cpu.event, false, __ATOMIC_RELAXED);
	shadow_cpu_enter(mmu);
	arm_run_flush(&t->vcpu.cpu);
	gtimer_update(&t->vcpu.timer);
}

/* VCPU_REQ_PAUSE: out of the guest until the bit is cleared. */
static void pause_vcpu(struct vcpu_thread *t)
{
	shadow_cpu_leave(t->vcpu.cpu.mmu);
	set_running(t, false);
	sleep_until(t, VCPU_SLEEP, pause_cleared, VCPU_REQ_STOP, UINT64_MAX);
	set_running(t, true);
	shadow_cpu_enter(t->vcpu.cpu.mmu);
	arm_run_flush(&t->vcpu.cpu);
}

/* HVC/SMC: the board's firmware, or UNDEFINED. Returns 0 to carry on, or
 * what the firmware hook returned to end the run (VCPU_FW_*, -errno). */
static int firmware(struct vcpu_thread *t, enum arm_exit exit)
{
	struct arm_cpu *cpu = &t->vcpu.cpu;
	int rc = t->ops->firmware ? t->ops->firmware(t->opaque, t, exit) : -ENOSYS;

	switch (rc) {
	case 0:
		cpu->r[15] = cpu->next_pc;
		cpu->insns++;
		return 0;
	case -ENOSYS:
		vcpu_take_exit_exception(&t->vcpu, exit);
		return 0;
	default:
		return rc;
	}
}

/* Run the powered-on vCPU until it powers off (0), the VM stops
 * (VCPU_FW_STOP) or something fails (-errno). */
static int run_guest(struct vcpu_thread *t)
{
	struct vcpu *v = &t->vcpu;

	for (;;) {
		uint32_t req = requests(t);
		enum arm_exit exit;
		int rc;

		if (req & VCPU_REQ_STOP)
			return VCPU_FW_STOP;
		if (req & VCPU_REQ_PAUSE) {
			pause_vcpu(t);
			continue;
		}
		exit = vcpu_run(v, t->slice);
		gtimer_update(&v->timer);
		switch (exit) {
		case ARM_EXIT_WFI:
			wfi(t);
			break;
		case ARM_EXIT_WFE:
			wfe(t);
			break;
		case ARM_EXIT_SEV:
			if (t->ops->sev)
				t->ops->sev(t->opaque, t);
			break;
		case ARM_EXIT_HVC:
		case ARM_EXIT_SMC:
			rc = firmware(t, exit);
			if (rc == VCPU_FW_OFF)
				return 0;
			if (rc)
				return rc;
			break;
		case ARM_EXIT_SYSREG:
			if (v->fatal) {
				log_error("vcpu%u: shadow engine failed: %s", v->index,
					  strerror(-v->fatal));
				return v->fatal;
			}
			break;
		default:	/* ARM_EXIT_LIMIT, ARM_EXIT_KICK */
			break;
		}
	}
}

/* Power-on: the architectural reset state, then the entry registers. */
static int power_on(struct vcpu_thread *t)
{
	struct arm_cpu *cpu = &t->vcpu.cpu;
	struct vcpu_entry e;
	int err;

	pthread_mutex_lock(&t->power_lock);
	e = t->entry;
	pthread_mutex_unlock(&t->power_lock);
	if ((err = vcpu_reset(&t->vcpu)))
		return err;
	cpu->r[0] = e.r0;
	cpu->r[1] = e.r1;
	cpu->r[2] = e.r2;
	cpu->thumb = e.pc & 1;
	cpu->r[15] = e.pc & ~1u;
	pthread_mutex_lock(&t->power_lock);
	t->power = VCPU_POWER_ON;
	pthread_mutex_unlock(&t->power_lock);
	return 0;
}

static void set_power_off(struct vcpu_thread *t)
{
	pthread_mutex_lock(&t->power_lock);
	t->power = VCPU_POWER_OFF;
	pthread_mutex_unlock(&t->power_lock);
}

/* Powered off: sleep until powered on; then run. */
static int lifecycle(struct vcpu_thread *t)
{
	struct shadow_cpu *mmu = t->vcpu.cpu.mmu;
	int rc;

	for (;;) {
		shadow_cpu_leave(mmu);
		set_running(t, false);
		sleep_until(t, VCPU_SLEEP, power_on_pending, VCPU_REQ_STOP, UINT64_MAX);
		if (requests(t) & VCPU_REQ_STOP)
			return 0;
		if (requests(t) & VCPU_REQ_PAUSE) {
			/* Stay off until resumed. */
			sleep_until(t, VCPU_SLEEP, pause_cleared, VCPU_REQ_STOP, UINT64_MAX);
			continue;
		}
		set_running(t, true);
		shadow_cpu_enter(mmu);
		arm_run_flush(&t->vcpu.cpu);
		if ((rc = power_on(t)))
			return rc;
		rc = run_guest(t);
		if (rc == VCPU_FW_STOP)
			return 0;
		if (rc)
			return rc;
		set_power_off(t);
	}
}

static void *thread_main(void *arg)
{
	struct vcpu_thread *t = arg;
	int err;

	if ((err = shadow_cpu_attach(t->vcpu.cpu.mmu))) {
		log_error("vcpu%u: cannot attach the shadow vCPU: %s", t->vcpu.index,
			  strerror(-err));
	} else {
		if (t->ops->thread_init)
			err = t->ops->thread_init(t->opaque, t);
		if (!err)
			err = lifecycle(t);
		shadow_cpu_leave(t->vcpu.cpu.mmu);
		shadow_cpu_detach(t->vcpu.cpu.mmu);
	}
	pthread_mutex_lock(&t->power_lock);
	t->running = false;
	t->ended = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->power_lock);
	if (t->ops->ended)
		t->ops->ended(t->opaque, t, err);
	return NULL;
}

int vcpu_thread_start(struct vcpu_thread *t)
{
	int err = pthread_create(&t->tid, NULL, thread_main, t);

	if (err)
		return -err;
	t->started = true;
	return 0;
}

void vcpu_thread_stop(struct vcpu_thread *t)
{
	if (!t->started)
		return;
	vcpu_thread_request(t, VCPU_REQ_STOP);
	pthread_join(t->tid, NULL);
	t->started = false;
}
