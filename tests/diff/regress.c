/* regress.c — the regression file (tests/diff/regressions.txt): every
 * mismatch the tester found, as raw code and exact initial state, so that
 * it stays a test whatever becomes of the generator.
 *
 *   seq <name>
 *   thumb 0|1
 *   code <A32 words | T32 halfwords or 32-bit pairs, hex; "|" ignored>
 *   r <r0..r14>            apsr <hex>          fpscr <hex>
 *   d <d0..d31>
 *   mem <the scratch area, hex>   or   memseed <hex>
 *   end
 *
 * Lines starting with # and blank lines are comments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/diff/difftest.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse up to max hex numbers from s into v (64-bit each); returns count
 * or -1 on a malformed token. */
static int parse_hex_list(char *s, uint64_t *v, int max, unsigned *widths)
{
	int n = 0;

	for (char *tok = strtok(s, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
		char *end;

		if (!strcmp(tok, "|"))
			continue;
		if (n == max)
			return -1;
		errno = 0;
		v[n] = strtoull(tok, &end, 16);
		if (*end || errno)
			return -1;
		if (widths)
			widths[n] = (unsigned)strlen(tok);
		n++;
	}
	return n;
}

static int parse_code(struct gen_seq *s, char *text)
{
	static uint64_t v[DIFF_CODE_MAX / 2];
	static unsigned w[DIFF_CODE_MAX / 2];
	bool thumb = s->in.flags & DIFF_F_THUMB;
	int n = parse_hex_list(text, v, DIFF_CODE_MAX / 2, w);
	unsigned len = 0;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		unsigned bytes = w[i] == 8 ? 4 : w[i] == 4 && thumb ? 2 : 0;
		uint32_t x = (uint32_t)v[i];

		if (!bytes || len + bytes > DIFF_CODE_MAX - 64 || s->nitems == GEN_MAX_ITEMS)
			return -1;
		if (thumb && bytes == 4)	/* hw1 then hw2 */
			x = x >> 16 | x << 16;
		s->items[s->nitems++] = (struct gen_item){ .off = (uint16_t)len, .len = (uint16_t)bytes,
							   .what = "regression" };
		memcpy(s->code + len, &x, bytes);
		len += bytes;
	}
	s->in.code_len = len;
	return 0;
}

static int parse_mem(struct gen_seq *s, const char *hex)
{
	size_t n = strcspn(hex, " \t\n");

	if (n != 2 * DIFF_SCRATCH_SIZE)
		return -1;
	for (unsigned i = 0; i < DIFF_SCRATCH_SIZE; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		s->mem[i] = (uint8_t)(hi << 4 | lo);
	}
	s->in.flags |= DIFF_F_MEM;
	return 0;
}

/* One "key values" line into the entry being read. */
static int parse_line(struct regress *r, char *key, char *rest)
{
	struct diff_in *in = &r->seq.in;
	uint64_t v[32];

	if (!strcmp(key, "thumb")) {
		if (parse_hex_list(rest, v, 1, NULL) != 1)
			return -1;
		in->flags = (in->flags & ~DIFF_F_THUMB) | (v[0] ? DIFF_F_THUMB : 0);
	} else if (!strcmp(key, "code")) {
		return parse_code(&r->seq, rest);
	} else if (!strcmp(key, "r")) {
		if (parse_hex_list(rest, v, 15, NULL) != 15)
			return -1;
		for (int i = 0; i < 15; i++)
			in->r[i] = (uint32_t)v[i];
	} else if (!strcmp(key, "apsr") || !strcmp(key, "fpscr") || !strcmp(key, "memseed")) {
		if (parse_hex_list(rest, v, 1, NULL) != 1)
			return -1;
		*(key[0] == 'a' ? &in->apsr : key[0] == 'f' ? &in->fpscr : &in->mem_seed) =
			(uint32_t)v[0];
	} else if (!strcmp(key, "d")) {
		if (parse_hex_list(rest, v, 32, NULL) != 32)
			return -1;
		memcpy(in->d, v, sizeof(in->d));
	} else if (!strcmp(key, "mem")) {
		return parse_mem(&r->seq, rest + strspn(rest, " \t"));
	} else {
		return -1;
	}
	return 0;
}

int regress_load(const char *path, struct regress **out, unsigned *n, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct regress *list = NULL, *cur = NULL;
	unsigned count = 0, line = 0;
	char *text = NULL;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!f)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1);
	while (getline(&text, &cap, f) > 0) {
		char *key, *rest;

		line++;
		key = text + strspn(text, " \t");
		if (*key == '#' || *key == '\n' || !*key)
			continue;
		rest = key + strcspn(key, " \t\n");
		if (*rest)
			*rest++ = 0;
		if (!strcmp(key, "seq")) {
			struct regress *grown = realloc(list, (count + 1) * sizeof(*list));

			if (!grown || cur)
				goto bad;
			list = grown;
			cur = &list[count];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%.*s", (int)strcspn(rest, "\n"), rest);
			cur->seq.in.magic = DIFF_IN_MAGIC;
		} else if (!strcmp(key, "end")) {
			if (!cur || !cur->seq.in.code_len)
				goto bad;
			cur->seq.in.index = count++;
			cur = NULL;
		} else if (!cur || parse_line(cur, key, rest)) {
			goto bad;
		}
	}
	if (cur)
		goto bad;
	free(text);
	fclose(f);
	*out = list;
	*n = count;
	return 0;
bad:
	snprintf(err, errlen, "%s:%u: malformed regression entry", path, line);
	free(text);
	free(list);
	fclose(f);
	return -1;
}

int regress_append(const char *path, const char *name, const struct gen_seq *s)
{
	FILE *f = fopen(path, "a");
	static char code[8 * DIFF_CODE_MAX];
	const struct diff_in *in = &s->in;

	if (!f)
		return -errno;
	gen_format_code(s, 0, s->nitems, code, sizeof(code));
	fprintf(f, "\nseq %s\nthumb %d\ncode%s\nr", name, !!(in->flags & DIFF_F_THUMB), code);
	for (int i = 0; i < 15; i++)
		fprintf(f, " %08x", in->r[i]);
	fprintf(f, "\napsr %08x\nfpscr %08x\nd", in->apsr, in->fpscr);
	for (int i = 0; i < 32; i++)
		fprintf(f, " %016llx", (unsigned long long)in->d[i]);
	if (in->flags & DIFF_F_MEM) {
		fprintf(f, "\nmem ");
		for (unsigned i = 0; i < DIFF_SCRATCH_SIZE; i++)
			fprintf(f, "%02x", s->mem[i]);
	} else {
		fprintf(f, "\nmemseed %08x", in->mem_seed);
	}
	fprintf(f, "\nend\n");
	return fclose(f) ? -errno : 0;
}
