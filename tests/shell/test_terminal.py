#!/usr/bin/env python3
"""corosh at a real terminal (a pty): typing, Tab completion, Ctrl-C of a
long `continue` and of a long `step` (with its progress), an echo client served while the shell sits at its prompt,
a coroutine printing while a line is half typed, and Ctrl-D out. Every step waits for the text it expects, with a timeout;
nothing sleeps in place of synchronization.

usage: test_terminal.py CoroshBinary [EMULATOR ARGS...]
"""
import os
import re
import socket
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from terminal import TIMEOUT, Terminal  # noqa: E402

PROMPT = rb"corosh> "


def main():
    argv = sys.argv[1:]
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, HOME=home, NO_COLOR="1", TERM="xterm")
        t = Terminal(argv, env)
        t.expect(PROMPT, "the first prompt")

        # A command typed at the prompt.
        t.send(b"demos\r")
        t.expect(rb"tree_preorder \[N\]", "the demo list")
        t.expect(PROMPT, "the prompt after `demos`")

        # Tab completes a demo name: "spawn tree_p<Tab>" becomes tree_preorder.
        t.send(b"spawn tree_p\t")
        t.expect(rb"reorder ", "the completed demo name")
        t.send(b"\r")
        t.expect(rb"spawned coroutine 1 'tree_preorder'", "the spawn")
        t.expect(PROMPT, "the prompt after spawn")
        t.send(b"step 4\r")
        t.expect(rb"yielded 8.*yielded 4.*yielded 2.*yielded 1", "four yields")
        t.expect(PROMPT, "the prompt after step")

        # Ctrl-C stops an endless `continue` and the prompt comes back.
        t.send(b"spawn fib\r")
        t.expect(PROMPT, "the prompt after spawning fib")
        t.send(b"continue\r")
        # Let it run until the loop has certainly had resumes to count: the
        # `continue` output only comes after Ctrl-C, so wait for the echo of
        # the command line first, then interrupt.
        t.expect(rb"continue\r\n", "the echoed command")
        t.send(b"\x03")
        t.expect(rb"resumed \d+ times.*interrupted \(Ctrl-C\)", "the interrupted continue")
        t.expect(rb"coroutine 2 'fib': suspended", "fib still suspended")
        t.expect(PROMPT, "the prompt after Ctrl-C")

        # Ctrl-C stops a long step too, which shows its progress every second.
        t.send(b"step fib 1000000\r")
        t.expect(rb"\.\.\. \d+ of 1000000 steps \(Ctrl-C stops\)", "step's progress after a second")
        t.send(b"\x03")
        t.expect(rb"stepped \d+ of 1000000 times; interrupted \(Ctrl-C\)", "the interrupted step")
        t.expect(rb"coroutine 2 'fib': suspended", "fib still suspended after the step")
        t.expect(PROMPT, "the prompt after the interrupted step")

        # An echo client is served while the shell idles at its prompt.
        t.send(b"listen 0\r")
        port = int(t.expect(rb"port (\d+)", "the listening port").group(1))
        t.expect(PROMPT, "the prompt after listen")
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            client.sendall(b"hello, corosh\n")
            received = b""
            while not received.endswith(b"\n"):
                chunk = client.recv(4096)
                if not chunk:
                    break
                received += chunk
            assert received == b"hello, corosh\n", f"echo returned {received!r}"
        t.send(b"conns\r")
        t.expect(rb"1 accepted", "the served connection in `conns`")
        t.expect(PROMPT, "the prompt after conns")

        # Output that arrives while a line is half typed: an echo_client
        # coroutine, woken by the loop at the idle prompt, prints above the
        # prompt, and the prompt comes back with the typed text intact. The
        # server is this test, so the reply arrives only once "dem" is typed.
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen()
            t.send(b"spawn echo_client %d hi\r" % server.getsockname()[1])
            t.expect(PROMPT, "the prompt after spawning echo_client")
            t.send(b"step\r")
            conn, _ = server.accept()
            with conn:
                received = b""
                while not received.endswith(b"\n"):
                    chunk = conn.recv(4096)
                    assert chunk, "echo_client closed before sending"
                    received += chunk
                t.expect(rb"client: sent hi\r\n" + PROMPT, "the prompt back after the client sent")
                t.send(b"dem")
                t.expect(rb"dem", "the half-typed line")
                conn.sendall(received)
                t.expect(rb"\r\x1b\[Kclient: got back hi\r\n", "the client's line, on a line of its own")
                t.expect(rb"client: done, closing\r\n(\x1b\[[0-9;]*[A-Za-z]|\r)*" + PROMPT + rb"dem",
                         "the prompt redrawn with the half-typed line")
        t.send(b"os\r")
        t.expect(rb"tree_preorder \[N\]", "`demos` run from the line typed across the output")
        t.expect(PROMPT, "the prompt after `demos`")

        # Ctrl-D at an empty prompt leaves cleanly.
        t.send(b"\x04")
        status = t.wait_exit()
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"exit status {status}"
        assert os.path.exists(os.path.join(home, ".corosh_history")), "no history file written"
        with open(os.path.join(home, ".corosh_history"), "rb") as f:
            assert b"step" in f.read(), "history lacks the commands typed"
    print("ok: prompt, Tab completion, Ctrl-C of continue, echo served at the prompt, "
          "output above a half-typed line, Ctrl-D")
    return 0


if __name__ == "__main__":
    sys.exit(main())
