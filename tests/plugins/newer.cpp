// A plugin that calls something only a newer corosh has: it cannot be bound
// to this one's runtime.
#include <corosh/spawnable.hpp>

namespace corosh::spawnable {
void only_in_a_newer_corosh();
}

namespace {

const corosh::spawnable::Declaration declaration{{
    .name = "newer_function",
    .usage = "",
    .description = "needs a newer corosh",
    .create = [](const corosh::spawnable::Arguments&, const corosh::spawnable::Spec&)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::only_in_a_newer_corosh();
      return nullptr;
    }}};

}  // namespace
