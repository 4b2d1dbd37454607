#!/usr/bin/env python3
"""hostile.py — hostile input against a live hsptd (in the spirit of redis'
tests/unit/protocol.tcl): malformed, truncated, oversized and deeply nested
frames, wrong types, unknown methods and VMs, duplicate names, bad images,
vm.set's checks, states and failed saves,
permissions, 120 concurrent clients and the connection limit, clients that
hang up mid-request, a worker killed with SIGKILL, a daemon restart, and
the examples of docs/protocol.md replayed against the real daemon. After
every case the daemon must still serve.

    python3 tests/daemon/hostile.py [BUILD]     (make daemon-test runs it)

Every process it starts is ended on the way out, also on failure."""
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hsptrpc import Conn, RpcError  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(BUILD, "guest", "vmlinuz")
INITRD = os.path.join(BUILD, "guest", "initrd.gz")

PARSE, INVALID, NO_METHOD, BAD_PARAMS = -32700, -32600, -32601, -32602
NO_VM, EXISTS, BAD_STATE, PERMISSION, LIMIT, GUEST_IMAGE = -32000, -32001, -32002, -32003, -32005, -32007

TMP = tempfile.mkdtemp(prefix="hsptd-hostile.")
SOCK = os.path.join(TMP, "hsptd.sock")
STATE = os.path.join(TMP, "state")
MAX_CLIENTS = 160
daemon = None
passed = []


def start_daemon():
    global daemon
    log = open(os.path.join(TMP, "daemon.log"), "a")
    daemon = subprocess.Popen([os.path.join(BUILD, "hsptd"), "serve", "--socket", SOCK,
                               "--state-dir", STATE, "--max-clients", str(MAX_CLIENTS),
                               "--stop-timeout", "5"], stdout=log, stderr=log)
    for _ in range(200):
        try:
            Conn(SOCK).close()
            return
        except OSError:
            if daemon.poll() is not None:
                raise RuntimeError("hsptd exited at start")
            time.sleep(0.02)
    raise RuntimeError("hsptd does not answer")


def stop_daemon():
    global daemon
    daemon.send_signal(signal.SIGTERM)
    status = daemon.wait(timeout=20)
    daemon = None
    assert status == 0, f"hsptd exited with {status} after SIGTERM"


def alive():
    """The daemon still serves a fresh client."""
    assert daemon.poll() is None, "hsptd died"
    c = Conn(SOCK, timeout=10)
    assert c.call("daemon.info")["version"]
    c.close()


def case(fn):
    name = fn.__name__
    t0 = time.monotonic()
    fn()
    alive()
    passed.append(name)
    print(f"hostile: {name}: ok ({time.monotonic() - t0:.2f} s)", flush=True)


def raw(c, data):
    """Send raw bytes; return the next frame."""
    c.send_raw(data)
    return c.read_msg(10)


def fake_kernel(mode=0o644):
    path = os.path.join(TMP, f"not-a-zimage-{mode:o}")
    with open(path, "wb") as f:
        f.write(b"\x7fELF" + b"\0" * 4096)
    os.chmod(path, mode)
    return path


# ---- The cases ----

def malformed_json():
    c = Conn(SOCK)
    for frame in [b"{", b"nope", b'{"jsonrpc":"2.0",}', b"\xff\xfe", b'{"a":1,"a":2}',
                  b'{"jsonrpc":"2.0","method":"vm.list","id":1', b'"\\u0000"',
                  b'{"jsonrpc":"2.0","method":"vm.create","params":{"vcpus":99999999999999999999},"id":1}']:
        r = raw(c, frame + b"\n")
        assert r["error"]["code"] == PARSE and r["id"] is None, (frame, r)
    r = raw(c, b"a\0b\n")
    assert r["error"]["code"] == PARSE, r
    assert c.call("vm.list") == {"vms": []}
    c.close()


def invalid_requests():
    c = Conn(SOCK)
    cases = [(b"[]", INVALID), (b"42", INVALID), (b'{"method":"vm.list","id":1}', INVALID),
             (b'{"jsonrpc":"1.0","method":"vm.list","id":1}', INVALID),
             (b'{"jsonrpc":"2.0","method":7,"id":1}', INVALID),
             (b'{"jsonrpc":"2.0","method":"vm.list","id":1.5}', INVALID),
             (b'{"jsonrpc":"2.0","method":"vm.list","param":{},"id":1}', INVALID),
             (b'{"jsonrpc":"2.0","method":"vm.list","params":[1],"id":1}', BAD_PARAMS)]
    for frame, code in cases:
        r = raw(c, frame + b"\r\n")
        assert r["error"]["code"] == code, (frame, r)
    r = raw(c, b'[1,{"jsonrpc":"2.0","method":"vm.list","id":"b"}]\n')
    assert isinstance(r, list) and len(r) == 2, r
    # A notification is never answered, nor a response-looking message.
    c.send_raw(b'{"jsonrpc":"2.0","method":"no.such"}\n{"jsonrpc":"2.0","result":1,"id":5}\n')
    assert c.call("vm.list") == {"vms": []}
    c.close()


def oversized_frame():
    c = Conn(SOCK)
    big = b'{"jsonrpc":"2.0","method":"vm.list","id":1,"x":"' + b"A" * (2 << 20) + b'"}\n'
    r = raw(c, big)
    assert r["error"]["code"] == INVALID and "frame larger" in r["error"]["message"], r
    assert c.call("vm.list") == {"vms": []}  # the connection still works
    c.close()


def deep_nesting():
    c = Conn(SOCK)
    r = raw(c, b"[" * 200000 + b"\n")
    assert r["error"]["code"] == PARSE, r
    params = "{\"name\":" + "[" * 70 + "]" * 70 + "}"
    r = raw(c, ('{"jsonrpc":"2.0","method":"vm.info","params":%s,"id":1}\n' % params).encode())
    assert r["error"]["code"] == PARSE, r
    c.close()


def wrong_types():
    c = Conn(SOCK)
    k = fake_kernel()
    for params in [{"name": 1, "kernel": k}, {"name": "x", "kernel": k, "vcpus": "two"},
                   {"name": "x", "kernel": k, "vcpus": 0}, {"name": "x", "kernel": k, "vcpus": 9},
                   {"name": "x", "kernel": k, "memory": 1}, {"name": "x", "kernel": k, "memory": (64 << 20) + 1},
                   {"name": "x", "kernel": k, "autostart": "yes"}, {"name": "x", "kernel": k, "spt": "bogus"},
                   {"name": "x", "kernel": k, "vcpu": 2}, {"name": "x"}, {"name": "../x", "kernel": k},
                   {"name": "", "kernel": k}, {"name": "x" * 65, "kernel": k}, {"name": "x", "kernel": "vmlinuz"},
                   {"name": "x", "kernel": k, "append": None}]:
        assert c.error("vm.create", params) == BAD_PARAMS, params
    assert c.error("vm.stop", {"name": "x", "timeout": -1}) == BAD_PARAMS
    assert c.error("vm.list", {"all": True}) == BAD_PARAMS
    c.close()


def unknown_methods_and_vms():
    c = Conn(SOCK)
    assert c.error("vm.reboot", {"name": "x"}) == NO_METHOD
    assert c.error("rpc.discover") == NO_METHOD
    for m in ["vm.start", "vm.pause", "vm.resume", "vm.stop", "vm.destroy", "vm.info", "vm.stats",
              "vm.console"]:
        assert c.error(m, {"name": "ghost"}) == NO_VM, m
    c.close()


def bad_images():
    c = Conn(SOCK)
    assert c.error("vm.create", {"name": "img", "kernel": fake_kernel()}) == GUEST_IMAGE
    assert c.error("vm.create", {"name": "img", "kernel": "/nonexistent/vmlinuz"}) == GUEST_IMAGE
    assert c.error("vm.create", {"name": "img", "kernel": "/dev/null"}) == GUEST_IMAGE
    assert c.error("vm.create", {"name": "img", "kernel": TMP}) == GUEST_IMAGE
    assert c.error("vm.create", {"name": "img", "kernel": KERNEL, "initrd": "/nonexistent"}) == GUEST_IMAGE
    assert c.call("vm.list") == {"vms": []}
    c.close()


def duplicates_and_states():
    c = Conn(SOCK)
    c.call("vm.create", {"name": "dup", "kernel": KERNEL, "initrd": INITRD})
    assert c.error("vm.create", {"name": "dup", "kernel": KERNEL}) == EXISTS
    for m in ["vm.pause", "vm.resume", "vm.stop"]:
        assert c.error(m, {"name": "dup"}) == BAD_STATE, m
    assert c.error("vm.console", {"name": "dup", "text": "x"}) == BAD_STATE
    assert c.error("vm.console", {"name": "dup", "input": "not base64!"}) == BAD_PARAMS
    assert c.error("vm.stats", {"name": "dup"}) == BAD_STATE
    # RAM too small for the kernel and initrd: refused when the worker loads it.
    c.call("vm.create", {"name": "tiny", "kernel": KERNEL, "initrd": INITRD, "memory": 32 << 20})
    assert c.error("vm.start", {"name": "tiny"}) == GUEST_IMAGE
    info = c.call("vm.info", {"name": "tiny"})
    assert info["state"] == "stopped" and info["last_exit"]["reason"] == "start-failed", info
    c.call("vm.destroy", {"name": "tiny"})
    c.call("vm.destroy", {"name": "dup"})
    assert c.error("vm.destroy", {"name": "dup"}) == NO_VM
    c.close()



def vm_set():
    """vm.set: checked like vm.create, boot fields only while stopped,
    saved before it takes effect (a state directory that refuses the
    write changes nothing), and kept across a daemon restart."""
    c = Conn(SOCK)
    c.call("vm.create", {"name": "edit", "kernel": KERNEL, "initrd": INITRD})
    assert c.error("vm.set", {"name": "edit"}) == BAD_PARAMS
    assert c.error("vm.set", {"name": "nope", "autostart": True}) == NO_VM
    for bad in [{"vcpus": 0}, {"vcpus": 99}, {"memory": (64 << 20) + 1}, {"spt": "group:x"},
                {"spt": "fast"}, {"colour": "red"}, {"autostart": "yes"}, {"kernel": "vmlinuz"},
                {"kernel": ""}]:
        assert c.error("vm.set", dict(name="edit", **bad)) == BAD_PARAMS, bad
    assert c.error("vm.set", {"name": "edit", "kernel": fake_kernel()}) == GUEST_IMAGE
    assert c.error("vm.set", {"name": "edit", "initrd": "/nonexistent"}) == GUEST_IMAGE
    info = c.call("vm.info", {"name": "edit"})
    assert info["vcpus"] == 1 and info["initrd"] == INITRD and not info["autostart"], info
    r = c.call("vm.set", {"name": "edit", "vcpus": 2, "memory": 256 << 20, "spt": "group:4",
                          "append": "console=ttyAMA0 quiet", "initrd": "", "autostart": True})
    assert r["vcpus"] == 2 and r["memory"] == 256 << 20 and r["spt"] == "group:4", r
    assert "initrd" not in r and r["append"] == "console=ttyAMA0 quiet" and r["autostart"], r
    with open(os.path.join(STATE, "vms", "edit.json")) as f:
        saved = json.load(f)
    assert saved["vcpus"] == 2 and saved["autostart"] and "initrd" not in saved, saved
    # The state directory refuses the write: the old definition stays.
    vms = os.path.join(STATE, "vms")
    os.rename(vms, vms + ".away")
    open(vms, "w").close()
    try:
        assert c.error("vm.set", {"name": "edit", "vcpus": 3}) == -32603
    finally:
        os.unlink(vms)
        os.rename(vms + ".away", vms)
    assert c.call("vm.info", {"name": "edit"})["vcpus"] == 2
    # Running: autostart may change, what the boot read may not.
    c.call("vm.set", {"name": "edit", "initrd": INITRD, "autostart": False})
    c.call("vm.start", {"name": "edit"})
    assert c.error("vm.set", {"name": "edit", "vcpus": 1}) == BAD_STATE
    assert c.error("vm.set", {"name": "edit", "autostart": True, "append": "x"}) == BAD_STATE
    assert c.call("vm.set", {"name": "edit", "autostart": True})["state"] == "running"
    c.call("vm.stop", {"name": "edit", "force": True})
    c.call("vm.set", {"name": "edit", "autostart": False, "vcpus": 1})
    c.close()
    stop_daemon()
    start_daemon()
    c = Conn(SOCK)
    info = c.call("vm.info", {"name": "edit"})
    assert info["vcpus"] == 1 and info["memory"] == 256 << 20 and not info["autostart"], info
    assert info["state"] == "stopped", info
    c.call("vm.destroy", {"name": "edit"})
    c.close()

def many_clients():
    conns = [Conn(SOCK) for _ in range(120)]
    ids = [(c, c.request("daemon.info")) for c in conns]
    for c, rid in ids:
        r = c.wait(rid, 20)
        assert r["result"]["clients"] >= 1, r
    for c in conns:
        c.close()


def connection_limit():
    conns = []
    while len(conns) < MAX_CLIENTS:
        conns.append(Conn(SOCK))
        if len(conns) % 40 == 0:  # be sure the daemon has counted them
            conns[-1].call("vm.list")
    conns[-1].call("vm.list")
    extra = Conn(SOCK)
    r = extra.read_msg(10)
    assert r["error"]["code"] == LIMIT and r["id"] is None, r
    assert extra.read_msg(10) is None  # and it hangs up
    for c in conns:
        c.close()
    time.sleep(0.2)


def hangups_mid_request():
    c = Conn(SOCK)
    c.call("vm.create", {"name": "hang", "kernel": KERNEL, "initrd": INITRD})
    c.close()
    for frame in [b'{"jsonrpc":"2.0","method":"vm.li', b'{"jsonrpc":"2.0","method":"vm.start",'
                  b'"params":{"name":"hang"},"id":1}\n', b"[" * 1000]:
        h = Conn(SOCK)
        h.send_raw(frame)
        h.close()
    c = Conn(SOCK)
    # The start above was answered to nobody, but it happened.
    deadline = time.monotonic() + 30
    while c.call("vm.info", {"name": "hang"})["state"] != "running":
        assert time.monotonic() < deadline, "the start of a vanished client never completed"
        time.sleep(0.1)
    for _ in range(20):  # deferred answers for clients that are gone
        h = Conn(SOCK)
        h.request("vm.stats", {"name": "hang"})
        h.request("vm.console", {"name": "hang", "text": "\n"})
        h.close()
    assert c.call("vm.stats", {"name": "hang"})["total"]["instructions"] > 0
    c.close()


def worker_sigkill():
    c = Conn(SOCK)
    c.call("events.subscribe")
    c.call("vm.create", {"name": "victim", "kernel": KERNEL, "initrd": INITRD})
    c.call("vm.start", {"name": "victim"})
    pid = c.call("vm.info", {"name": "victim"})["pid"]
    os.kill(pid, signal.SIGKILL)
    ev = c.notification(lambda n: n["method"] == "event" and n["params"]["name"] == "victim"
                        and n["params"]["event"] in ("crashed", "stopped"), 15)
    assert ev["params"]["event"] == "crashed" and ev["params"]["signal"] == 9, ev
    info = c.call("vm.info", {"name": "victim"})
    assert info["state"] == "crashed" and info["last_exit"]["signal"] == 9 and "pid" not in info, info
    # The other VM did not notice; the crashed one starts again.
    assert c.call("vm.info", {"name": "hang"})["state"] == "running"
    c.call("vm.start", {"name": "victim"})
    c.call("vm.stop", {"name": "victim", "force": True})
    assert c.call("vm.info", {"name": "victim"})["last_exit"]["reason"] == "killed"
    c.call("vm.destroy", {"name": "victim"})
    c.close()


def permissions():
    mode = stat.S_IMODE(os.stat(SOCK).st_mode)
    assert mode == 0o660, f"socket mode {mode:o}"
    if os.getuid() != 0:
        print("hostile: permissions: not root, other-uid checks skipped", flush=True)
        return
    os.chmod(SOCK, 0o666)  # let uid 65534 in, for this test only
    secret = fake_kernel(0o600)
    readable = os.path.join(TMP, "kernel-for-nobody")
    shutil.copy(KERNEL, readable)
    os.chmod(readable, 0o644)
    os.chmod(TMP, 0o755)
    script = f"""
import os, sys
sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
from hsptrpc import Conn  # before setuid: the interpreter's files may be root's
os.setgroups([]); os.setgid(65534); os.setuid(65534)
c = Conn({SOCK!r})
assert [v["name"] for v in c.call("vm.list")["vms"]] == [], "sees root's VMs"
for m in ["vm.info", "vm.start", "vm.stop", "vm.destroy", "vm.stats", "vm.console"]:
    assert c.error(m, {{"name": "hang"}}) == {PERMISSION}, m
assert c.error("vm.create", {{"name": "n1", "kernel": {secret!r}}}) == {GUEST_IMAGE}
c.call("vm.create", {{"name": "nobodys", "kernel": {readable!r}}})
assert c.call("vm.info", {{"name": "nobodys"}})["owner"] == 65534
assert [v["name"] for v in c.call("vm.list")["vms"]] == ["nobodys"]
assert c.call("daemon.info")["caller"]["admin"] is False
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    os.chmod(SOCK, 0o660)
    assert r.returncode == 0, r.stderr
    c = Conn(SOCK)
    assert c.call("vm.info", {"name": "nobodys"})["owner"] == 65534  # root sees everything
    c.call("vm.destroy", {"name": "nobodys"})
    c.close()


def daemon_restart():
    c = Conn(SOCK)
    c.call("vm.create", {"name": "keep", "kernel": KERNEL, "initrd": INITRD, "vcpus": 2,
                         "memory": 128 << 20, "append": "console=ttyAMA0 quiet"})
    c.call("vm.create", {"name": "auto", "kernel": KERNEL, "initrd": INITRD, "autostart": True})
    c.close()
    stop_daemon()  # "hang" is still running: SIGTERM stops it
    assert not os.path.exists(SOCK), "socket left behind"
    start_daemon()
    c = Conn(SOCK)
    vms = {v["name"]: v for v in c.call("vm.list")["vms"]}
    assert set(vms) == {"auto", "hang", "keep"}, vms
    assert vms["keep"]["vcpus"] == 2 and vms["keep"]["memory"] == 128 << 20, vms
    assert vms["hang"]["state"] == "stopped", vms
    deadline = time.monotonic() + 30
    while c.call("vm.info", {"name": "auto"})["state"] != "running":
        assert time.monotonic() < deadline, "autostart VM did not start"
        time.sleep(0.1)
    c.call("vm.stop", {"name": "auto", "force": True})
    for n in ["auto", "hang", "keep"]:
        c.call("vm.destroy", {"name": n})
    c.close()
    # A corrupt definition is skipped, not fatal.
    with open(os.path.join(STATE, "vms", "broken.json"), "w") as f:
        f.write("{ not json")
    stop_daemon()
    start_daemon()
    os.unlink(os.path.join(STATE, "vms", "broken.json"))


# ---- docs/protocol.md's examples ----

def same_shape(example, real, path="result"):
    """Every member of the example is in the real answer, with its type."""
    if isinstance(example, dict):
        assert isinstance(real, dict), f"{path}: expected an object, got {real!r}"
        for k, v in example.items():
            assert k in real, f"{path}.{k}: in the example, not in the answer {real!r}"
            same_shape(v, real[k], f"{path}.{k}")
    elif isinstance(example, list):
        assert isinstance(real, list), f"{path}: expected an array"
        if example and real:
            same_shape(example[0], real[0], path + "[0]")
    elif isinstance(example, bool) or example is None:
        assert type(real) is type(example), f"{path}: {example!r} vs {real!r}"
    elif isinstance(example, (int, float)):
        assert isinstance(real, (int, float)) and not isinstance(real, bool), f"{path}: {real!r}"
    else:
        assert isinstance(real, str), f"{path}: expected a string, got {real!r}"


def doc_examples():
    """Replay every "-->" request of docs/protocol.md, in order, and check
    the "<--" answer that follows it: same shape, same error code."""
    text = open(os.path.join(ROOT, "docs", "protocol.md")).read()
    pairs, req = [], None
    for line in text.splitlines():
        if line.startswith("--> "):
            req = json.loads(line[4:])
        elif line.startswith("<-- ") and req is not None:
            pairs.append((req, json.loads(line[4:])))
            req = None
    assert len(pairs) >= 12, f"only {len(pairs)} examples in docs/protocol.md"
    c = Conn(SOCK)
    for req, want in pairs:
        p = req.get("params", {})
        for key, real in (("kernel", KERNEL), ("initrd", INITRD)):
            if key in p:
                p[key] = real
        c.send_raw((json.dumps(req) + "\n").encode())
        got = c.wait(req["id"], 60)
        if "error" in want:
            assert "error" in got and got["error"]["code"] == want["error"]["code"], (req, got)
        else:
            assert "result" in got, (req, got)
            same_shape(want["result"], got["result"])
        if req["method"] == "vm.start":
            time.sleep(1)  # let the examples' stats show a booting guest
    for n in [v["name"] for v in c.call("vm.list")["vms"]]:
        try:
            c.call("vm.stop", {"name": n, "force": True})
        except RpcError:
            pass
        c.call("vm.destroy", {"name": n})
    c.close()
    print(f"hostile: doc_examples: {len(pairs)} examples", flush=True)


def main():
    t0 = time.monotonic()
    status = 1
    try:
        assert os.path.exists(KERNEL) and os.path.exists(INITRD), "no reference guest (make guest)"
        start_daemon()
        for fn in [malformed_json, invalid_requests, oversized_frame, deep_nesting, wrong_types,
                   unknown_methods_and_vms, bad_images, duplicates_and_states, vm_set, many_clients,
                   connection_limit, hangups_mid_request, worker_sigkill, permissions,
                   daemon_restart, doc_examples]:
            case(fn)
        stop_daemon()
        status = 0
        print(f"hostile: {len(passed)} cases passed in {time.monotonic() - t0:.1f} s", flush=True)
    except Exception:
        traceback.print_exc()
        print(f"hostile: FAILED after {passed}; logs in {TMP}", flush=True)
    finally:
        if daemon is not None:
            workers = subprocess.run(["pgrep", "-P", str(daemon.pid)], capture_output=True,
                                     text=True).stdout.split()
            daemon.kill()
            daemon.wait()
            for pid in workers:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        if status == 0:
            shutil.rmtree(TMP, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
