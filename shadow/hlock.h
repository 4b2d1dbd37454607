/* hlock.h — a futex mutex the SIGSEGV path may take.
 *
 * pthread mutexes are not async-signal-safe; this one is (two atomics and a
 * raw futex system call). It is safe in the fault handler because no code
 * that holds an hlock ever touches a guest window, so a thread can never
 * fault into the handler while holding the lock the handler wants.
 * Three states, as in Drepper's "Futexes are tricky": 0 free, 1 locked,
 * 2 locked with waiters. */
#ifndef HSPT_SHADOW_HLOCK_H
#define HSPT_SHADOW_HLOCK_H

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

struct hlock {
	uint32_t state;
};

/* Pause instructions to spin before sleeping on the futex. A shadow fill
 * holds its window's lock for one mmap, about 5 µs on the hosts measured;
 * sleeping instead costs the waiter a futex wait and the holder a futex
 * wake, and the wake-up is a cross-CPU interrupt, 10-20 µs in a VM.
 * bench/shadow's section 3 ("other vCPU filling too") measures it. */
#define HLOCK_SPINS 1000

static inline void hlock_lock(struct hlock *l)
{
	uint32_t c = 0;

	/* Acquire: the critical section's loads must not move above this. */
	if (__atomic_compare_exchange_n(&l->state, &c, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	for (unsigned i = 0; i < HLOCK_SPINS; i++) {
		__builtin_ia32_pause();
		c = __atomic_load_n(&l->state, __ATOMIC_RELAXED);
		if (c == 0 && __atomic_compare_exchange_n(&l->state, &c, 1, false,
							  __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
	}
	if (c != 2)
		c = __atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		syscall(SYS_futex, &l->state, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
		c = __atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE);
	}
}

static inline void hlock_unlock(struct hlock *l)
{
	/* Release: everything done under the lock is visible to the next
	 * owner before it sees the lock free. */
	if (__atomic_exchange_n(&l->state, 0, __ATOMIC_RELEASE) == 2)
		syscall(SYS_futex, &l->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

#endif
