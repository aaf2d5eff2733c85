"""A TCP port on 127.0.0.1 that nothing listens on right now, for the test
scripts that start listeners or stand in for a server."""
import socket


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
