#include "core/json_text.hpp"

#include <nlohmann/json.hpp>

namespace ib {

void append_json_string(std::string& out, std::string_view v) {
    for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) {
            // Escapes or non-ASCII: let nlohmann do it, so the two paths never disagree.
            out += nlohmann::json(std::string(v)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            return;
        }
    }
    out += '"';
    out += v;
    out += '"';
}

}  // namespace ib
