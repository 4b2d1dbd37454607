#!/usr/bin/env python3
"""console.py — hsptd run's console on a real terminal (a pty): the guest's
shell answers typed commands, C-a C-a reaches the guest as C-a, C-a x quits
with status 3, and the terminal's settings are restored afterwards.

    tests/board/console.py HSPTD KERNEL INITRD
"""
import os
import pty
import select
import subprocess
import sys
import termios
import time

hsptd, kernel, initrd = sys.argv[1:4]


def fail(why, out=b""):
    tail = out.decode(errors="replace")[-600:]
    print(f"console: FAILED: {why}\n--- last output ---\n{tail}")
    sys.exit(1)


fd, slave = pty.openpty()
# The terminal as hsptd finds it: it must get these back when it exits.
before = termios.tcgetattr(slave)
proc = subprocess.Popen([hsptd, "run", "--kernel", kernel, "--initrd", initrd,
                         "--append", "console=ttyAMA0"],
                        stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
pid = proc.pid
out = b""


def expect(pattern, timeout):
    global out
    end = time.monotonic() + timeout
    while pattern not in out:
        left = end - time.monotonic()
        if left <= 0:
            fail(f"no {pattern!r} within {timeout} s", out)
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                fail(f"hsptd ended before {pattern!r}", out)
            out += data


expect(b"hspt-guest: up", 120)
time.sleep(1)
# Raw mode: the line goes to the guest, whose shell echoes and answers.
os.write(fd, b"echo $((6 * 7))z\r")
expect(b"42z", 30)
# C-a C-a sends one C-a. The shell's line editor would take C-a as
# "beginning of line", so `read` (the guest tty's cooked mode) gets it.
os.write(fd, b"read x; printf '%d!\\n' \"'$x\"\r")
time.sleep(1)
os.write(fd, b"\x01\x01\r")
expect(b"1!", 30)
os.write(fd, b"\x01x")
end = time.monotonic() + 30
status = None
while status is None and time.monotonic() < end:
    # Drain the output without blocking: this process holds the slave
    # end open, so the master never reports end of file.
    if select.select([fd], [], [], 0.1)[0]:
        os.read(fd, 4096)
    wpid, st = os.waitpid(pid, os.WNOHANG)
    if wpid:
        status = os.waitstatus_to_exitcode(st)
if status is None:
    os.kill(pid, 9)
    fail("C-a x did not stop hsptd run", out)
if status != 3:
    fail(f"exit status {status} after C-a x, wanted 3", out)
if termios.tcgetattr(slave) != before:
    fail("the terminal's settings were not restored")
print("console: raw terminal, typed commands, C-a C-a and C-a x: ok")
