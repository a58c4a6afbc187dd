#include "core/corrections.hpp"

#include "core/tagger.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>

namespace ib {

namespace {

using nlohmann::json;

constexpr std::array<tag, 5> tag_order{tag::join, tag::hypothesis, tag::command, tag::action, tag::status};

// What each checkbox says under its tag name (issue 2's definitions).
std::string_view meaning(tag t) {
    switch (t) {
    case tag::join: return "someone joined the response";
    case tag::hypothesis: return "a tentative explanation";
    case tag::command: return "something run or to run (code, a CLI or SQL invocation)";
    case tag::action: return "intent or an action on the system";
    case tag::status: return "communication with customers or stakeholders";
    }
    return "";
}

json checkbox(tag t) {
    return {{"text", {{"type", "mrkdwn"}, {"text", "*" + std::string(to_string(t)) + "*"}}},
            {"description", {{"type", "plain_text"}, {"text", std::string(meaning(t))}}},
            {"value", std::string(to_string(t))}};
}

// Corrections before later ones: timeline order.
bool earlier(const timeline_entry& a, const timeline_entry& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; }

}  // namespace

std::span<const tag> all_tags() { return tag_order; }

std::string tag_names(std::span<const tag> tags) {
    std::string out;
    for (tag t : tag_order) {
        if (std::find(tags.begin(), tags.end(), t) == tags.end()) continue;
        if (!out.empty()) out += ',';
        out += to_string(t);
    }
    return out;
}

std::string tag_names(std::span<const tag_hit> hits) {
    std::vector<tag> tags;
    for (const auto& h : hits) tags.push_back(h.tag);
    return tag_names(tags);
}

std::optional<std::vector<tag>> parse_tag_names(std::string_view names) {
    std::vector<tag> out;
    while (!names.empty()) {
        const auto comma = names.find(',');
        const auto name = names.substr(0, comma);
        const auto t = parse_tag(name);
        if (!t) return std::nullopt;
        if (std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(*t);
        if (comma == std::string_view::npos) break;
        names.remove_prefix(comma + 1);
        if (names.empty()) return std::nullopt;  // a trailing comma names nothing
    }
    return out;
}

timeline_entry make_correction(const timeline_entry& message, std::span<const tag> to, std::string_view user,
                               time_point now, std::string key) {
    timeline_entry c;
    c.incident_id = message.incident_id;
    c.key = std::move(key);
    c.at = now;
    c.received_at = now;
    c.user = std::string(user);
    c.kind = entry_kind::correction;
    c.ref_ts = message.slack_ts;
    const std::string from = tag_names(message.tags);
    const std::string into = tag_names(to);
    c.attrs["from"] = from;
    c.attrs["to"] = into;
    c.text = "corrected the tags of message " + message.slack_ts + ": " + (from.empty() ? "none" : from) + " → " +
             (into.empty() ? "none" : into);
    return c;
}

std::vector<tag_hit> corrected_tags(const timeline_entry& message, const timeline_entry& correction) {
    std::vector<tag_hit> out;
    const auto to = parse_tag_names(correction.attr("to")).value_or(std::vector<tag>{});
    const std::string by = "correction:" + correction.user;
    for (tag t : tag_order) {
        if (std::find(to.begin(), to.end(), t) == to.end()) continue;
        const auto had = std::find_if(message.tags.begin(), message.tags.end(), [t](const tag_hit& h) { return h.tag == t; });
        if (had != message.tags.end())
            out.push_back({t, had->rule + " (kept by " + by + ")"});
        else
            out.push_back({t, by});
    }
    return out;
}

void apply_corrections(std::span<timeline_entry> entries, std::span<const timeline_entry> corrections) {
    // The last correction of each message ts.
    std::unordered_map<std::string_view, const timeline_entry*> last;
    for (const auto& c : corrections) {
        if (c.kind != entry_kind::correction || c.ref_ts.empty()) continue;
        auto& slot = last[c.ref_ts];
        if (slot == nullptr || earlier(*slot, c)) slot = &c;
    }
    if (last.empty()) return;
    for (auto& e : entries) {
        if (e.kind != entry_kind::message || e.slack_ts.empty()) continue;
        const auto it = last.find(e.slack_ts);
        if (it != last.end()) e.tags = corrected_tags(e, *it->second);
    }
}

void apply_corrections(std::vector<timeline_entry>& timeline) {
    std::vector<timeline_entry> corrections;
    for (const auto& e : timeline)
        if (e.kind == entry_kind::correction) corrections.push_back(e);
    apply_corrections(timeline, corrections);
}

std::optional<std::vector<tag_hit>> retagged(const timeline_entry& e) {
    if (e.kind != entry_kind::message) return std::nullopt;
    return tag_message(e.text);
}

json correction_modal(const timeline_entry& message, std::string_view channel) {
    json options = json::array();
    json checked = json::array();
    for (tag t : tag_order) {
        options.push_back(checkbox(t));
        if (message.has_tag(t)) checked.push_back(checkbox(t));
    }
    json element = {{"type", "checkboxes"}, {"action_id", std::string(correct_tags_action)}, {"options", options}};
    if (!checked.empty()) element["initial_options"] = checked;  // Slack refuses an empty list
    // A section's text holds at most 3,000 characters.
    const std::string quoted = mention(message.user, "someone") + " said:\n>" + quote_slack(message.text, 2500, 500);
    return {{"type", "modal"},
            {"callback_id", std::string(correct_tags_callback)},
            {"private_metadata", std::string(channel) + " " + message.slack_ts},
            {"title", {{"type", "plain_text"}, {"text", "Correct tags"}}},
            {"submit", {{"type", "plain_text"}, {"text", "Save"}}},
            {"close", {{"type", "plain_text"}, {"text", "Cancel"}}},
            {"blocks",
             json::array(
                 {{{"type", "section"}, {"block_id", "message"}, {"text", {{"type", "mrkdwn"}, {"text", quoted}}}},
                  {{"type", "input"},
               {"block_id", std::string(correct_tags_block)},
               {"optional", true},
               {"label", {{"type", "plain_text"}, {"text", "Tags"}}},
               {"hint", {{"type", "plain_text"}, {"text", "Exports and summaries use the tags you save here."}}},
               {"element", element}}})}};
}

std::optional<correction_target> parse_correction_target(std::string_view private_metadata) {
    const auto space = private_metadata.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    correction_target t{std::string(private_metadata.substr(0, space)), std::string(private_metadata.substr(space + 1))};
    if (!is_plain_slack_id(t.channel) || !parse_slack_ts(t.ts)) return std::nullopt;
    return t;
}

}  // namespace ib
