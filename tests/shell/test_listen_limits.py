#!/usr/bin/env python3
"""`listen --max-connections N --idle-timeout SECONDS`, served for real.

corosh reads its commands from a pipe, and serves its listeners while it
waits for the next one; this test connects from here in between. With a
limit of one connection: the first client is echoed, a second one is
closed at once without being served, and the first, left silent, is closed
by the idle timeout; a third one is then served again. `conns` and
`conns --json` count each of these.

usage: test_listen_limits.py COROSH [EMULATOR ARGS...]
"""
import json
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from free_port import free_port  # noqa: E402

TIMEOUT = 60


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def echoed(client, data):
    client.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = client.recv(len(data) - len(got))
        check(chunk, f"the connection closed after {got!r} of {data!r}")
        got += chunk
    return got


def closed_by_server(client):
    """True once the server closes the connection (end of stream or reset)."""
    try:
        return client.recv(1) == b""
    except ConnectionResetError:
        return True


class Shell:
    def __init__(self, corosh, emulator, scratch):
        self.proc = subprocess.Popen(emulator + [corosh], cwd=scratch, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=dict(os.environ, NO_COLOR="1", HOME=scratch))

    def command(self, line, expect_lines=1):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        return [self.proc.stdout.readline().decode("utf-8", "replace").rstrip("\n") for _ in range(expect_lines)]

    def close(self):
        self.proc.stdin.close()
        rest = self.proc.stdout.read().decode("utf-8", "replace")
        return self.proc.wait(TIMEOUT), rest


def main():
    corosh, emulator = sys.argv[1], sys.argv[2:]
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        shell = Shell(corosh, emulator, scratch)
        try:
            out = shell.command(f"listen {port} --max-connections 1 --idle-timeout 0.5")
            check(out[0].startswith(f"listening on 127.0.0.1:{port}"), f"listen: {out}")
            first = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
            check(echoed(first, b"hello") == b"hello", "the first client is echoed")
            second = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
            check(closed_by_server(second), "the second client, over the limit, is closed at once")
            check(closed_by_server(first), "the first client, silent, is closed by the idle timeout")
            third = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
            check(echoed(third, b"again") == b"again", "with the first gone, a third client is served")
            text, connection = shell.command("conns", expect_lines=2)
            expected = (f"127.0.0.1:{port} (echo, at most 1 connection, idle timeout 0.5 s): 2 accepted, 1 active, "
                        "10 bytes in, 10 out, 1 refused (at the connection limit), 1 closed idle")
            check(text == expected, f"conns:\n  expected {expected!r}\n  actual   {text!r}")
            check(connection.startswith("  #2 ") and f":{third.getsockname()[1]} " in connection,
                  f"conns: the third client's connection: {connection!r}")
            doc = json.loads(shell.command("conns --json")[0])
            listener = doc["listeners"][0]
            got = {k: listener.get(k) for k in ("max_connections", "idle_timeout_ns", "over_limit", "idle_closed",
                                                 "accepted", "active", "no_guard")}
            want = {"max_connections": 1, "idle_timeout_ns": 500000000, "over_limit": 1, "idle_closed": 1,
                    "accepted": 2, "active": 1, "no_guard": None}
            check(got == want, f"conns --json:\n  expected {want}\n  actual   {got}")
            third.close()
            status, rest = shell.close()
            check(status == 0, f"exit status {status}: {rest}")
        except (AssertionError, OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
            print(f"FAIL listen limits: {e}")
            if shell.proc.poll() is None:
                shell.proc.kill()
            return 1
    print("ok   listen --max-connections and --idle-timeout: refused, closed idle, counted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
