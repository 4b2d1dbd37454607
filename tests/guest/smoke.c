#include "guest.h"
void test_main(void)
{
	check_group("smoke");
	check_eq("cpsr mode", cpsr_read() & 0x1f, MODE_SVC);
	trap_expect();
	__asm__ volatile("svc #0x12" ::: "lr", "memory");
	check_eq("svc count", trap_done(), 1);
	check_eq("svc imm", trap.imm, 0x12);
}
