// monitor_platform_linux.cpp — see monitor_platform.hpp. SO_PEERCRED gives
// the credentials the peer had when it connected; glibc keeps argv[0]'s
// last component as program_invocation_short_name.
#include "monitor_platform.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace corosh::detail {

std::optional<uid_t> peer_uid(int fd) noexcept {
  ucred credentials{};
  socklen_t size = sizeof credentials;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0 || size != sizeof credentials)
    return std::nullopt;
  return credentials.uid;
}

std::string program_name() { return program_invocation_short_name; }

}  // namespace corosh::detail
