#pragma once
// Small helpers every part of the simulator uses: ids and timestamps, Web API argument decoding.
// Plain C++ and nlohmann_json, no I/O, no state beyond counters. (Slack's text escaping,
// ib::sim::slack_escape, is defined in support.cpp too.)

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ib::sim::detail {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

// Serializes without throwing on invalid UTF-8 (hostile tests may script any bytes).
std::string to_text(const json& j);

// splitmix64: a bijection on 64-bit values, so distinct counters give distinct ids.
std::uint64_t mix64(std::uint64_t x);
std::string hex(std::uint64_t v, int digits);
std::string base36_upper(std::uint64_t v, std::size_t min_digits);
std::string lowercase(std::string s);
bool iequals_prefix(std::string_view s, std::string_view prefix);
// Number of UTF-8 code points (Slack counts characters, not bytes).
std::size_t utf8_length(std::string_view s);

// Standard base64 (RFC 4648, with padding); decode returns false on anything else.
std::string base64_encode(std::string_view in);
bool base64_decode(std::string_view in, std::string& out);

// application/x-www-form-urlencoded: "a=1&b=two" into a JSON object of strings (later keys win).
void parse_form_into(std::string_view form, json& out);
// A string argument: JSON strings as is, numbers and booleans spelled out, else "".
std::string arg_string(const json& args, const char* key);
bool arg_bool(const json& args, const char* key);
// Blocks, attachments or a view may arrive as JSON or, form-encoded, as JSON text.
json arg_json(const json& args, const char* key);

// Slack's conversation name rules; "" when valid, else the error code.
std::string channel_name_error(const std::string& name);

std::int64_t unix_seconds();
// "1610241741.000200" -> 1610241741 (now for anything unparsable).
std::int64_t ts_seconds(const std::string& ts);
// A Slack ts as a number of microseconds, for ordering and comparison; false when malformed.
bool ts_micros(std::string_view ts, std::int64_t& out);
std::string ts_from_micros(std::int64_t us);

// Ids unique within one simulator; thread-safe.
class id_source {
public:
    id_source();
    std::uint64_t seed() const { return seed_; }
    std::uint64_t next() { return counter_.fetch_add(1, std::memory_order_relaxed) + 1; }
    // A UUID-shaped id (envelope ids, client_msg_id).
    std::string uuid();
    // "Ev" + 4 letters fixed per simulator + a counter.
    std::string event_id();
    // Message timestamps: wall-clock microseconds, strictly increasing.
    std::string ts();
    // "123.456.abcdef…": the shape of Slack's trigger_id.
    std::string trigger_id();
    // A block_id like Slack's three-character ones.
    std::string block_id();

private:
    std::uint64_t seed_ = 0;
    std::string event_prefix_;
    std::atomic<std::uint64_t> counter_{0};
    std::atomic<std::int64_t> last_ts_us_{0};
};

}  // namespace ib::sim::detail
