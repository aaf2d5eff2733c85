#!/usr/bin/env python3
"""Reruns the corosh sessions shown in a markdown file and compares them.

A session block in the markdown is a fenced block whose info string starts
with `corosh-session`:

    ```corosh-session
    corosh> spawn tree_preorder
    spawned coroutine 1 'tree_preorder' (256 KiB stack), selected
    corosh> step 2
    yielded 8
    yielded 4
    coroutine 1 'tree_preorder': suspended
    ```

Lines after the prompt `corosh> ` are commands, the others are what the
command printed. All blocks of one file are ONE session, in order (ids go
on counting from block to block, as they would for a reader typing along).
A block marked `corosh-session arch=x86_64` (or arm64) is compared only on
that architecture and skipped elsewhere, so such a block must only look
(regs, ctx), never change what later blocks see.

Comparison, line by line, after masking what changes from run to run or
from machine to machine, the same on both sides:
  - hexadecimal numbers of six or more digits become 0xADDR (as in
    tests/shell), so registers and addresses are shown for real but not
    compared;
  - fd numbers, byte counts of stack use, milliseconds left, loop counters,
    the frames elided as "... N more frames", and the counts of folded stack
    lines ("×225", "… 7 corosh frames") become N; switch_x86_64.S
    and switch_arm64.S become switch_ARCH.S (their line numbers too, as the
    two files differ);
  - runs of blanks count as one (column widths follow the values).
Source line numbers are compared: a backtrace in the docs must point at the
line the code really has. The pages show x86_64, so that is where they are
compared (a block marked for another architecture is compared there); on
others the compiler may place a faulting instruction on a neighbouring line,
and the numbers of blocks shown for x86_64 are masked. After changing the code, rerun with --update
(see usage) to rewrite the blocks from what corosh prints now; a block's
`...` lines are kept, with the lines before and after them refreshed.
A line holding only `...` in the markdown stands for any number of lines.

A port from 1024 up that the session listens on (`listen 47171`) is shown
for the reader's sake: the test replaces it, in the commands and in the
expected output, by a port that is free when it runs.

A session runs in a scratch directory, or with `--in DIR` in DIR (where a
page has built the files its session uses: docs/your-own-code.md's plugin).

usage: test_sessions.py [--update] [--in DIR] COROSH ARCH MARKDOWN [EMULATOR ARGS...]
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from free_port import free_port  # noqa: E402

PROMPT = "corosh> "
MASKS = [
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "0xADDR"),
    (re.compile(r"switch_(?:x86_64|arm64)\.S(:\d+)?"), "switch_ARCH.S"),
    (re.compile(r"\bfd \d+"), "fd N"),
    (re.compile(r"\d+ bytes (in use|below)"), r"N bytes \1"),
    (re.compile(r"\b\d+/(\d+ KiB)"), r"N/\1"),
    (re.compile(r"\d+ KiB touched"), "N KiB touched"),
    (re.compile(r"\d+ ms left"), "N ms left"),
    (re.compile(r"\d+ (fds registered|iterations|polls|events)"), r"N \1"),
    (re.compile(r"\.\.\. \d+ more frames"), "... N more frames"),
    (re.compile(r"\u00d7\d+"), "\u00d7N"),
    (re.compile(r"\u2026 \d+ (corosh frames?|frames? left out)"), "\u2026 N \\1"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"\s+"), " "),
]


LINE_NUMBER = (re.compile(r"\b([\w.+-]+\.(?:cpp|hpp|h|c)|tuple):\d+\b"), r"\1:N")
SHOWN_ARCH = "x86_64"  # what the blocks without arch= show


def mask(line, lines_too=False):
    for pattern, replacement in MASKS + ([LINE_NUMBER] if lines_too else []):
        line = pattern.sub(replacement, line)
    return line.strip()


def blocks(markdown):
    """[(line number, arch or None, [(command, [expected lines], index of the first)])]"""
    found, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        m = re.match(r"```corosh-session\b(.*)$", lines[i])
        if not m:
            i += 1
            continue
        arch = re.search(r"arch=(\S+)", m.group(1))
        start, body, i = i + 1, [], i + 1
        while not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        steps = []
        for n, line in enumerate(body):
            if line.startswith(PROMPT):
                steps.append((line[len(PROMPT):], [], start + n + 1))
            elif steps:
                steps[-1][1].append(line)
            else:
                raise SystemExit(f"line {start + 1}: a session block starts with `{PROMPT}COMMAND`")
        found.append((start, arch.group(1) if arch else None, steps))
        i += 1
    return found


def matches(expected, actual):
    """Masked lines; a `...` line in `expected` matches any run of lines."""
    memo = {}

    def go(i, j):
        if (i, j) not in memo:
            if i == len(expected):
                memo[i, j] = j == len(actual)
            elif expected[i] == "...":
                memo[i, j] = any(go(i + 1, k) for k in range(j, len(actual) + 1))
            else:
                memo[i, j] = j < len(actual) and expected[i] == actual[j] and go(i + 1, j + 1)
        return memo[i, j]

    return go(0, 0)


def with_free_ports(steps):
    """Replaces every port from 1024 up that a `listen PORT` step names; also
    returns {free port: documented port}."""
    listened = {m.group(1) for _, command, _, _, _ in steps
                for m in [re.fullmatch(r"\s*listen\s+(\d{4,5})\s*", command)] if m and 1024 <= int(m.group(1)) < 65536}
    back = {}
    for port in listened:
        pattern, free = re.compile(rf"\b{port}\b"), str(free_port())
        back[free] = port
        steps = [(start, pattern.sub(free, command), [pattern.sub(free, line) for line in expected], at, lines)
                 for start, command, expected, at, lines in steps]
    return steps, back


def refreshed(expected, actual):
    """`actual` as the block should now show it: an elided block (with a
    `...` line) keeps its shape, the lines around the elision renewed."""
    if "..." not in [l.strip() for l in expected]:
        return actual
    cut = [l.strip() for l in expected].index("...")
    head, tail = cut, len(expected) - cut - 1
    return actual[:head] + [expected[cut]] + (actual[len(actual) - tail:] if tail else [])


def update(path, edits):
    """Rewrites the markdown's expected lines: edits = [(index, old count, new lines)]."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for at, count, new in sorted(edits, reverse=True):
        lines[at:at + count] = new
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    argv = sys.argv[1:]
    updating = argv[:1] == ["--update"]
    if updating:
        argv = argv[1:]
    workdir = None
    if argv[:1] == ["--in"]:
        workdir, argv = argv[1], argv[2:]
    corosh, arch, path, emulator = argv[0], argv[1], argv[2], argv[3:]
    with open(path, encoding="utf-8") as f:
        found = blocks(f.read())
    if not found:
        print(f"FAIL {path}: no corosh-session blocks")
        return 1
    steps = [(start, command, expected, at, block_arch is None and arch != SHOWN_ARCH)
             for start, block_arch, block in found if block_arch in (None, arch) for command, expected, at in block]
    steps, documented_port = with_free_ports(steps)
    with tempfile.TemporaryDirectory() as scratch:
        script = os.path.join(scratch, "session.corosh")
        with open(script, "w", encoding="utf-8") as f:
            f.write("".join(command + "\n" for _, command, _, _, _ in steps))
        env = dict(os.environ, NO_COLOR="1", HOME=scratch)
        proc = subprocess.run(emulator + [corosh, "--echo", script], cwd=workdir or scratch, env=env,
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    output = proc.stdout.decode("utf-8", "replace").splitlines()
    # Split the output at the echoed commands: one chunk per command.
    chunks = []
    for line in output:
        if line.startswith("> "):
            chunks.append((line[2:], []))
        elif chunks:
            chunks[-1][1].append(line)
    failures = 0
    if len(chunks) != len(steps):
        print(f"FAIL {path}: {len(steps)} commands, but corosh echoed {len(chunks)}")
        failures += 1
    edits = []
    for (start, command, expected, at, other_arch), (echoed, actual) in zip(steps, chunks):
        if echoed != command:
            print(f"FAIL {path} (block at line {start}): ran '{command}', corosh echoed '{echoed}'")
            failures += 1
            break
        want = [mask(l, other_arch) if l.strip() != "..." else "..." for l in expected]
        got = [mask(l, other_arch) for l in actual]
        if not matches(want, got):
            if updating and not other_arch:
                shown = actual
                for free, port in documented_port.items():
                    shown = [re.sub(rf"\b{free}\b", port, l) for l in shown]
                edits.append((at, len(expected), refreshed(expected, shown)))
                continue
            failures += 1
            print(f"FAIL {path} (block at line {start}): `{command}` printed something else")
            print("---- expected (masked) ----\n" + "\n".join(want))
            print("---- actual (masked) ------\n" + "\n".join(got))
            print("---- actual ---------------\n" + "\n".join(actual))
    if edits:
        update(path, edits)
        print(f"updated {len(edits)} outputs in {path}")
    if failures:
        print(f"(if the code changed on purpose: {sys.argv[0]} --update {'--in ' + workdir + ' ' if workdir else ''}{corosh} {arch} {path} "
              "rewrites the blocks)")
        return 1
    skipped = sum(1 for _, a, _ in found if a not in (None, arch))
    print(f"ok   {path}: {len(steps)} commands in {len(found) - skipped} blocks"
          + (f" ({skipped} for another architecture skipped)" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
