#!/usr/bin/env python3
"""docs/your-own-code.md, done as a reader would do it.

Installs this build into a scratch prefix, writes out the page's own files
(its ```cpp file=NAME and ```cmake file=NAME blocks), builds the plugin
against the installed package with CMake, builds it a second time with the
page's plain compiler command (```sh plugin-command), and reruns the page's
sessions with the installed corosh, in the plugin's directory
(test_sessions.py --in). Cross-compiling, the plugin is built with the same
toolchain and corosh runs under the emulator.

usage: test_your_own_code.py BUILD_DIR GENERATOR CXX TOOLCHAIN|- ARCH MARKDOWN [EMULATOR ARGS...]
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(argv, what, **kwargs):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, **kwargs)
    if proc.returncode != 0:
        raise SystemExit(f"FAIL {what} ({' '.join(argv)}):\n{proc.stdout.decode('utf-8', 'replace')}")
    return proc.stdout.decode("utf-8", "replace")


def main():
    build, generator, cxx, toolchain, arch, page = sys.argv[1:7]
    emulator = sys.argv[7:]
    with open(page, encoding="utf-8") as f:
        text = f.read()
    files = dict(re.findall(r"```(?:cpp|cmake) file=(\S+)\n(.*?)```", text, re.DOTALL))
    commands = re.findall(r"```sh plugin-command\n(.*?)```", text, re.DOTALL)
    if set(files) != {"maze.cpp", "CMakeLists.txt"} or len(commands) != 1:
        raise SystemExit(f"FAIL {page}: expected maze.cpp, CMakeLists.txt and one plugin-command block, "
                         f"found {sorted(files)} and {len(commands)}")
    with tempfile.TemporaryDirectory() as scratch:
        prefix, project = os.path.join(scratch, "prefix"), os.path.join(scratch, "maze")
        run(["cmake", "--install", build, "--prefix", prefix], "installing corosh")
        os.makedirs(project)
        for name, body in files.items():
            with open(os.path.join(project, name), "w", encoding="utf-8") as f:
                f.write(body)
        configure = ["cmake", "-S", project, "-B", os.path.join(project, "build"), "-G", generator,
                     f"-DCMAKE_PREFIX_PATH={prefix}", f"-DCMAKE_CXX_COMPILER={cxx}"]
        if toolchain != "-":
            configure.append(f"-DCMAKE_TOOLCHAIN_FILE={toolchain}")
        run(configure, "configuring the plugin against the installed package")
        run(["cmake", "--build", os.path.join(project, "build")], "building the plugin")
        # The same plugin from the plain command line, with this build's compiler.
        command = commands[0].strip()
        if not command.startswith("g++ "):
            raise SystemExit(f"FAIL {page}: the plugin command should start with g++: {command}")
        command = shlex.quote(cxx) + command[len("g++"):]
        run(["sh", "-c", command], "the plain compiler command", cwd=project, env=dict(os.environ, PREFIX=prefix))
        corosh = os.path.join(prefix, "bin", "corosh")
        check = run(emulator + [corosh, "--load", "./libmaze.so", "-c", "spawn maze 2; step 4"],
                    "loading the command line's plugin", cwd=project)
        if "yielded (0, 1)" not in check:
            raise SystemExit(f"FAIL the command line's plugin walked elsewhere:\n{check}")
        os.remove(os.path.join(project, "libmaze.so"))  # the session loads the CMake one
        proc = subprocess.run([sys.executable, os.path.join(HERE, "test_sessions.py"), "--in", project, corosh, arch,
                               page, *emulator], timeout=600)
        return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
