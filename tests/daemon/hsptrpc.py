"""hsptrpc.py — a small JSON-RPC client for hsptd's tests (blocking,
one connection per object, notifications collected as they arrive)."""
import json
import socket
import time


class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Conn:
    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 0
        self.notes = []

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def read_msg(self, timeout=None):
        """The next frame as parsed JSON, or None at end of file."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def request(self, method, params=None):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "method": method, "id": self.next_id}
        if params is not None:
            msg["params"] = params
        self.send_raw((json.dumps(msg) + "\n").encode())
        return self.next_id

    def wait(self, rid, timeout=60):
        """The response to request rid (notifications meanwhile are kept)."""
        deadline = time.monotonic() + timeout
        while True:
            msg = self.read_msg(max(0.1, deadline - time.monotonic()))
            if msg is None:
                raise EOFError("connection closed")
            if isinstance(msg, dict) and "method" in msg:
                self.notes.append(msg)
                continue
            if isinstance(msg, dict) and msg.get("id") == rid:
                return msg

    def call(self, method, params=None, timeout=60):
        resp = self.wait(self.request(method, params), timeout)
        if "error" in resp:
            raise RpcError(resp["error"]["code"], resp["error"]["message"])
        return resp["result"]

    def error(self, method, params=None):
        """The error code a call must fail with (AssertionError if it succeeds)."""
        resp = self.wait(self.request(method, params))
        assert "error" in resp, f"{method} {params}: expected an error, got {resp}"
        return resp["error"]["code"]

    def notification(self, pred, timeout=30):
        """The first notification (kept or arriving) for which pred holds."""
        deadline = time.monotonic() + timeout
        while True:
            for i, n in enumerate(self.notes):
                if pred(n):
                    return self.notes.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no such notification")
            msg = self.read_msg(left)
            if msg is None:
                raise EOFError("connection closed")
            if isinstance(msg, dict) and "method" in msg:
                self.notes.append(msg)
