#include "core/json_text.hpp"

#include "core/text.hpp"

#include <cstdint>
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

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool hex4(std::string_view s, std::size_t& i, std::uint32_t& cp) {
    if (s.size() - i < 4) return false;
    for (int k = 0; k < 4; ++k) {
        const int d = hex_digit(s[i++]);
        if (d < 0) return false;
        cp = (cp << 4) | static_cast<std::uint32_t>(d);
    }
    return true;
}

}  // namespace

bool read_json_string(std::string_view s, std::size_t& i, std::string* out, json_utf8 utf8) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (;;) {
        // A run of plain ASCII, copied in one go.
        std::size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\') ++run;
        if (out) out->append(s.data() + i, run - i);
        i = run;
        if (i >= n) return false;
        const unsigned char c = p[i];
        if (c == '"') {
            ++i;
            return true;
        }
        if (c < 0x20) return false;  // raw control characters are invalid JSON
        if (c >= 0x80) {
            const auto u = decode_utf8(s, i);
            if (!u.valid && utf8 == json_utf8::reject) return false;
            if (out) out->append(s.data() + i, u.length);
            i += u.length;
            continue;
        }
        // A backslash escape.
        if (++i >= n) return false;
        const char e = s[i++];
        char plain = 0;
        switch (e) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        case 'u': {
            std::uint32_t cp = 0;
            if (!hex4(s, i, cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                // Must be followed by an escaped low surrogate.
                if (i + 1 >= n || s[i] != '\\' || s[i + 1] != 'u') return false;
                i += 2;
                std::uint32_t lo = 0;
                if (!hex4(s, i, lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (out) append_utf8(*out, cp);
            continue;
        }
        default: return false;
        }
        if (out) *out += plain;
    }
}

}  // namespace ib
