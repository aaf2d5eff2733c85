// resident_memory_mach.cpp — the resident set from the Mach task (macOS).
#include "resident_memory.hpp"

#include <mach/mach.h>

namespace corosh::detail {

std::size_t resident_bytes() noexcept {
  mach_task_basic_info info{};
  mach_msg_type_number_t count = MACH_TASK_BASIC_INFO_COUNT;
  if (task_info(mach_task_self(), MACH_TASK_BASIC_INFO, reinterpret_cast<task_info_t>(&info), &count) != KERN_SUCCESS)
    return 0;
  return std::size_t(info.resident_size);
}

}  // namespace corosh::detail
