/* test_size.c — parse_size() (the --memory syntax) and parse_count(). */
#include <criterion/criterion.h>
#include <errno.h>

#include "util/size.h"

Test(size, accepted)
{
	uint64_t v;

	cr_assert_eq(parse_size("65536", &v), 0);
	cr_assert_eq(v, 65536);
	cr_assert_eq(parse_size("512M", &v), 0);
	cr_assert_eq(v, 512ull << 20);
	cr_assert_eq(parse_size("1g", &v), 0);
	cr_assert_eq(v, 1ull << 30);
	cr_assert_eq(parse_size("64KiB", &v), 0);
	cr_assert_eq(v, 64ull << 10);
	cr_assert_eq(parse_size("2GiB", &v), 0);
	cr_assert_eq(v, 2ull << 30);
}

Test(size, refused)
{
	uint64_t v = 7;

	cr_assert_eq(parse_size("", &v), -EINVAL);
	cr_assert_eq(parse_size("M", &v), -EINVAL);
	cr_assert_eq(parse_size("-1M", &v), -EINVAL);
	cr_assert_eq(parse_size(" 1M", &v), -EINVAL);
	cr_assert_eq(parse_size("1 M", &v), -EINVAL);
	cr_assert_eq(parse_size("1T", &v), -EINVAL);
	cr_assert_eq(parse_size("1Mb", &v), -EINVAL);
	cr_assert_eq(parse_size("99999999999999999999", &v), -EINVAL);
	cr_assert_eq(parse_size("17179869184G", &v), -EINVAL, "overflows 64 bits");
	cr_assert_eq(v, 7, "untouched on error");
}

Test(size, counts)
{
	static const struct { const char *s; unsigned min, max, want; int rc; } cases[] = {
		{ "1", 1, 8, 1, 0 },       { "8", 1, 8, 8, 0 },     { "0", 0, 3, 0, 0 },
		{ "007", 1, 8, 7, 0 },     { "0", 1, 8, 0, -EINVAL }, { "9", 1, 8, 0, -EINVAL },
		{ "", 1, 8, 0, -EINVAL },  { "-1", 0, 8, 0, -EINVAL }, { "+4", 1, 8, 0, -EINVAL },
		{ " 4", 1, 8, 0, -EINVAL }, { "4x", 1, 8, 0, -EINVAL }, { "4 ", 1, 8, 0, -EINVAL },
		{ "99999999999999999999999", 1, 8, 0, -EINVAL },
		{ "4294967297", 1, 4294967295u, 0, -EINVAL },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned v = 12345;
		int rc = parse_count(cases[i].s, cases[i].min, cases[i].max, &v);

		cr_assert_eq(rc, cases[i].rc, "'%s' in %u..%u: %d", cases[i].s, cases[i].min,
			     cases[i].max, rc);
		cr_assert_eq(v, rc ? 12345u : cases[i].want, "'%s' gave %u", cases[i].s, v);
	}
	cr_assert_eq(parse_count(NULL, 0, 1, &(unsigned){ 0 }), -EINVAL);
}
