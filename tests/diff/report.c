/* report.c — what a mismatch looks like: the differing fields, the
 * first item that differs (found by running every prefix), the state it
 * started from, a disassembly, and the reproduction saved to the
 * regression file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/diff/difftest.h"

/* Print the differences between the qemu and hspt records (when f is
 * not NULL); return how many fields differ. */
unsigned report_compare(const struct diff_out *q, const struct diff_out *h, FILE *f)
{
	unsigned n = 0;

#define DIFF32(name, a, b) do {							\
		if ((a) != (b)) {						\
			n++;							\
			if (f)							\
				fprintf(f, "    %-8s qemu %08x  hspt %08x\n", name,	\
					(unsigned)(a), (unsigned)(b));		\
		}								\
	} while (0)
	DIFF32("status", q->status, h->status);
	DIFF32("faultpc", q->fault_pc, h->fault_pc);
	for (int i = 0; i < 15; i++) {
		char name[8];

		snprintf(name, sizeof(name), "r%d", i);
		DIFF32(name, q->r[i], h->r[i]);
	}
	DIFF32("apsr", q->apsr, h->apsr);
	DIFF32("cpsr", q->cpsr, h->cpsr);
	DIFF32("fpscr", q->fpscr, h->fpscr);
#undef DIFF32
	for (int i = 0; i < 32; i++) {
		if (q->d[i] != h->d[i]) {
			n++;
			if (f)
				fprintf(f, "    d%-7d qemu %016llx  hspt %016llx\n", i,
					(unsigned long long)q->d[i], (unsigned long long)h->d[i]);
		}
	}
	for (unsigned i = 0; i < DIFF_SCRATCH_SIZE; i += 4) {
		uint32_t a, b;

		memcpy(&a, q->mem + i, 4);
		memcpy(&b, h->mem + i, 4);
		if (a != b) {
			n++;
			if (f)
				fprintf(f, "    mem+%03x  qemu %08x  hspt %08x  (word at %#x)\n", i, a, b,
					DIFF_SCRATCH_BASE + i);
		}
	}
	return n;
}

void report_state(FILE *f, const struct gen_seq *s)
{
	const struct diff_in *in = &s->in;

	fprintf(f, "  state before:\n   ");
	for (int i = 0; i < 15; i++)
		fprintf(f, " r%d=%08x%s", i, in->r[i], i % 5 == 4 ? "\n   " : "");
	fprintf(f, " apsr=%08x fpscr=%08x\n   ", in->apsr, in->fpscr);
	for (int i = 0; i < 32; i++)
		fprintf(f, " d%d=%016llx%s", i, (unsigned long long)in->d[i], i % 4 == 3 ? "\n   " : "");
	if (in->flags & DIFF_F_MEM)
		fprintf(f, " scratch: explicit (see the regression entry)\n");
	else
		fprintf(f, " scratch: memseed %08x\n", in->mem_seed);
}

/* Disassemble with binutils, if present: readable reports only. */
/* objdump on code bytes [off, off + len) of s, in the given state. */
static void disasm_range(FILE *f, const struct diff_ctx *c, const struct gen_seq *s,
			 unsigned off, unsigned len, bool thumb)
{
	char path[600], cmd[1400], line[256];
	struct buf b = { 0 };
	FILE *p;

	if (!len)
		return;
	snprintf(path, sizeof(path), "%s/insn.bin", c->dir);
	buf_put(&b, s->code + off, len);
	if (buf_write_file(&b, path)) {
		buf_free(&b);
		return;
	}
	buf_free(&b);
	snprintf(cmd, sizeof(cmd),
		 "arm-linux-gnueabihf-objdump -D -b binary -marm %s --adjust-vma=%#x %s 2>/dev/null",
		 thumb ? "-Mforce-thumb" : "", DIFF_CODE_BASE + off, path);
	p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p))
		if (strstr(line, ":\t"))
			fprintf(f, "   %s", line);
	pclose(p);
}

void report_disasm(FILE *f, const struct diff_ctx *c, const struct gen_seq *s, unsigned from,
		   unsigned to)
{
	bool thumb = s->in.flags & DIFF_F_THUMB;

	for (unsigned i = from; i < to && i < s->nitems; i++) {
		const struct gen_item *it = &s->items[i];
		unsigned end = it->off + it->len, alt_end = it->alt_off + it->alt_len;

		if (!it->alt_len) {
			disasm_range(f, c, s, it->off, it->len, thumb);
			continue;
		}
		/* an island: the other instruction set in the middle */
		disasm_range(f, c, s, it->off, it->alt_off - it->off, thumb);
		disasm_range(f, c, s, it->alt_off, it->alt_len, !thumb);
		disasm_range(f, c, s, alt_end, end - alt_end, thumb);
	}
}

/* The state a record describes, as the initial state of s. */
static void state_from(struct gen_seq *s, const struct diff_out *o)
{
	memcpy(s->in.r, o->r, sizeof(s->in.r));
	s->in.apsr = o->apsr;
	s->in.fpscr = o->fpscr;
	memcpy(s->in.d, o->d, sizeof(s->in.d));
	memcpy(s->mem, o->mem, DIFF_SCRATCH_SIZE);
	s->in.flags |= DIFF_F_MEM;
}

static bool differs(const struct outputs *out, unsigned i)
{
	const struct diff_out *q = batch_record(&out->q, i), *h = batch_record(&out->h, i);

	return !q || !h || report_compare(q, h, NULL);
}

/* FNV-1a: names a culprit's encoding in the regression file, so that a
 * bug found again and again is saved once. */
static uint32_t fnv(const char *str)
{
	uint32_t h = 2166136261u;

	while (*str)
		h = (h ^ (uint8_t)*str++) * 16777619u;
	return h;
}

bool report_seen(struct diff_ctx *c, uint32_t key)
{
	for (unsigned i = 0; i < c->nkeys; i++)
		if (c->keys[i] == key)
			return true;
	if (c->nkeys < sizeof(c->keys) / sizeof(c->keys[0]))
		c->keys[c->nkeys++] = key;
	return false;
}

/* Append s to the regression file (with --save), once per culprit. */
static void save(struct diff_ctx *c, const struct gen_seq *s, const struct gen_item *culprit,
		 const char *code, const char *what)
{
	uint32_t key = fnv(code);
	char name[96];
	int err;

	if (!c->o.save || !c->o.regressions || report_seen(c, key))
		return;
	snprintf(name, sizeof(name), "%s %08x (%s)", culprit->what, key, what);
	err = regress_append(c->o.regressions, name, s);
	if (err)
		fprintf(stderr, "difftest: %s: %s\n", c->o.regressions, strerror(-err));
	else
		c->saved++;
}

/* Find the first item whose execution differs; print it with its input
 * state and the differing fields; optionally save the reproduction. */
void report_minimize(struct diff_ctx *c, const struct gen_seq *orig, const char *what, bool may_save)
{
	static struct gen_seq v;
	unsigned n = orig->nitems, k;
	struct buf blob = { 0 };
	struct outputs out;
	char code[1024];

	for (k = 0; k <= n; k++) {
		v = *orig;
		gen_nop_items(&v, k, n);
		v.in.index = k;
		blob_add(&blob, &v);
	}
	if (batch_run(c, &blob, n + 1, &out)) {
		buf_free(&blob);
		return;
	}
	buf_free(&blob);
	for (k = 0; k <= n && !differs(&out, k); k++)
		;
	if (k > n) {
		printf("  (no prefix mismatches on its own: the mismatch depends on earlier sequences)\n");
		batch_outputs_free(&out);
		return;
	}
	if (k == 0) {
		printf("  mismatch with every item replaced by NOPs: the harness path differs\n");
		if (batch_record(&out.q, 0) && batch_record(&out.h, 0))
			report_compare(batch_record(&out.q, 0), batch_record(&out.h, 0), stdout);
		batch_outputs_free(&out);
		return;
	}
	/* Item k-1 is the culprit: isolate it, starting from the state the
	 * prefix before it left (identical on both sides). */
	v = *orig;
	if (k > 1 && batch_record(&out.q, k - 1))
		state_from(&v, batch_record(&out.q, k - 1));
	gen_nop_items(&v, 0, k - 1);
	gen_nop_items(&v, k, n);
	gen_format_code(&v, k - 1, k, code, sizeof(code));
	printf("  first differing item #%u (%s):%s\n", k - 1, v.items[k - 1].what, code);
	report_disasm(stdout, c, &v, k - 1, k);
	report_state(stdout, &v);
	printf("  differences after it:\n");
	if (batch_record(&out.q, k) && batch_record(&out.h, k))
		report_compare(batch_record(&out.q, k), batch_record(&out.h, k), stdout);
	else
		printf("    hspt produced no record\n");
	batch_outputs_free(&out);

	/* Does the isolated item reproduce on its own? Then save it, without
	 * the NOPs after it unless it branches past its end. */
	if (!v.items[k - 1].branch) {
		v.nitems = k;
		v.in.code_len = v.items[k - 1].off + v.items[k - 1].len;
	}
	blob = (struct buf){ 0 };
	v.in.index = 0;
	blob_add(&blob, &v);
	if (batch_run(c, &blob, 1, &out) == 0) {
		bool alone = differs(&out, 0);

		printf("  isolated reproduction: %s\n", alone ? "yes" : "no (needs the prefix)");
		if (may_save)
			save(c, alone ? &v : orig, &v.items[k - 1], code, what);
		batch_outputs_free(&out);
	}
	buf_free(&blob);
}

