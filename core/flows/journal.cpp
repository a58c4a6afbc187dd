#include "core/flows/journal.hpp"

#include <algorithm>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace ib::flows {

journal_write journal_rule(const effect& e, bool durable, reply_route replies) {
    if (std::holds_alternative<done>(e)) return journal_write::forget;
    if (std::holds_alternative<create_incident>(e) || std::holds_alternative<save_change>(e) ||
        std::holds_alternative<append_entry>(e))
        return journal_write::with;
    if (const auto* c = std::get_if<call>(&e)) return c->idempotent ? journal_write::none : journal_write::before;
    if (const auto* r = std::get_if<reply>(&e)) {
        if (replies == reply_route::dropped) return journal_write::none;
        if (replies == reply_route::message) return journal_write::before;
        if (r->nothing_changed) return journal_write::none;  // nothing to make durable: it says so
    }
    if (std::holds_alternative<reply>(e) || std::holds_alternative<ack>(e))
        return durable ? journal_write::none : journal_write::before;
    return journal_write::none;
}

// ---- The states as JSON ------------------------------------------------------------------------
// Times are unix microseconds; an absent optional is null; enums are their to_string() names.
// Reading throws std::invalid_argument (or nlohmann's exceptions) on anything unexpected; restore()
// turns that into its error.

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

json time_json(time_point t) { return to_unix_micros(t); }
time_point time_of(const json& j) { return from_unix_micros(j.get<std::int64_t>()); }
json opt_time_json(const std::optional<time_point>& t) { return t ? json(to_unix_micros(*t)) : json(nullptr); }
std::optional<time_point> opt_time_of(const json& j) {
    if (j.is_null()) return std::nullopt;
    return time_of(j);
}

// An enum from its to_string() name, trying every value up to `last`.
template <class E>
E enum_of(const json& j, E last, const char* what) {
    const auto name = j.get<std::string>();
    for (int i = 0; i <= static_cast<int>(last); ++i)
        if (to_string(static_cast<E>(i)) == name) return static_cast<E>(i);
    bad(std::string("unknown ") + what + " '" + name + "'");
}

severity severity_of(const json& j) {
    const auto s = parse_severity(j.get<std::string>());
    if (!s) bad("unknown severity");
    return *s;
}
status status_of(const json& j) {
    const auto s = parse_status(j.get<std::string>());
    if (!s) bad("unknown status");
    return *s;
}

json incident_json(const incident& i) {
    return {{"id", i.id},
            {"title", i.title},
            {"sev", to_string(i.sev)},
            {"state", to_string(i.state)},
            {"channel_id", i.channel_id},
            {"channel_name", i.channel_name},
            {"declared_by", i.declared_by},
            {"declared_at", time_json(i.declared_at)},
            {"detected_at", opt_time_json(i.detected_at)},
            {"acknowledged_at", opt_time_json(i.acknowledged_at)},
            {"acknowledged_by", i.acknowledged_by},
            {"identified_at", opt_time_json(i.identified_at)},
            {"mitigated_at", opt_time_json(i.mitigated_at)},
            {"resolved_at", opt_time_json(i.resolved_at)},
            {"commander", i.commander},
            {"comms_lead", i.comms_lead},
            {"reopen_count", i.reopen_count},
            {"is_private", i.is_private}};
}

incident incident_of(const json& j) {
    incident i;
    i.id = j.at("id").get<std::int64_t>();
    i.title = j.at("title").get<std::string>();
    i.sev = severity_of(j.at("sev"));
    i.state = status_of(j.at("state"));
    i.channel_id = j.at("channel_id").get<std::string>();
    i.channel_name = j.at("channel_name").get<std::string>();
    i.declared_by = j.at("declared_by").get<std::string>();
    i.declared_at = time_of(j.at("declared_at"));
    i.detected_at = opt_time_of(j.at("detected_at"));
    i.acknowledged_at = opt_time_of(j.at("acknowledged_at"));
    i.acknowledged_by = j.at("acknowledged_by").get<std::string>();
    i.identified_at = opt_time_of(j.at("identified_at"));
    i.mitigated_at = opt_time_of(j.at("mitigated_at"));
    i.resolved_at = opt_time_of(j.at("resolved_at"));
    i.commander = j.at("commander").get<std::string>();
    i.comms_lead = j.at("comms_lead").get<std::string>();
    i.reopen_count = j.at("reopen_count").get<int>();
    i.is_private = j.at("is_private").get<bool>();
    return i;
}

json entry_json(const timeline_entry& e) {
    json tags = json::array();
    for (const auto& t : e.tags) tags.push_back({{"tag", to_string(t.tag)}, {"rule", t.rule}});
    return {{"seq", e.seq},         {"incident_id", e.incident_id}, {"key", e.key},
            {"at", time_json(e.at)}, {"slack_ts", e.slack_ts},       {"user", e.user},
            {"kind", to_string(e.kind)}, {"tags", std::move(tags)},  {"text", e.text},
            {"ref_ts", e.ref_ts},    {"attrs", e.attrs},             {"received_at", time_json(e.received_at)}};
}

timeline_entry entry_of(const json& j) {
    timeline_entry e;
    e.seq = j.at("seq").get<std::int64_t>();
    e.incident_id = j.at("incident_id").get<std::int64_t>();
    e.key = j.at("key").get<std::string>();
    e.at = time_of(j.at("at"));
    e.slack_ts = j.at("slack_ts").get<std::string>();
    e.user = j.at("user").get<std::string>();
    const auto kind = parse_entry_kind(j.at("kind").get<std::string>());
    if (!kind) bad("unknown entry kind");
    e.kind = *kind;
    for (const auto& t : j.at("tags")) {
        const auto tg = parse_tag(t.at("tag").get<std::string>());
        if (!tg) bad("unknown tag");
        e.tags.push_back({*tg, t.at("rule").get<std::string>()});
    }
    e.text = j.at("text").get<std::string>();
    e.ref_ts = j.at("ref_ts").get<std::string>();
    e.attrs = j.at("attrs").get<std::map<std::string, std::string>>();
    e.received_at = time_of(j.at("received_at"));
    return e;
}

// The commands a change flow carries (and the others, so that any command round-trips).
json command_json(const command& c) {
    return std::visit(
        [](const auto& v) -> json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, cmd::start>)
                return {{"cmd", "start"},
                        {"title", v.title},
                        {"sev", v.sev ? json(to_string(*v.sev)) : json(nullptr)},
                        {"private", v.is_private}};
            else if constexpr (std::is_same_v<T, cmd::ack>)
                return {{"cmd", "ack"}};
            else if constexpr (std::is_same_v<T, cmd::set_severity>)
                return {{"cmd", "sev"}, {"sev", to_string(v.sev)}};
            else if constexpr (std::is_same_v<T, cmd::set_status>)
                return {{"cmd", "status"}, {"to", to_string(v.to)}, {"note", v.note}};
            else if constexpr (std::is_same_v<T, cmd::assign_role>)
                return {{"cmd", v.which == role::commander ? "commander" : "comms"}, {"user", v.user_id}};
            else if constexpr (std::is_same_v<T, cmd::note>)
                return {{"cmd", "note"}, {"text", v.text}};
            else if constexpr (std::is_same_v<T, cmd::statuspage>)
                return {{"cmd", "statuspage"}, {"text", v.text}};
            else if constexpr (std::is_same_v<T, cmd::action_item>)
                return {{"cmd", "action"}, {"text", v.text}, {"owner", v.owner}};
            else if constexpr (std::is_same_v<T, cmd::resolve>)
                return {{"cmd", "resolve"}, {"note", v.note}};
            else if constexpr (std::is_same_v<T, cmd::reopen>)
                return {{"cmd", "reopen"}, {"note", v.note}};
            else if constexpr (std::is_same_v<T, cmd::detected>) {
                json when;
                if (const auto* t = std::get_if<time_point>(&v.when))
                    when = {{"at", time_json(*t)}};
                else if (const auto* d = std::get_if<cmd::time_of_day>(&v.when))
                    when = {{"hour", d->hour}, {"minute", d->minute}};
                else
                    when = {{"ago_s", std::get<cmd::time_ago>(v.when).amount.count()}};
                return {{"cmd", "detected"}, {"when", std::move(when)}};
            } else if constexpr (std::is_same_v<T, cmd::summary>)
                return {{"cmd", "summary"}};
            else if constexpr (std::is_same_v<T, cmd::list>)
                return {{"cmd", "list"}};
            else if constexpr (std::is_same_v<T, cmd::stats>)
                return {{"cmd", "stats"}};
            else if constexpr (std::is_same_v<T, cmd::snooze>)
                return {{"cmd", "snooze"}, {"s", v.duration.count()}};
            else if constexpr (std::is_same_v<T, cmd::catchup>)
                return {{"cmd", "catchup"}};
            else
                return {{"cmd", "help"}};
        },
        c);
}

command command_of(const json& j) {
    const auto name = j.at("cmd").get<std::string>();
    if (name == "start") {
        cmd::start s{j.at("title").get<std::string>(), std::nullopt};
        if (!j.at("sev").is_null()) s.sev = severity_of(j.at("sev"));
        s.is_private = j.at("private").get<bool>();
        return s;
    }
    if (name == "ack") return cmd::ack{};
    if (name == "sev") return cmd::set_severity{severity_of(j.at("sev"))};
    if (name == "status") return cmd::set_status{status_of(j.at("to")), j.at("note").get<std::string>()};
    if (name == "commander") return cmd::assign_role{role::commander, j.at("user").get<std::string>()};
    if (name == "comms") return cmd::assign_role{role::comms_lead, j.at("user").get<std::string>()};
    if (name == "note") return cmd::note{j.at("text").get<std::string>()};
    if (name == "statuspage") return cmd::statuspage{j.at("text").get<std::string>()};
    if (name == "action") return cmd::action_item{j.at("text").get<std::string>(), j.at("owner").get<std::string>()};
    if (name == "resolve") return cmd::resolve{j.at("note").get<std::string>()};
    if (name == "reopen") return cmd::reopen{j.at("note").get<std::string>()};
    if (name == "detected") {
        const auto& w = j.at("when");
        if (w.contains("at")) return cmd::detected{time_of(w.at("at"))};
        if (w.contains("hour")) return cmd::detected{cmd::time_of_day{w.at("hour").get<int>(), w.at("minute").get<int>()}};
        return cmd::detected{cmd::time_ago{seconds{w.at("ago_s").get<std::int64_t>()}}};
    }
    if (name == "summary") return cmd::summary{};
    if (name == "list") return cmd::list{};
    if (name == "stats") return cmd::stats{};
    if (name == "snooze") return cmd::snooze{seconds{j.at("s").get<std::int64_t>()}};
    if (name == "help") return cmd::help{};
    if (name == "catchup") return cmd::catchup{};
    bad("unknown command '" + name + "'");
}

// The responders group and the members last read (null: never read).
json responders_json(const responders_gate& r) {
    return {{"group", r.group}, {"last_read", r.last_read ? json(*r.last_read) : json(nullptr)}};
}
responders_gate responders_of(const json& j) {
    responders_gate r;
    r.group = j.at("group").get<std::string>();
    if (!j.at("last_read").is_null()) r.last_read = j.at("last_read").get<std::vector<std::string>>();
    return r;
}

// A saved state: {"reply_to": …, "state": {…}}.
std::string wrap(json state, std::string_view reply_to) {
    return json{{"reply_to", reply_to}, {"state", std::move(state)}}.dump();
}

// ---- one pair per flow ----

json state_json(const declare_flow::state& s) {
    return {{"at", to_string(s.at)},       {"title", s.title},
            {"sev", to_string(s.sev)},     {"is_private", s.is_private},
            {"declarer", s.declarer},
            {"key", s.key},                {"bot_user_id", s.bot_user_id},
            {"now", time_json(s.now)},     {"attempt", s.attempt},
            {"after_restart", s.after_restart}, {"channel_id", s.channel_id},
            {"channel_name", s.channel_name},   {"inc", incident_json(s.inc)},
            {"entry", entry_json(s.entry)}, {"failure_reply", s.failure_reply}};
}
declare_flow::state declare_of(const json& j) {
    declare_flow::state s;
    s.at = enum_of(j.at("at"), declare_flow::stage::finished, "stage");
    s.title = j.at("title").get<std::string>();
    s.sev = severity_of(j.at("sev"));
    s.is_private = j.at("is_private").get<bool>();
    s.declarer = j.at("declarer").get<std::string>();
    s.key = j.at("key").get<std::string>();
    s.bot_user_id = j.at("bot_user_id").get<std::string>();
    s.now = time_of(j.at("now"));
    s.attempt = j.at("attempt").get<int>();
    s.after_restart = j.at("after_restart").get<bool>();
    s.channel_id = j.at("channel_id").get<std::string>();
    s.channel_name = j.at("channel_name").get<std::string>();
    s.inc = incident_of(j.at("inc"));
    s.entry = entry_of(j.at("entry"));
    s.failure_reply = j.at("failure_reply").get<std::string>();
    return s;
}

json state_json(const change_flow::state& s) {
    const auto& p = s.plan;
    return {{"at", to_string(s.at)},
            {"cmd", command_json(s.cmd)},
            {"incident_id", s.incident_id},
            {"user", s.user},
            {"key", s.key},
            {"now", time_json(s.now)},
            {"responders", responders_json(s.responders)},
            {"plan",
             {{"updated", incident_json(p.updated)},
              {"entry", entry_json(p.entry)},
              {"reply", p.reply},
              {"announcement", p.announcement},
              {"resolved", p.resolved}}},
            {"failure_reply", s.failure_reply}};
}
change_flow::state change_of(const json& j) {
    change_flow::state s;
    s.at = enum_of(j.at("at"), change_flow::stage::finished, "stage");
    s.cmd = command_of(j.at("cmd"));
    s.incident_id = j.at("incident_id").get<std::int64_t>();
    s.user = j.at("user").get<std::string>();
    s.key = j.at("key").get<std::string>();
    s.now = time_of(j.at("now"));
    s.responders = responders_of(j.at("responders"));
    const auto& p = j.at("plan");
    s.plan.updated = incident_of(p.at("updated"));
    s.plan.entry = entry_of(p.at("entry"));
    s.plan.reply = p.at("reply").get<std::string>();
    s.plan.announcement = p.at("announcement").get<std::string>();
    s.plan.resolved = p.at("resolved").get<bool>();
    s.failure_reply = j.at("failure_reply").get<std::string>();
    return s;
}

json state_json(const summary_flow::state& s) {
    return {{"at", to_string(s.at)},
            {"inc", incident_json(s.inc)},
            {"with_review", s.with_review},
            {"now", time_json(s.now)},
            {"first_reply", s.first_reply},
            {"summary_text", s.summary_text},
            {"summary_blocks", s.summary_blocks},
            {"review_text", s.review_text},
            {"review_blocks", s.review_blocks},
            {"resolve_key", s.resolve_key},
            {"owner", s.owner},
            {"outcome", s.outcome}};
}
summary_flow::state summary_of(const json& j) {
    summary_flow::state s;
    s.at = enum_of(j.at("at"), summary_flow::stage::finished, "stage");
    s.inc = incident_of(j.at("inc"));
    s.with_review = j.at("with_review").get<bool>();
    s.now = time_of(j.at("now"));
    s.first_reply = j.at("first_reply").get<std::string>();
    s.summary_text = j.at("summary_text").get<std::string>();
    s.summary_blocks = j.at("summary_blocks");
    s.review_text = j.at("review_text").get<std::string>();
    s.review_blocks = j.at("review_blocks");
    s.resolve_key = j.value("resolve_key", "");  // absent: saved by an older build, not leased
    s.owner = j.value("owner", "");
    s.outcome = j.value("outcome", "posted");
    return s;
}

json state_json(const reminder_flow::state& s) {
    return {{"at", to_string(s.at)},       {"incident_id", s.incident_id},
            {"channel_id", s.channel_id},   {"entry", entry_json(s.entry)},
            {"text", s.message.text},       {"blocks", s.message.blocks},
            {"claim", entry_json(s.claim)}};
}
reminder_flow::state reminder_of(const json& j) {
    reminder_flow::state s;
    s.at = enum_of(j.at("at"), reminder_flow::stage::finished, "stage");
    s.incident_id = j.at("incident_id").get<std::int64_t>();
    s.channel_id = j.at("channel_id").get<std::string>();
    s.entry = entry_of(j.at("entry"));
    s.message.text = j.at("text").get<std::string>();
    s.message.blocks = j.at("blocks");
    // Absent when written by an older build, whose claims have no lease: the mark marks nothing.
    s.claim = j.contains("claim") ? entry_of(j.at("claim")) : s.entry;
    return s;
}

json state_json(const snooze_flow::state& s) {
    return {{"at", to_string(s.at)},    {"inc", incident_json(s.inc)}, {"s", s.duration.count()},
            {"user", s.user},            {"now", time_json(s.now)},     {"entry", entry_json(s.entry)}};
}
snooze_flow::state snooze_of(const json& j) {
    snooze_flow::state s;
    s.at = enum_of(j.at("at"), snooze_flow::stage::finished, "stage");
    s.inc = incident_of(j.at("inc"));
    s.duration = seconds{j.at("s").get<std::int64_t>()};
    s.user = j.at("user").get<std::string>();
    s.now = time_of(j.at("now"));
    s.entry = entry_of(j.at("entry"));
    return s;
}

}  // namespace

std::string save(const declare_flow::state& state, std::string_view reply_to) { return wrap(state_json(state), reply_to); }
std::string save(const change_flow::state& state, std::string_view reply_to) { return wrap(state_json(state), reply_to); }
std::string save(const summary_flow::state& state, std::string_view reply_to) { return wrap(state_json(state), reply_to); }
std::string save(const reminder_flow::state& state, std::string_view reply_to) { return wrap(state_json(state), reply_to); }
std::string save(const snooze_flow::state& state, std::string_view reply_to) { return wrap(state_json(state), reply_to); }

restore_result restore(std::string_view kind, std::string_view text) {
    restore_result out;
    try {
        const json j = json::parse(text);
        const auto& st = j.at("state");
        std::string reply_to = j.at("reply_to").get<std::string>();
        if (kind == kind_of<declare_flow>())
            out.entry = journal_entry{declare_flow(declare_of(st)), std::move(reply_to)};
        else if (kind == kind_of<change_flow>())
            out.entry = journal_entry{change_flow(change_of(st)), std::move(reply_to)};
        else if (kind == kind_of<summary_flow>())
            out.entry = journal_entry{summary_flow(summary_of(st)), std::move(reply_to)};
        else if (kind == kind_of<reminder_flow>())
            out.entry = journal_entry{reminder_flow(reminder_of(st)), std::move(reply_to)};
        else if (kind == kind_of<snooze_flow>())
            out.entry = journal_entry{snooze_flow(snooze_of(st)), std::move(reply_to)};
        else
            out.error = "unknown flow kind '" + std::string(kind) + "'";
    } catch (const std::exception& e) {
        out.entry.reset();
        out.error = "not a saved " + std::string(kind) + " flow: " + e.what();
    }
    return out;
}

bool resumes(std::string_view owner, time_point renewed_at, const claim_lease& lease, bool exclusive, time_point now) {
    if (owner == lease.owner) return false;  // running here
    if (exclusive) return true;              // whoever wrote it is gone
    return now - renewed_at >= lease.length;
}

std::chrono::milliseconds journal_sweep_period(const claim_lease& lease) {
    using std::chrono::milliseconds;
    return std::max(milliseconds{250}, std::chrono::duration_cast<milliseconds>(lease.length) / 3);
}

}  // namespace ib::flows
