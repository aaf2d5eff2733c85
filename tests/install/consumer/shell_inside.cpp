// A program with the corosh shell inside, built against the installed
// package (corosh::shell): one function of its own, spawned and stepped.
#include <corosh/shell.hpp>
#include <corosh/spawnable.hpp>

namespace {

void greet(corosh::Sink<const char*>& out) { out("hello from the program"); }

const corosh::spawnable::Declaration hello{{
    .name = "hello",
    .usage = "",
    .description = "greets once",
    .create = [](const corosh::spawnable::Arguments&, const corosh::spawnable::Spec& spec) {
      return corosh::spawnable::task(corosh::Generator<const char*>(corosh::spawnable::options_for(spec), greet));
    }}};

}  // namespace

int main() {
  corosh::Loop loop;
  corosh::ShellOptions options;
  options.commands = "spawn hello; step";
  return corosh::run_shell(loop, options);
}
