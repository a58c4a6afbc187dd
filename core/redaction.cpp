#include "core/redaction.hpp"

#include "core/text.hpp"

namespace ib {

std::string redacted_text(std::string_view reason) { return "[redacted: " + escape_mrkdwn(reason) + "]"; }

result<timeline_entry> plan_redaction(const incident& inc, std::span<const timeline_entry> timeline,
                                      std::string_view ts, std::string_view reason, std::string_view by,
                                      time_point now) {
    reason = trim_ascii_space(reason);
    if (reason.empty()) return make_error(errc::invalid_argument, "--reason must say why the text is redacted");
    for (const char c : reason)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return make_error(errc::invalid_argument, "--reason must be one line of text");
    if (count_code_points(reason) > max_redaction_reason_chars)
        return make_error(errc::invalid_argument, "--reason is longer than " +
                                                      std::to_string(max_redaction_reason_chars) + " characters");
    if (trim_ascii_space(by).empty()) return make_error(errc::invalid_argument, "--by must name who redacts");
    bool found = false;
    for (const auto& e : timeline)
        found = found || ((e.kind == entry_kind::message || e.kind == entry_kind::bot_message) && e.slack_ts == ts);
    if (!found || ts.empty())
        return make_error(errc::not_found, "incident " + std::to_string(inc.id) + " has no message with ts " +
                                                      std::string(ts) + " (the slack_ts of `export --format json`)");
    timeline_entry e;
    e.incident_id = inc.id;
    e.kind = entry_kind::redaction;
    e.at = now;
    e.received_at = now;
    e.ref_ts = std::string(ts);
    e.text = redacted_text(reason);
    e.attrs["by"] = std::string(trim_ascii_space(by));
    e.attrs["reason"] = escape_mrkdwn(reason);
    return e;
}

}  // namespace ib
