// monitor_platform_bsd.cpp — see monitor_platform.hpp. macOS and the BSDs
// have getpeereid() (the peer's effective ids when it connected) and
// getprogname().
#include "monitor_platform.hpp"

#include <stdlib.h>
#include <unistd.h>

namespace corosh::detail {

std::optional<uid_t> peer_uid(int fd) noexcept {
  uid_t uid = 0;
  gid_t gid = 0;
  if (::getpeereid(fd, &uid, &gid) != 0) return std::nullopt;
  return uid;
}

std::string program_name() {
  const char* name = ::getprogname();
  return name ? name : "";
}

}  // namespace corosh::detail
