#include "target_json.hpp"

namespace corosh::shell {

void to_json(nlohmann::json& j, const CoroutineView& v) {
  j = v.info;
  j["yours"] = v.yours;
  j["origin"] = v.origin;
}

}  // namespace corosh::shell
