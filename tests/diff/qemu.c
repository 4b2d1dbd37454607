/* qemu.c — the reference side: Debian's qemu-arm (user mode) running the
 * test image, emulating a Cortex-A15 (ARMv7-A, VFPv4-D32), the CPU hspt
 * models. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>

#include "tests/diff/difftest.h"

extern char **environ;

int qemu_spawn(const char *qemu, const char *image, const char *in_path,
	       const char *out_path, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)qemu, "-cpu", "cortex-a15", (char *)image, NULL };
	int err;

	err = posix_spawn_file_actions_init(&fa);
	if (err)
		return -err;
	err = posix_spawn_file_actions_addopen(&fa, 0, in_path, O_RDONLY, 0);
	if (!err)
		err = posix_spawn_file_actions_addopen(&fa, 1, out_path,
						       O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!err)
		err = posix_spawnp(pid, qemu, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return -err;
}
