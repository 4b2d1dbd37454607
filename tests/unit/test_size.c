/* test_size.c — parse_size(), the --memory syntax. */
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
