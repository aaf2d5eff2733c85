// monitor_directory.cpp — where monitor sockets live, and making sure
// nobody else can reach them (corosh/monitor.hpp).
//
// The directory is the first line of defence: on Linux connecting to a
// Unix socket needs write permission on it, but macOS ignores socket
// permissions altogether, so only a directory that others cannot enter
// keeps them out everywhere. /tmp is shared and sticky: anyone may create
// /tmp/corosh-1000 first, so an existing directory is used only if it is a
// real directory (not a symlink), ours, and closed to group and others.
// Clients check the same before they look inside, so a planted directory
// cannot feed them a fake monitor either.
#include "monitor_internal.hpp"
#include "monitor_platform.hpp"

#include <corosh/error.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

namespace corosh {

namespace detail {

namespace {

// Socket paths this process's monitors use now (several loops, several
// monitors), and the exit handler that removes them.
std::mutex paths_mutex;
std::set<std::string>& live_paths() {
  static std::set<std::string>* paths = new std::set<std::string>;  // outlives static destructors
  return *paths;
}

extern "C" void remove_live_sockets() {
  std::lock_guard lock(paths_mutex);
  for (const std::string& path : live_paths()) ::unlink(path.c_str());
}

std::string octal(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

// Parses "<pid>.sock" or "<pid>.<n>.sock"; 0 if the name is neither.
long pid_of_socket_name(std::string_view name) {
  if (!name.ends_with(".sock")) return 0;
  name.remove_suffix(5);
  long pid = 0;
  std::size_t i = 0;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) {
    if (pid > 100'000'000) return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  if (i == 0) return 0;
  if (i == name.size()) return pid;
  if (name[i] != '.' || i + 1 == name.size()) return 0;
  for (std::size_t j = i + 1; j < name.size(); ++j)
    if (name[j] < '0' || name[j] > '9') return 0;
  return pid;
}

}  // namespace

void check_private_directory(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    throw Error("corosh: cannot use " + dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) throw Error("corosh: refusing " + dir + ": not a directory (a symlink?)");
  if (st.st_uid != ::geteuid())
    throw Error("corosh: refusing " + dir + ": it belongs to uid " + std::to_string(st.st_uid) + ", not to uid " +
                std::to_string(::geteuid()));
  if ((st.st_mode & 077) != 0)
    throw Error("corosh: refusing " + dir + ": mode " + octal(st.st_mode) + " lets others in (it must be 0700)");
}

void make_private_directory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error("corosh: cannot create " + dir + ": " + std::strerror(errno));
  check_private_directory(dir);
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

sockaddr_un socket_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // sun_path holds 108 bytes on Linux, 104 on macOS, with its terminating NUL.
  if (path.empty() || path.size() >= sizeof address.sun_path)
    throw Error("corosh: socket path too long for a Unix socket (" + std::to_string(path.size()) +
                " bytes, at most " + std::to_string(sizeof address.sun_path - 1) + "): " + path);
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

std::string claim_socket_path(const std::string& dir) {
  std::lock_guard lock(paths_mutex);
  static const bool handler = std::atexit(remove_live_sockets) == 0;
  (void)handler;
  const std::string pid = std::to_string(::getpid());
  for (int n = 1;; ++n) {
    std::string path = dir + "/" + pid + (n == 1 ? "" : "." + std::to_string(n)) + ".sock";
    if (live_paths().insert(path).second) return path;
  }
}

void claim_socket_path_as_given(const std::string& path) {
  std::lock_guard lock(paths_mutex);
  if (!live_paths().insert(path).second) throw Error("corosh: another monitor of this process uses " + path);
}

void release_socket_path(const std::string& path) noexcept {
  std::lock_guard lock(paths_mutex);
  ::unlink(path.c_str());
  live_paths().erase(path);
}

}  // namespace detail

std::string monitor_directory() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  struct stat st {};
  if (runtime != nullptr && runtime[0] == '/' && ::stat(runtime, &st) == 0 && S_ISDIR(st.st_mode))
    return std::string(runtime) + "/corosh";
  return "/tmp/corosh-" + std::to_string(::geteuid());
}

std::string monitor_socket_of(long pid) { return monitor_directory() + "/" + std::to_string(pid) + ".sock"; }

std::vector<std::string> monitor_sockets() {
  const std::string dir = monitor_directory();
  try {
    detail::check_private_directory(dir);
  } catch (const Error&) {
    return {};  // none, or not ours to trust
  }
  std::vector<std::pair<long, std::string>> found;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* entry = ::readdir(d)) {
      const long pid = detail::pid_of_socket_name(entry->d_name);
      if (pid == 0) continue;
      std::string path = dir + "/" + entry->d_name;
      // Left behind by a process killed before it could remove it.
      if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        ::unlink(path.c_str());
        continue;
      }
      found.emplace_back(pid, std::move(path));
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (auto& [pid, path] : found) paths.push_back(std::move(path));
  return paths;
}

int connect_to_monitor(const std::string& socket_path) {
  const sockaddr_un address = detail::socket_address(socket_path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) throw Error(std::string("corosh: socket: ") + std::strerror(errno));
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == ENOENT || error == ECONNREFUSED)
      throw Error("no monitor is listening on " + socket_path + " (start the program with COROSH_MONITOR=1)");
    throw Error("cannot connect to " + socket_path + ": " + std::strerror(error));
  }
  // The same check the monitor makes, the other way round: a socket someone
  // else planted does not get to talk to this shell.
  const std::optional<uid_t> uid = detail::peer_uid(fd);
  if (!uid || (*uid != ::geteuid() && *uid != 0)) {
    ::close(fd);
    throw Error("refusing " + socket_path + ": the process behind it runs as " +
                (uid ? "uid " + std::to_string(*uid) : std::string("an unknown user")) + ", not as this user");
  }
  return fd;
}

}  // namespace corosh
