// Writing JSON text by hand where building an nlohmann tree per value would dominate the cost
// (every stored event, every ack, every exported entry), with output identical to nlohmann's.
#pragma once

#include <string>
#include <string_view>

namespace ib {

// Appends `v` as a JSON string literal, byte for byte what nlohmann's dump() writes for it
// (same escapes; invalid UTF-8 replaced by U+FFFD). Plain ASCII is copied straight through.
void append_json_string(std::string& out, std::string_view v);

}  // namespace ib
