// ping_pong — two coroutines handing control back and forth.
//
// `ping` is the demo's own coroutine (`ping_pong` in `list`). Each rally it hands out "ping N",
// then resumes `pong`, a second coroutine with its own stack, which answers
// "pong N" and hands control straight back. Nothing is copied and no thread
// is involved: each hand-over is one context switch (save the callee-saved
// registers and the stack pointer, load the other side's).
//
// Coroutines here are asymmetric, as in Lua: pong always returns to whoever
// resumed it. While pong runs, ping is neither running nor suspended but
// *normal* — it resumed someone and waits for them — which pong reports in
// every answer. At the end ping reports the switch counts from the registry:
// pong was switched to once per rally; ping, once per value it handed out.
//
// In the shell: `trace on`, `spawn ping_pong 3`, `step 2` (ping 1, pong 1),
// `list` (ping and pong, both suspended, with their switch counts), `continue`,
// then `trace off` and `trace save pp.json` to see every switch on a timeline
// (chrome://tracing or ui.perfetto.dev).
#include <corosh/spawnable.hpp>

#include <corosh/registry.hpp>

#include <memory>
#include <string>

namespace {

[[gnu::noinline]] void pong(corosh::Coroutine* ping, corosh::Sink<std::string>& out) {
  for (long n = 1;; ++n)
    out("pong " + std::to_string(n) + " (ping is " + std::string(corosh::to_string(ping->state())) + ")");
}

[[gnu::noinline]] void ping(long rallies, corosh::Sink<std::string>& out) {
  corosh::Coroutine* self = corosh::Coroutine::current();
  corosh::Generator<std::string> partner({.name = "pong", .stack_size = 64 * 1024}, pong, self);
  for (long n = 1; n <= rallies; ++n) {
    out("ping " + std::to_string(n));
    out(*partner.next());  // resume pong; it runs until it answers
  }
  const auto me = corosh::find_coroutine(self->id());
  const auto them = corosh::find_coroutine(partner.coroutine().id());
  out(std::to_string(rallies) + (rallies == 1 ? " rally" : " rallies") + ": ping was switched to " + std::to_string(me->switches) +
      " times, pong " + std::to_string(them->switches) + " times");
  // Leaving destroys pong, still suspended in its endless loop: it is unwound.
}

const corosh::spawnable::Declaration declaration{{
    .name = "ping_pong",
    .usage = "[RALLIES]",
    .description = "two coroutines resuming each other RALLIES times (default 3)",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 1);
      long rallies = corosh::spawnable::count_argument(args, 0, "RALLIES", 3, 1, 1000000);
      return std::make_unique<corosh::spawnable::GeneratorTask<std::string>>(
          nullptr, corosh::Generator<std::string>(corosh::spawnable::options_for(spec), ping, rallies));
    }}};

}  // namespace
