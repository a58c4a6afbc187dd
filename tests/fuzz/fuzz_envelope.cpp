// libFuzzer target: one Socket Mode text frame, as the transport hands it to the parser.
//   parse_frame  never throws, never reports an internal error, enforces its size limit;
//   make_ack     of every envelope id it returns (and of the raw bytes) is a JSON object that
//                gives the id back;
//   to_timeline_entry of every events_api frame (with and without a bot user id) gives an entry
//                whose tags keep the tagger's contract and whose slack_ts is a valid Slack ts;
//   parse_pruned (parse_frame's fast path) accepts only what nlohmann accepts, and gives the
//                same DOM once the unread members are removed.
#include "core/recording.hpp"
#include "core/slack/envelope.hpp"
#include "core/slack/pruned_json.hpp"
#include "fuzz_check.hpp"
#include "tests/support/json_same.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

using nlohmann::json;
namespace slack = ib::slack;

// make_ack must give a JSON object with exactly the id (and the payload, when one is given).
void check_ack(std::string_view id, bool valid_utf8) {
    const std::string ack = slack::make_ack(id);
    const json j = json::parse(ack, nullptr, false);
    IB_FUZZ_CHECK(j.is_object() && j.size() == 1 && j.contains("envelope_id"));
    IB_FUZZ_CHECK(j["envelope_id"].is_string());
    if (valid_utf8) IB_FUZZ_CHECK(j["envelope_id"].get_ref<const std::string&>() == id);

    const std::string with_payload = slack::make_ack(id, json{{"text", id}});
    const json p = json::parse(with_payload, nullptr, false);
    IB_FUZZ_CHECK(p.is_object() && p.size() == 2 && p["payload"].is_object());
}

bool printable_ascii(std::string_view s) {
    for (const char c : s)
        if (c < 0x20 || c > 0x7e) return false;
    return true;
}

void check_events_api(const slack::events_api& ev) {
    IB_FUZZ_CHECK(!ev.envelope_id.empty());
    IB_FUZZ_CHECK(ev.retry_attempt >= 0);
    const auto received_at = ib::from_unix_seconds(1'790'000'000);
    for (const std::string_view bot : {std::string_view{}, std::string_view{"U0BOT"}}) {
        const auto rec = ib::to_timeline_entry(ev, bot, received_at);
        if (!rec) continue;
        const ib::timeline_entry& e = rec->entry;
        ib::fuzz::check_tags(e.tags, e.kind == ib::entry_kind::join);
        IB_FUZZ_CHECK(e.kind != ib::entry_kind::join || e.has_tag(ib::tag::join));
        IB_FUZZ_CHECK(e.slack_ts.empty() || ib::parse_slack_ts(e.slack_ts).has_value());
        IB_FUZZ_CHECK(e.received_at == received_at);
        IB_FUZZ_CHECK(e.key == ev.event_id);
        // The bot's own messages, joins and leaves are never participant activity.
        if (!bot.empty() && e.user == bot)
            IB_FUZZ_CHECK(e.kind != ib::entry_kind::message && e.kind != ib::entry_kind::join &&
                          e.kind != ib::entry_kind::leave);
    }
}

void check_frame(const slack::frame& f) {
    if (const auto* bad = std::get_if<slack::bad_frame>(&f)) {
        // An exception escaped the parser's own handling: parse_frame caught it as a last resort.
        IB_FUZZ_CHECK(bad->reason.rfind("internal error", 0) != 0);
        IB_FUZZ_CHECK(!bad->reason.empty());
        if (bad->envelope_id) {
            IB_FUZZ_CHECK(!bad->envelope_id->empty());
            check_ack(*bad->envelope_id, true);
        }
        return;
    }
    if (const auto* ev = std::get_if<slack::events_api>(&f)) {
        check_events_api(*ev);
        check_ack(ev->envelope_id, true);
    } else if (const auto* cmd = std::get_if<slack::slash_command>(&f)) {
        IB_FUZZ_CHECK(!cmd->envelope_id.empty() && !cmd->command.empty() && !cmd->user_id.empty() &&
                      !cmd->channel_id.empty());
        check_ack(cmd->envelope_id, true);
    } else if (const auto* x = std::get_if<slack::interactive>(&f)) {
        IB_FUZZ_CHECK(!x->envelope_id.empty() && !x->type.empty());
        for (const auto& a : x->actions) IB_FUZZ_CHECK(!a.action_id.empty());
        check_ack(x->envelope_id, true);
    } else if (const auto* u = std::get_if<slack::unknown_envelope>(&f)) {
        IB_FUZZ_CHECK(!u->type.empty());
        if (!u->envelope_id.empty()) check_ack(u->envelope_id, true);
    } else if (const auto* h = std::get_if<slack::hello>(&f)) {
        IB_FUZZ_CHECK(h->num_connections >= 0);
        IB_FUZZ_CHECK(!h->approximate_connection_time || h->approximate_connection_time->count() >= 0);
    } else if (const auto* d = std::get_if<slack::disconnect>(&f)) {
        IB_FUZZ_CHECK(slack::parse_disconnect_reason(d->raw_reason) == d->reason);
    }
}

void check_pruned(std::string_view text) {
    const auto fast = slack::parse_pruned(text, slack::unread_members, slack::max_json_depth);
    if (!fast) return;
    const json full = json::parse(text.begin(), text.end(), nullptr, false);
    IB_FUZZ_CHECK(!full.is_discarded());
    IB_FUZZ_CHECK(ib::test::same_json(*fast, ib::test::without_members(full, slack::unread_members)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    check_frame(slack::parse_frame(text));
    check_pruned(text);

    // The size limit holds before anything is parsed; a sniffed id is short printable ASCII.
    if (!text.empty()) {
        const slack::frame small = slack::parse_frame(text, text.size() - 1);
        const auto* bad = std::get_if<slack::bad_frame>(&small);
        IB_FUZZ_CHECK(bad != nullptr && bad->reason.rfind("too large", 0) == 0);
        if (bad->envelope_id)
            IB_FUZZ_CHECK(bad->envelope_id->size() <= 255 && printable_ascii(*bad->envelope_id));
    }

    // Any bytes at all, invalid UTF-8 included, make a well-formed ack.
    check_ack(text.substr(0, 512), false);
    return 0;
}
