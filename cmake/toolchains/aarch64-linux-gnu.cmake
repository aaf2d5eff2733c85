# Cross-compiling for Linux arm64 with Debian's g++-aarch64-linux-gnu; tests
# run under qemu-aarch64 (CTest uses the emulator below automatically).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
# With Debian's arm64 libraries installed (multiarch: libc6:arm64 comes with
# libdw-dev:arm64 and friends), qemu finds the arm64 loader and libraries in
# their usual places. Pointing it at the cross sysroot too (-L) then mixes two
# glibc builds in one process, and a forked child hangs. Only fall back to the
# sysroot when there is no multiarch loader.
if(EXISTS /lib/ld-linux-aarch64.so.1)
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/usr/aarch64-linux-gnu)
endif()

# Target libraries come from the cross sysroot and Debian's multiarch
# directories; header-only packages (Catch2) and CMake package files may come
# from the host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_LIBRARY_PATH /usr/lib/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
