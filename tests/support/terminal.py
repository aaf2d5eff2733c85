"""A program at a real terminal (a pty), for tests that type at corosh.

Every step waits for the text it expects, with a timeout; nothing sleeps in
place of synchronization.
"""
import os
import pty
import re
import select
import signal
import time

TIMEOUT = 60


class Terminal:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        self.seen = b""

    def expect(self, pattern, what):
        """Reads until `pattern` (regex, bytes) appears after what was consumed so far."""
        regex = re.compile(pattern, re.DOTALL)
        deadline = time.monotonic() + TIMEOUT
        while True:
            m = regex.search(self.seen)
            if m:
                self.seen = self.seen[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}; the terminal showed:\n{self.seen!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"corosh ended while waiting for {what}; it showed:\n{self.seen!r}")
                self.seen += chunk

    def send(self, data):
        os.write(self.fd, data)

    def wait_exit(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            # Drain output so the child never blocks writing to the pty.
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    os.read(self.fd, 4096)
                except OSError:
                    pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                return status
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("corosh did not exit after Ctrl-D")
