// SPDX-License-Identifier: GPL-2.0-only
#include "output/json_line.h"

#include <vector>

#include "util/text_escape.h"

namespace duraudit {

void escape_json_strings(nlohmann::ordered_json& j) {
  if (j.is_string()) {
    auto& s = j.get_ref<std::string&>();
    if (!json_bytes_clean(s)) s = escape_json_bytes(s);
  } else if (j.is_array()) {
    for (auto& v : j) escape_json_strings(v);
  } else if (j.is_object()) {
    bool keys_clean = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      keys_clean &= json_bytes_clean(it.key());
      escape_json_strings(it.value());
    }
    if (!keys_clean) {
      // Keys are immutable in place: rebuild, keeping the order.
      nlohmann::ordered_json rebuilt = nlohmann::ordered_json::object();
      for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        rebuilt[json_bytes_clean(k) ? k : escape_json_bytes(k)] = std::move(it.value());
      }
      j = std::move(rebuilt);
    }
  }
}

std::string json_line(nlohmann::ordered_json j) {
  escape_json_strings(j);
  // Every string is valid UTF-8 now; `replace` is a second guard only.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json json_record(const char* type) {
  nlohmann::ordered_json j;
  j["type"] = type;
  j["schema_version"] = kJsonSchemaVersion;
  return j;
}

}  // namespace duraudit
