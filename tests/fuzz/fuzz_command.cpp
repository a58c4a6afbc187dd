// libFuzzer target: the text Slack sends after `/incident`.
//   parse_command            a typed command whose fields are in range, or a readable error;
//   channel_name_for         of every parsed title and of the raw bytes: `inc-` + at most 80
//   channel_name_with_suffix characters of a-z 0-9 - _ (Slack's channel-name rules);
//   parse_user_mention       an id that is U/W followed by A-Z 0-9.
#include "core/commands.hpp"
#include "fuzz_check.hpp"

#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace std::chrono;

bool valid_channel_name(std::string_view name) {
    if (name.size() > ib::max_channel_name || name.substr(0, 4) != "inc-") return false;
    for (const char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
    return true;
}

bool valid_user_id(std::string_view id) {
    if (id.size() < 2 || (id[0] != 'U' && id[0] != 'W')) return false;
    for (const char c : id)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    return true;
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

// A day and a retry number that vary with the input without taking bytes away from the text.
std::uint32_t mix(std::string_view s) {
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
}

void check_channel_names(std::string_view title, std::uint32_t h) {
    // Any day the bot can run on: 1970 to about 2243.
    const sys_days day{days{h % 100'000}};
    const std::string name = ib::channel_name_for(title, day);
    IB_FUZZ_CHECK(valid_channel_name(name));
    IB_FUZZ_CHECK(name.back() != '-');
    for (const int n : {static_cast<int>(h % 64), 2 + static_cast<int>(h % 100'000), INT_MAX}) {
        const std::string retry = ib::channel_name_with_suffix(name, n);
        IB_FUZZ_CHECK(valid_channel_name(retry));
        if (n < 2) IB_FUZZ_CHECK(retry == name);
        else IB_FUZZ_CHECK(retry.size() > std::to_string(n).size() && retry.ends_with("-" + std::to_string(n)));
    }
}

void check_title(const std::string& title) {
    IB_FUZZ_CHECK(!title.empty());
    IB_FUZZ_CHECK(code_points(title) <= ib::cmd::max_title_chars);
    IB_FUZZ_CHECK(title.front() != ' ' && title.back() != ' ');
    IB_FUZZ_CHECK(title.find("  ") == std::string::npos);
    for (const char c : title) IB_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
}

void check_command(const ib::command& c) {
    using namespace ib::cmd;
    if (const auto* s = std::get_if<start>(&c)) {
        check_title(s->title);
    } else if (const auto* sev = std::get_if<set_severity>(&c)) {
        IB_FUZZ_CHECK(static_cast<int>(sev->sev) >= 1 && static_cast<int>(sev->sev) <= 5);
    } else if (const auto* r = std::get_if<assign_role>(&c)) {
        IB_FUZZ_CHECK(valid_user_id(r->user_id));
    } else if (const auto* a = std::get_if<action_item>(&c)) {
        IB_FUZZ_CHECK(!a->text.empty());
        IB_FUZZ_CHECK(a->owner.empty() || valid_user_id(a->owner));
    } else if (const auto* n = std::get_if<note>(&c)) {
        IB_FUZZ_CHECK(!n->text.empty());
    } else if (const auto* p = std::get_if<statuspage>(&c)) {
        IB_FUZZ_CHECK(!p->text.empty());
    } else if (const auto* d = std::get_if<detected>(&c)) {
        if (const auto* hm = std::get_if<time_of_day>(&d->when))
            IB_FUZZ_CHECK(hm->hour >= 0 && hm->hour <= 23 && hm->minute >= 0 && hm->minute <= 59);
        if (const auto* ago = std::get_if<time_ago>(&d->when)) IB_FUZZ_CHECK(ago->amount.count() > 0);
    } else if (const auto* z = std::get_if<snooze>(&c)) {
        IB_FUZZ_CHECK(z->duration.count() > 0);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::uint32_t h = mix(text);

    const auto parsed = ib::parse_command(text);
    if (parsed) {
        check_command(*parsed);
        if (const auto* s = std::get_if<ib::cmd::start>(&*parsed)) check_channel_names(s->title, h);
    } else {
        IB_FUZZ_CHECK(parsed.error().code == ib::errc::invalid_argument);
        IB_FUZZ_CHECK(!parsed.error().message.empty());
    }

    // The same functions on the raw bytes: invalid UTF-8, control characters, any length.
    check_channel_names(text, h);
    if (const auto id = ib::parse_user_mention(text)) IB_FUZZ_CHECK(valid_user_id(*id));
    IB_FUZZ_CHECK(ib::decode_slack_entities(text).size() <= text.size());
    return 0;
}
