/* stats.c — see stats.h. */
#include "daemon/stats.h"

#include "shadow/stats.h"

static const char *power_name(enum vcpu_power p)
{
	switch (p) {
	case VCPU_POWER_OFF: return "off";
	case VCPU_POWER_ON_PENDING: return "starting";
	case VCPU_POWER_ON: return "on";
	}
	return "?";
}

/* Every shadow counter of s as {name: value}, in SHADOW_STATS_FIELDS'
 * order. */
static json_t *shadow_json(const struct shadow_stats *s)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
#define FIELD(name, desc)                                                          \
	if (json_object_set_new(o, #name, json_integer((json_int_t)s->name))) {  \
		json_decref(o);                                                    \
		return NULL;                                                       \
	}
	SHADOW_STATS_FIELDS(FIELD)
#undef FIELD
	return o;
}

json_t *stats_json(struct board *b, uint64_t uptime_ns)
{
	struct shadow_stats total_shadow = { 0 };
	uint64_t insns = 0, exceptions = 0, sleeps = 0, wakeups = 0;
	struct shadow_vm_info info;
	json_t *vcpus = json_array(), *out;

	for (unsigned i = 0; vcpus && i < b->ncpus; i++) {
		struct board_cpu_stats st;

		board_cpu_stats(b, i, &st);
		insns += st.insns;
		exceptions += st.exceptions;
		sleeps += st.sleeps;
		wakeups += st.wakeups;
		shadow_stats_accumulate(&total_shadow, &st.shadow);
		if (json_array_append_new(vcpus, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:o*}",
				"index", (json_int_t)i, "power", power_name(st.power),
				"instructions", (json_int_t)st.insns,
				"exceptions", (json_int_t)st.exceptions,
				"wfi_sleeps", (json_int_t)st.sleeps,
				"wakeups", (json_int_t)st.wakeups,
				"shadow", shadow_json(&st.shadow)))) {
			json_decref(vcpus);
			return NULL;
		}
	}
	shadow_vm_info(b->svm, &info);
	out = json_pack("{s:I, s:o, s:{s:I, s:I, s:I, s:I, s:o*}, s:{s:s, s:I, s:I, s:I, s:I, s:I, s:I}}",
			"uptime_ms", (json_int_t)(uptime_ns / 1000000),
			"vcpus", vcpus,
			"total", "instructions", (json_int_t)insns,
			"exceptions", (json_int_t)exceptions, "wfi_sleeps", (json_int_t)sleeps,
			"wakeups", (json_int_t)wakeups, "shadow", shadow_json(&total_shadow),
			"vm", "spt", shadow_org_name(info.org), "slots", (json_int_t)info.slots,
			"gdvas_total", (json_int_t)info.gdvas_total,
			"gdvas_mapped", (json_int_t)info.gdvas_mapped,
			"vma_limit", (json_int_t)info.vma_limit, "vmas", (json_int_t)info.vmas,
			"arena_bytes", (json_int_t)info.arena_bytes);
	return out;
}
