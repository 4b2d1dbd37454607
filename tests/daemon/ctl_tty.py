#!/usr/bin/env python3
"""ctl_tty.py — hsptctl's interactive commands on a real terminal (a pty),
against a running VM whose shell is up:

- `hsptctl console NAME`: raw mode, so a typed line reaches the guest's
  shell with its carriage return and is answered; Ctrl-] detaches with
  status 0 and the terminal's settings come back as they were;
- `hsptctl stats NAME --watch`: redraws the screen every interval with the
  instruction counter growing, until interrupted.

    tests/daemon/ctl_tty.py HSPTCTL SOCKET NAME     (e2e.sh runs it)
"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time

hsptctl, sock, name = sys.argv[1:4]


def fail(why, out=b""):
    tail = out.decode(errors="replace")[-800:]
    print(f"ctl_tty: FAILED: {why}\n--- last output ---\n{tail}", flush=True)
    sys.exit(1)


def user_signals():
    # As at a terminal: a harness started in the background (CI, nohup ... &)
    # hands its children SIGINT ignored, and the test ends stats --watch
    # with SIGINT, as Ctrl-C would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(args):
    fd, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    proc = subprocess.Popen([hsptctl, "--socket", sock] + args, stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True, preexec_fn=user_signals)
    return fd, slave, before, proc


def read_for(fd, seconds, until=None, out=b""):
    """Read the pty for up to `seconds`, or until `until` appears."""
    end = time.monotonic() + seconds
    while until is None or until not in out:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out


def wait_exit(proc, seconds, out):
    try:
        return proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        fail(f"{proc.args[3:]} still running after {seconds} s", out)


# ---- console: raw mode, an answered command, Ctrl-] detaches ----
fd, slave, before, proc = spawn(["console", name, "--no-scrollback"])
time.sleep(0.5)
during = termios.tcgetattr(slave)
if during[3] & termios.ICANON or during[3] & termios.ECHO:
    fail("console did not put the terminal in raw mode")
# "\r", as a terminal in raw mode sends for Enter: the guest's tty turns it
# into a newline. The arithmetic proves the guest's shell ran the line.
os.write(fd, b"echo tty-$((6 * 7))x\r")
out = read_for(fd, 30, b"tty-42x")
if b"tty-42x" not in out:
    fail("the guest did not answer the typed command", out)
os.write(fd, b"\x1d")
status = wait_exit(proc, 10, out)
if status != 0:
    fail(f"console exited with {status} after Ctrl-]", out)
if termios.tcgetattr(slave) != before:
    fail("the terminal's settings were not restored", out)
os.close(fd)
os.close(slave)
print("ctl_tty: console: raw mode, answered, Ctrl-] detached, terminal restored", flush=True)

# ---- stats --watch: a refreshing screen whose counter grows ----
fd, slave, before, proc = spawn(["stats", name, "--watch", "--interval", "0.3"])
out = read_for(fd, 3)
proc.send_signal(signal.SIGINT)
wait_exit(proc, 10, out)
screens = out.split(b"\033[H\033[2J")[1:]
if len(screens) < 4:
    fail(f"{len(screens)} screens in 3 s at a 0.3 s interval", out)
counts = []
for s in screens:
    m = re.search(rb"instructions\s+(\d+)", s)
    if m:
        counts.append(int(m.group(1)))
if len(counts) < 4 or counts != sorted(counts) or counts[-1] <= counts[0]:
    fail(f"instruction counts across screens: {counts}", out)
if termios.tcgetattr(slave) != before:
    fail("stats --watch changed the terminal's settings", out)
os.close(fd)
os.close(slave)
print(f"ctl_tty: stats --watch: {len(screens)} screens, instructions {counts[0]} -> {counts[-1]}",
      flush=True)
