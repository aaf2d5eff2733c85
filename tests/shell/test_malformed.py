#!/usr/bin/env python3
"""A flood of malformed input piped into corosh: random bytes, unknown
commands, bad ids, huge numbers, very long lines, missing and extra
arguments. corosh must not crash and must answer every line with exactly one
error line.

usage: test_malformed.py CoroshBinary [EMULATOR ARGS...]
"""
import os
import random
import subprocess
import sys

LINES = 1200


def malformed(rng):
    kind = rng.randrange(10)
    if kind == 0:  # binary junk: at least one control byte, never a newline
        junk = bytes(rng.choice([b for b in range(256) if b != 10]) for _ in range(rng.randrange(1, 80)))
        return junk + bytes([rng.choice([0, 1, 7, 27, 127])])
    if kind == 1:  # an unknown command
        word = "".join(rng.choice("qxzjvwk") for _ in range(rng.randrange(3, 12)))
        return word.encode() + b" " + str(rng.randrange(100)).encode()
    if kind == 2:  # a bad id
        return rng.choice([b"select", b"kill", b"info", b"stack", b"regs", b"ctx"]) + b" " + \
            str(rng.randrange(1000, 10**6)).encode()
    if kind == 3:  # a huge number
        return rng.choice([b"step", b"listen", b"wait", b"spawn tree_preorder"]) + b" " + \
            str(rng.randrange(10**30, 10**40)).encode()
    if kind == 4:  # a very long line
        return b"step " + b"9" * rng.randrange(5000, 20000)
    if kind == 5:  # missing arguments
        return rng.choice([b"select", b"kill", b"listen", b"unlisten", b"spawn", b"trace save"])
    if kind == 6:  # extra arguments
        return rng.choice([b"list 1", b"demos x", b"loop x y", b"quit now", b"conns 3", b"help a b"])
    if kind == 7:  # bad names and words
        return rng.choice([b"select ", b"info ", b"kill "]) + \
            "".join(rng.choice("abcdefgh_") for _ in range(rng.randrange(1, 20))).encode()
    if kind == 8:  # unterminated quotes
        return b"spawn tree_preorder \"" + b"x" * rng.randrange(5)
    return rng.choice([b"step", b"continue", b"stack", b"regs", b"ctx"])  # nothing selected


def main():
    argv = sys.argv[1:]
    rng = random.Random(4)
    lines = [malformed(rng) for _ in range(LINES)]
    data = b"\n".join(lines) + b"\n"
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600)
    out = proc.stdout.decode("utf-8", "replace").splitlines()
    err = proc.stderr.decode("utf-8", "replace").splitlines()
    problems = []
    if proc.returncode != 1:
        problems.append(f"exit status {proc.returncode}, expected 1 (errors, no crash)")
    if out:
        problems.append(f"{len(out)} lines on stdout, expected none; first: {out[0]!r}")
    if len(err) != LINES:
        problems.append(f"{len(err)} error lines for {LINES} input lines")
    bad = [e for e in err if not e.startswith("error: ")]
    if bad:
        problems.append(f"{len(bad)} stderr lines are not errors; first: {bad[0]!r}")
    if problems:
        print("FAIL: " + "; ".join(problems))
        for line, answer in list(zip(lines, err))[:0]:
            print(line[:60], "->", answer)
        return 1
    print(f"ok: {LINES} malformed lines, {len(err)} error lines, exit status {proc.returncode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
