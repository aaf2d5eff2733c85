// loop_watch.cpp — callback sources: fd watches and readers (add_reader: the
// shell reads its stdin with one).
//
// A reader's fd can be a terminal, a pipe, a regular file or /dev/null. The pollers
// refuse the last two (epoll: EPERM; kqueue: EINVAL for /dev/null and an
// explicitly opened /dev/tty), so a watch on such a file becomes "always
// ready": its callback runs every iteration and the loop polls without
// blocking meanwhile. Reading those files never blocks, so that is exact.
//
// A reader never sets O_NONBLOCK on the fd: stdin's open file is
// shared with the parent shell, which would then see EAGAIN on its own
// reads. It reads once per readiness report instead, which cannot block.
#include "loop_internal.hpp"

#include <corosh/error.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace corosh {

std::uint64_t Loop::Impl::add_watch(int fd, unsigned interest, std::function<void(Interest)> callback,
                                    bool internal, const char* kind, const std::type_info* callback_type) {
  if (fd < 0) throw Error("corosh: cannot watch a negative fd (" + std::to_string(fd) + ")");
  if (interest == 0) throw Error("corosh: a watch needs Interest::readable and/or writable");
  detail::FdEntry& e = entry(fd);
  if (e.watch)
    throw Error("corosh: fd " + std::to_string(fd) + " already has a watch (watch " +
                std::to_string(e.watch->id) + ")");
  auto watch = std::make_shared<detail::WatchRecord>();
  watch->id = next_id++;
  watch->fd = fd;
  watch->interest = interest;
  watch->internal = internal;
  watch->kind = kind;
  watch->callback_type = callback_type ? callback_type : &callback.target_type();
  watch->callback = std::move(callback);
  e.watch = watch;
  if (int error = widen(fd); error != 0) {
    if (error != EPERM) {
      entry(fd).watch.reset();
      throw Error("corosh: cannot watch fd " + std::to_string(fd) + ": " + std::strerror(error));
    }
    watch->always_ready = true;
    ++always_ready_watches;
  }
  watches.emplace(watch->id, watch);
  if (internal) ++internal_watches;
  return watch->id;
}

bool Loop::Impl::remove_watch(std::uint64_t id) noexcept {
  auto it = watches.find(id);
  if (it == watches.end()) return false;
  std::shared_ptr<detail::WatchRecord> watch = std::move(it->second);
  watches.erase(it);
  if (watch->internal) --internal_watches;
  if (watch->always_ready) --always_ready_watches;
  detail::FdEntry& e = fds[static_cast<std::size_t>(watch->fd)];
  if (e.watch == watch) {
    e.watch.reset();
    // Unlike a waiter, a watch is usually removed for good (often right
    // before its fd is closed behind the loop's back): deregister now.
    set_registered(watch->fd, e.registered & wanted(e));
  }
  return true;
}

WatchId Loop::add_watch(int fd, Interest interest, std::function<void(Interest)> callback) {
  return WatchId(impl_->add_watch(fd, static_cast<unsigned>(interest), std::move(callback), false));
}

bool Loop::remove(WatchId id) noexcept { return impl_->remove_watch(id.value()); }

WatchId Loop::add_reader(int fd, std::function<void(std::string_view)> on_data,
                         std::function<void()> on_end) {
  struct Source {
    int fd;
    std::uint64_t id = 0;
    std::function<void(std::string_view)> on_data;
    std::function<void()> on_end;
  };
  const std::type_info& data_type = on_data.target_type();
  auto source = std::make_shared<Source>(Source{fd, 0, std::move(on_data), std::move(on_end)});
  Impl* L = impl_.get();
  source->id = L->add_watch(
      fd, detail::poll_readable,
      [L, source](Interest) {
        char buffer[4096];
        ssize_t n = ::read(source->fd, buffer, sizeof buffer);
        if (n > 0) {
          if (source->on_data) source->on_data(std::string_view(buffer, static_cast<std::size_t>(n)));
          return;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        // 0: end of input. EIO: a terminal whose other side went away (a
        // closed pty master). Anything else: the input is unusable; ending
        // it beats calling us again forever.
        L->remove_watch(source->id);  // `source` stays alive: this lambda holds it
        if (source->on_end) source->on_end();
      },
      false, "reader", &data_type);
  return WatchId(source->id);
}

}  // namespace corosh
