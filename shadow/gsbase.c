/* gsbase.c — setting the calling thread's GS base.
 *
 * With FSGSBASE enabled by the kernel (Linux ≥ 5.9 on CPUs that have it,
 * advertised as HWCAP2_FSGSBASE), `wrgsbase` is a user-mode instruction
 * costing a few cycles; otherwise arch_prctl(ARCH_SET_GS) is a system call.
 * Privilege and DACR switches set GS on every exception entry and return,
 * so the difference matters. glibc uses FS for TLS and leaves GS alone. */
#include <asm/prctl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shadow/internal.h"
#include "util/log.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

static int have_wrgsbase = -1;

/* HSPT_NO_WRGSBASE=1 forces the system-call path: for tests, and for a
 * host whose wrgsbase is suspect. */
void gsbase_init(void)
{
	const char *off = getenv("HSPT_NO_WRGSBASE");

	if (have_wrgsbase < 0)
		have_wrgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0 &&
				!(off && *off && strcmp(off, "0") != 0);
}

bool gsbase_fast(void)
{
	gsbase_init();
	return have_wrgsbase;
}

void gsbase_set(uint64_t base)
{
	if (have_wrgsbase > 0) {
		/* "memory": no guest access may be moved across the switch. */
		__asm__ volatile("wrgsbase %0" : : "r"(base) : "memory");
		return;
	}
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, base) != 0) {
		/* Cannot fail for a canonical user address; if it does, every
		 * later guest access would go to the wrong window. */
		log_raw_hex("arch_prctl(ARCH_SET_GS) failed for", base);
		abort();
	}
}
