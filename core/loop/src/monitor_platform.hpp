// monitor_platform.hpp — what the monitor asks the operating system that
// Linux and macOS answer differently, one file each:
// monitor_platform_linux.cpp (SO_PEERCRED) and monitor_platform_bsd.cpp
// (getpeereid, macOS and the BSDs).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace corosh::detail {

// The effective uid of the process at the other end of the connected
// Unix-domain socket `fd`, if the system tells.
std::optional<uid_t> peer_uid(int fd) noexcept;
// This program's name, without directories.
std::string program_name();

}  // namespace corosh::detail
