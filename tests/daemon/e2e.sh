#!/usr/bin/env bash
# e2e.sh — hsptd end to end, through hsptctl: a private daemon boots two
# VMs of the reference Linux guest at once, their shadow counters grow,
# one is paused (its counters freeze) and resumed, the console answers a
# command (also on a pty, with stats --watch: ctl_tty.py), `hsptctl set`
# changes a definition, both are stopped and destroyed, the event stream
# saw it all, and SIGTERM ends the daemon cleanly.
#
#   tests/daemon/e2e.sh [BUILD]      (make daemon-test runs it)
set -euo pipefail
BUILD=${1:-build}
TEST_NAME=e2e
. "$(dirname "$0")/lib.sh"

KERNEL=$BUILD/guest/vmlinuz
INITRD=$BUILD/guest/initrd.gz
[ -f "$KERNEL" ] && [ -f "$INITRD" ] || fail "no reference guest in $BUILD/guest (make guest)"
T0=$SECONDS

insns() { $CTL --json stats "$1" | jget 'd["total"]["instructions"]'; }
filled() { $CTL --json stats "$1" | jget 'd["total"]["shadow"]["faults_filled"]'; }
state() { $CTL --json info "$1" | jget 'd["state"]'; }

start_daemon
$CTL --json events > "$T/events.log" 2>&1 &
BG_PIDS+=($!)
sleep 0.2

# The interactive busybox shell (no hspt.workload): the VMs stay up.
for vm in e2e-a e2e-b; do
	$CTL create "$vm" --kernel "$KERNEL" --initrd "$INITRD" --memory 256M \
		--append "console=ttyAMA0" >/dev/null || fail "create $vm"
done
[ "$($CTL --json list | jget 'len(d["vms"])')" = 2 ] || fail "list does not show 2 VMs"
# set: the definition changes (and prints), a bare set is a usage error.
$CTL set e2e-a --autostart --memory 192M | grep -q '^autostart: *yes' || fail "set --autostart"
[ "$($CTL --json info e2e-a | jget 'd["memory"]')" = $((192 << 20)) ] || fail "set --memory"
$CTL set e2e-a --no-autostart --memory 256M >/dev/null || fail "set --no-autostart"
rc=0; $CTL set e2e-a 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "a bare set exits $rc, not 2"
$CTL start e2e-a e2e-b >/dev/null || fail "start"
[ "$(state e2e-a)" = running ] && [ "$(state e2e-b)" = running ] || fail "not running after start"
log "two VMs started ($((SECONDS - T0)) s)"

# Both boot: instructions and shadow fills grow on each.
a1=$(insns e2e-a) b1=$(insns e2e-b) fa1=$(filled e2e-a) fb1=$(filled e2e-b)
sleep 3
a2=$(insns e2e-a) b2=$(insns e2e-b) fa2=$(filled e2e-a) fb2=$(filled e2e-b)
[ "$a2" -gt "$a1" ] && [ "$b2" -gt "$b1" ] || fail "instructions do not grow: $a1->$a2, $b1->$b2"
[ "$fa2" -gt 0 ] && [ "$fb2" -gt 0 ] && [ "$fa2" -ge "$fa1" ] && [ "$fb2" -ge "$fb1" ] ||
	fail "shadow fills do not grow: $fa1->$fa2, $fb1->$fb2"
log "counters grow: e2e-a $a1 -> $a2 insns, $fa2 fills; e2e-b $b1 -> $b2 insns, $fb2 fills"

# Pause e2e-a while it boots: it freezes, e2e-b goes on.
$CTL pause e2e-a >/dev/null || fail "pause"
[ "$(state e2e-a)" = paused ] || fail "not paused"
p1=$(insns e2e-a) b1=$(insns e2e-b)
sleep 2
p2=$(insns e2e-a) b2=$(insns e2e-b)
[ "$p1" = "$p2" ] || fail "a paused VM executes: $p1 -> $p2"
[ "$b2" -gt "$b1" ] || fail "the other VM stopped with it: $b1 -> $b2"
$CTL resume e2e-a >/dev/null || fail "resume"
[ "$(state e2e-a)" = running ] || fail "not running after resume"
sleep 2
[ "$(insns e2e-a)" -gt "$p2" ] || fail "no progress after resume"
log "pause froze e2e-a at $p1 instructions, resume let it go on"

# The console: wait for the shell prompt, then run a command through it.
prompt() { $CTL console "$1" < /dev/null 2>/dev/null | grep -q '^/ # '; }
wait_for 240 prompt e2e-b || fail "no shell prompt on e2e-b's console"
log "e2e-b reached its shell ($((SECONDS - T0)) s)"
(printf 'echo hspt-e2e-$((6*7))\n'; sleep 4) | $CTL console e2e-b --no-scrollback \
	> "$T/console.out" 2>&1 || fail "console"
grep -q 'hspt-e2e-42' "$T/console.out" || fail "the command's output is not on the console: $(cat "$T/console.out")"
log "console: the guest answered"
# The same two commands on a real terminal: raw mode and Ctrl-], and the
# refreshing stats screen.
python3 "$(dirname "$0")/ctl_tty.py" "$BUILD/hsptctl" "$SOCK" e2e-b || fail "hsptctl on a terminal"

# Stop and destroy both; the final counters stay readable until destroy.
$CTL stop e2e-a e2e-b >/dev/null || fail "stop"
[ "$(state e2e-a)" = stopped ] && [ "$(state e2e-b)" = stopped ] || fail "not stopped"
[ "$($CTL --json stats e2e-a | jget 'd["final"]')" = True ] || fail "no final stats"
$CTL destroy e2e-a e2e-b >/dev/null || fail "destroy"
[ "$($CTL --json list | jget 'len(d["vms"])')" = 0 ] || fail "VMs left after destroy"
[ -z "$(ls "$STATE/vms")" ] || fail "definitions left in the state directory"

# The event stream saw the whole life of e2e-a, in order.
sleep 0.3
seq=$(python3 -c 'import json,sys
print(" ".join(e["event"] for e in map(json.loads, open(sys.argv[1])) if e["name"] == "e2e-a"))' \
	"$T/events.log")
[ "$seq" = "created changed changed started paused resumed stopped destroyed" ] || fail "events of e2e-a: $seq"

stop_daemon 15
log "passed in $((SECONDS - T0)) s"
