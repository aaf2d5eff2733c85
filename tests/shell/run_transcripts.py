#!/usr/bin/env python3
"""Transcript tests for the corosh shell.

Each NAME.corosh under this directory is run as `corosh --echo NAME.corosh`
(with NO_COLOR set, in a scratch directory, stdout and stderr captured in one
pipe) and its output compared with NAME.expected, or NAME.<arch>.expected
where the output differs by architecture (registers).

Before comparing, every hexadecimal number of six or more digits in the
output becomes 0xADDR (addresses change from run to run). In the expected
file, {{regex}} matches a part of a line that varies (stack bytes, frame
counts), and a line holding only {{...}} matches any number of lines.

A port from 1024 up that a script listens on (a line `listen 47613 ...`) is a
placeholder: each is replaced, in the script and in the expected output, by a port that is free
when the test runs, so a busy port on the machine cannot fail the test.

usage: run_transcripts.py CoroshBinary ARCH [EMULATOR ARGS...] [-- NAME...]
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from free_port import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def line_pattern(expected_line):
    parts = re.split(r"\{\{(.*?)\}\}", expected_line)
    regex = ""
    for i, part in enumerate(parts):
        regex += part if i % 2 else re.escape(part)
    return re.compile(regex + r"\Z")


def matches(expected, actual):
    """Both are lists of lines; {{...}} lines match any run of lines."""
    memo = {}

    def go(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(expected):
            result = j == len(actual)
        elif expected[i].strip() == "{{...}}":
            result = any(go(i + 1, k) for k in range(j, len(actual) + 1))
        else:
            result = j < len(actual) and line_pattern(expected[i]).match(actual[j]) is not None and go(i + 1, j + 1)
        memo[key] = result
        return result

    sys.setrecursionlimit(100000)
    return go(0, 0)


def first_difference(expected, actual):
    for n, (e, a) in enumerate(zip(expected, actual)):
        if "{{...}}" in e:
            return None
        if line_pattern(e).match(a) is None:
            return n + 1, e, a
    return min(len(expected), len(actual)) + 1, "(end)" if len(expected) <= len(actual) else expected[len(actual)], \
        "(end)" if len(actual) <= len(expected) else actual[len(expected)]


def with_free_ports(script_text, expected_text):
    """Replaces every nonzero port the script listens on with a free one."""
    listened = set(re.findall(r"^\s*listen\s+(\d{4,5})(?:\s|$)", script_text, re.M))
    for port in sorted(p for p in listened if 1024 <= int(p) < 65536):
        pattern, free = re.compile(rf"\b{port}\b"), str(free_port())
        script_text, expected_text = pattern.sub(free, script_text), pattern.sub(free, expected_text)
    return script_text, expected_text


def run(corosh, arch, emulator, name):
    expected_path = os.path.join(HERE, f"{name}.{arch}.expected")
    if not os.path.exists(expected_path):
        expected_path = os.path.join(HERE, name + ".expected")
    with open(os.path.join(HERE, name + ".corosh"), encoding="utf-8") as f:
        script_text = f.read()
    with open(expected_path, encoding="utf-8") as f:
        script_text, expected_text = with_free_ports(script_text, f.read())
    expected = expected_text.splitlines()
    with tempfile.TemporaryDirectory() as scratch:
        script = os.path.join(scratch, name + ".corosh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(script_text)
        env = dict(os.environ, NO_COLOR="1", HOME=scratch)
        proc = subprocess.run(emulator + [corosh, "--echo", script], cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    output = proc.stdout.decode("utf-8", "replace")
    actual = [ADDRESS.sub("0xADDR", line) for line in output.splitlines()]
    problems = []
    if proc.returncode not in (0, 1):
        problems.append(f"exit status {proc.returncode} (a crash?)")
    errors = any(line.startswith("error: ") for line in actual)
    if proc.returncode == 0 and errors or proc.returncode == 1 and not errors:
        problems.append(f"exit status {proc.returncode} does not match the error lines")
    if not matches(expected, actual):
        diff = first_difference(expected, actual)
        where = f" first difference at line {diff[0]}:\n  expected: {diff[1]}\n  actual:   {diff[2]}" if diff else ""
        problems.append("output differs from " + os.path.basename(expected_path) + where)
    if problems:
        print(f"FAIL {name}: " + "; ".join(problems))
        print("---- actual output (addresses masked) ----")
        print("\n".join(actual))
        print("------------------------------------------")
        return False
    print(f"ok   {name}")
    return True


def main():
    args = sys.argv[1:]
    names = []
    if "--" in args:
        names = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    corosh, arch, emulator = args[0], args[1], args[2:]
    if not names:
        names = sorted(f[:-len(".corosh")] for f in os.listdir(HERE) if f.endswith(".corosh"))
    failed = [n for n in names if not run(corosh, arch, emulator, n)]
    print(f"{len(names) - len(failed)} of {len(names)} transcripts passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
