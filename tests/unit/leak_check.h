/* leak_check.h — fail the running test if it leaked, under `make check`.
 *
 * LeakSanitizer's own check runs when a Criterion worker exits, after the
 * test has been reported as passing, and the worker's exit status is
 * ignored; `make check` therefore writes the reports to files and fails on
 * any (Makefile, SAN_REPORTS), which covers every test. The protocol
 * suites also check in their .fini, so that a leak shows as a crash of the
 * very test that leaked: an assertion that fails in .fini is printed but
 * not counted, so a leak aborts the worker. Without AddressSanitizer it
 * does nothing. */
#ifndef HSPT_TESTS_UNIT_LEAK_CHECK_H
#define HSPT_TESTS_UNIT_LEAK_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

static inline void assert_no_leaks(void)
{
#ifdef __SANITIZE_ADDRESS__
	if (__lsan_do_recoverable_leak_check()) {
		fputs("memory leaked: LeakSanitizer's report is above\n", stderr);
		abort();
	}
#endif
}

#endif
