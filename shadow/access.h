/* access.h — guest memory accessors, the engine's fast path.
 *
 * HSPT modes: one host instruction through GS (the current view); a miss
 * raises SIGSEGV and the fill path either maps the page and lets the access
 * retry, or leaves through cpu->recover. Soft mode: one compare against the
 * software TLB entry, like TinyEMU's; a miss calls soft_load/soft_store.
 *
 * The _pl forms take an explicit privilege level for LDRT/STRT-style
 * accesses; they go through an ordinary pointer into the other view. */
#ifndef HSPT_SHADOW_ACCESS_H
#define HSPT_SHADOW_ACCESS_H

/* Included from shadow.h only. */

#define SHADOW_PAGE_MASK 0xfffu

/* ARMv7 allows unaligned LDR/STR/LDRH/STRH, and x86 performs them in one
 * instruction: these types tell the compiler (and UBSan) that the host
 * pointer may be misaligned, without turning the access into a call. */
typedef uint16_t __attribute__((aligned(1))) shadow_u16u;
typedef uint32_t __attribute__((aligned(1))) shadow_u32u;
typedef uint64_t __attribute__((aligned(1))) shadow_u64u;
typedef uint8_t shadow_u8u;

/* One host instruction through GS, with a 32-bit address (the 0x67 prefix),
 * so that it wraps at 4 GiB like the guest's.
 *
 * Two compiler traps decide how:
 * - GCC 12 compiles a __seg_gs access whose address folds to a constant
 *   into the absolute `moffs` form *without* the %gs prefix (a load from
 *   host address 0xc0000000 instead of the guest's). The empty asm makes
 *   the address opaque, so it always sits in a register.
 *   tests/unit/test_shadow_core.c (gsbase/...) fails if this regresses.
 * - AddressSanitizer instruments __seg_gs dereferences as if the guest VA
 *   were a host pointer (for kernel VAs its check lands in its own PROT_NONE
 *   shadow gap), so sanitizer builds use inline assembly it cannot see.
 * volatile: every guest access happens exactly once, even when its value
 * is unused, because it may fault, and the fault belongs to the guest. */
#define SHADOW_OPAQUE(va)                                                       \
	({                                                                      \
		uint32_t a_ = (va);                                             \
		__asm__("" : "+r"(a_));                                         \
		(uintptr_t)a_;                                                  \
	})
#if defined(__SANITIZE_ADDRESS__)
#define SHADOW_GS_LOAD(type, ld, st, va)                                        \
	({                                                                      \
		uint64_t v_;                                                    \
		__asm__ volatile(ld : "=r"(v_) : "r"(va) : "memory");           \
		(type)v_;                                                       \
	})
#define SHADOW_GS_STORE(type, ld, st, va, v)                                    \
	__asm__ volatile(st : : "r"(va), "r"((uint64_t)(v)) : "memory")
#else
#define SHADOW_GS_LOAD(type, ld, st, va) (*(const volatile type __seg_gs *)SHADOW_OPAQUE(va))
#define SHADOW_GS_STORE(type, ld, st, va, v) (*(volatile type __seg_gs *)SHADOW_OPAQUE(va) = (v))
#endif

#define SHADOW_DEFINE_ACCESS(bits, type, utype, ld, st)                         \
static inline type soft_ld##bits(struct shadow_cpu *cpu, uint32_t va, unsigned pl) \
{                                                                               \
	const struct soft_tlb_entry *e =                                        \
		&cpu->tlb[pl][(va >> 12) & (SOFT_TLB_SIZE - 1)];                \
	if (__builtin_expect(e->tag_read ==                                     \
			     (va & ~(SHADOW_PAGE_MASK & ~(uint32_t)(bits / 8 - 1))), 1)) \
		return *(const volatile type *)(va + e->addend);                \
	return (type)soft_load(cpu, va, bits / 8, pl);                          \
}                                                                               \
static inline void soft_st##bits(struct shadow_cpu *cpu, uint32_t va, type v,  \
				 unsigned pl)                                   \
{                                                                               \
	const struct soft_tlb_entry *e =                                        \
		&cpu->tlb[pl][(va >> 12) & (SOFT_TLB_SIZE - 1)];                \
	if (__builtin_expect(e->tag_write ==                                    \
			     (va & ~(SHADOW_PAGE_MASK & ~(uint32_t)(bits / 8 - 1))), 1)) { \
		*(volatile type *)(va + e->addend) = v;                         \
		return;                                                         \
	}                                                                       \
	soft_store(cpu, va, v, bits / 8, pl);                                   \
}                                                                               \
/* Access at the current privilege level. */                                    \
static inline type shadow_ld##bits(struct shadow_cpu *cpu, uint32_t va)         \
{                                                                               \
	if (__builtin_expect(!cpu->soft, 1))                                    \
		return SHADOW_GS_LOAD(utype, ld, st, va);                       \
	return soft_ld##bits(cpu, va, cpu->pl);                                 \
}                                                                               \
static inline void shadow_st##bits(struct shadow_cpu *cpu, uint32_t va, type v) \
{                                                                               \
	if (__builtin_expect(!cpu->soft, 1)) {                                  \
		SHADOW_GS_STORE(utype, ld, st, va, v);                          \
		return;                                                         \
	}                                                                       \
	soft_st##bits(cpu, va, v, cpu->pl);                                     \
}                                                                               \
/* Access as privilege level pl (LDRT/STRT use pl = 0). */                      \
static inline type shadow_ld##bits##_pl(struct shadow_cpu *cpu, uint32_t va,   \
					unsigned pl)                            \
{                                                                               \
	if (__builtin_expect(!cpu->soft, 1))                                    \
		return *(const volatile utype *)(cpu->view_base[pl] + va);      \
	return soft_ld##bits(cpu, va, pl);                                      \
}                                                                               \
static inline void shadow_st##bits##_pl(struct shadow_cpu *cpu, uint32_t va,   \
					type v, unsigned pl)                    \
{                                                                               \
	if (__builtin_expect(!cpu->soft, 1)) {                                  \
		*(volatile utype *)(cpu->view_base[pl] + va) = v;               \
		return;                                                         \
	}                                                                       \
	soft_st##bits(cpu, va, v, pl);                                          \
}

SHADOW_DEFINE_ACCESS(8, uint8_t, shadow_u8u, "movzbl %%gs:(%k1), %k0", "movb %b1, %%gs:(%k0)")
SHADOW_DEFINE_ACCESS(16, uint16_t, shadow_u16u, "movzwl %%gs:(%k1), %k0", "movw %w1, %%gs:(%k0)")
SHADOW_DEFINE_ACCESS(32, uint32_t, shadow_u32u, "movl %%gs:(%k1), %k0", "movl %k1, %%gs:(%k0)")
SHADOW_DEFINE_ACCESS(64, uint64_t, shadow_u64u, "movq %%gs:(%k1), %q0", "movq %q1, %%gs:(%k0)")

#undef SHADOW_DEFINE_ACCESS

#endif
