// echo_client — a client coroutine: connect, send, read the echo back.
//
// The other half of `echo` (or of the shell's `listen`). Each word is sent
// as one line and read back before the next is sent, so every round trip is
// visible: write_all() puts the bytes in the socket, read_some() finds
// nothing yet and parks the coroutine ("waiting for fd N readable"), and the
// loop resumes it once the server's answer has arrived. Inside corosh both
// ends run in one thread on one loop: the client's wait is what lets the
// server's coroutine run.
//
// In the shell: `listen 7000`, `spawn echo_client 7000 hello corosh`, `step`
// (it starts connecting and parks until the socket is writable), `list`,
// `wait 1` (the loop serves both ends until the client is done), `conns`.
// Standalone: `echo_client 7000 one two` against any echo server.
#include <corosh/spawnable.hpp>

#include <corosh/net.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

void talk(std::uint16_t port, std::vector<std::string> words) {
  corosh::Socket server = corosh::connect("127.0.0.1", port, std::chrono::seconds(5));
  corosh::spawnable::print("client: connected to " + server.peer().to_string());
  for (const std::string& word : words) {
    std::string line = word + "\n", back;
    server.write_all(line);
    corosh::spawnable::print("client: sent " + word);
    char buffer[256];
    while (back.size() < line.size()) {  // an answer may come in pieces
      std::size_t n = server.read_some(buffer, sizeof buffer);
      if (n == 0) throw corosh::Error("the server closed the connection");
      back.append(buffer, n);
    }
    back.pop_back();  // the newline
    corosh::spawnable::print("client: got back " + back);
  }
  corosh::spawnable::print("client: done, closing");
}

const corosh::spawnable::Declaration declaration{{
    .name = "echo_client",
    .usage = "PORT [WORD...]",
    .description = "connects to 127.0.0.1:PORT, sends each WORD (default: hello) and reads it back",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      if (args.empty()) throw corosh::spawnable::BadArguments("PORT is missing");
      auto port = std::uint16_t(corosh::spawnable::count_argument(args, 0, "PORT", 0, 1, 65535));
      std::vector<std::string> words(args.begin() + 1, args.end());
      if (words.empty()) words = {"hello"};
      for (const std::string& w : words)
        if (w.size() > 200 || w.find('\n') != std::string::npos)
          throw corosh::spawnable::BadArguments("a WORD has at most 200 characters and no newline");
      return std::make_unique<corosh::spawnable::CoroutineTask>(
          corosh::Coroutine(corosh::spawnable::options_for(spec), talk, port, std::move(words)));
    }}};

}  // namespace
