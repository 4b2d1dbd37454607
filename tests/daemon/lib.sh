# lib.sh — shared by the daemon test scripts: a private hsptd on a
# temporary socket and state directory, and cleanup of every process the
# test started, also when it fails or is interrupted.
#
# The caller sets BUILD (the build tree) and sources this file.

T=$(mktemp -d "${TMPDIR:-/tmp}/hsptd-test.XXXXXX")
SOCK=$T/hsptd.sock
STATE=$T/state
HSPTD=$BUILD/hsptd
CTL="$BUILD/hsptctl --socket $SOCK"
DAEMON_PID=
BG_PIDS=()

log() { printf '%s: %s\n' "${TEST_NAME:-test}" "$*" >&2; }
fail() {
	log "FAILED: $*"
	if [ -f "$T/daemon.log" ]; then
		log "last daemon log lines:"
		tail -n 20 "$T/daemon.log" >&2
	fi
	exit 1
}

# A field of JSON on standard input, as a Python expression over d.
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# Workers are the daemon's children: find them even if the daemon died.
worker_pids() {
	[ -n "$DAEMON_PID" ] || return 0
	pgrep -f "^hsptd worker .*" -P "$DAEMON_PID" 2>/dev/null || true
}

cleanup() {
	local status=$? pids
	pids=$(worker_pids)
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		for _ in $(seq 1 150); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
	fi
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ "$status" -eq 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$T"
	else
		log "logs kept in $T"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start hsptd in the background and wait until it answers.
start_daemon() {
	"$HSPTD" serve --socket "$SOCK" --state-dir "$STATE" --stop-timeout 5 "$@" \
		>>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 1 100); do
		$CTL daemon >/dev/null 2>&1 && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "hsptd exited at start"
		sleep 0.05
	done
	fail "hsptd does not answer on $SOCK"
}

# Stop hsptd with SIGTERM; it must exit 0 within $1 seconds.
stop_daemon() {
	local limit=${1:-15} status
	kill -TERM "$DAEMON_PID"
	for _ in $(seq 1 $((limit * 10))); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$DAEMON_PID" 2>/dev/null && fail "hsptd still running ${limit} s after SIGTERM"
	status=0
	wait "$DAEMON_PID" || status=$?
	[ "$status" -eq 0 ] || fail "hsptd exited with status $status after SIGTERM"
	DAEMON_PID=
}

# Wait up to $1 seconds for a command to succeed.
wait_for() {
	local limit=$1
	shift
	local end=$((SECONDS + limit))
	while [ $SECONDS -lt $end ]; do
		"$@" && return 0
		sleep 0.5
	done
	return 1
}
