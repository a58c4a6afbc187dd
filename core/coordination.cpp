#include "coordination.hpp"

#include "text.hpp"
#include "users.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace ib {
namespace {

using ojson = nlohmann::ordered_json;

// The timeline in time order (entries recovered from history may have been stored late); ties
// keep storage order.
std::vector<const timeline_entry*> by_time(std::span<const timeline_entry> timeline) {
    std::vector<const timeline_entry*> out;
    out.reserve(timeline.size());
    for (const auto& e : timeline) out.push_back(&e);
    std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->at < b->at; });
    return out;
}

bool is_reply(const timeline_entry& e) { return !e.attr("thread_ts").empty(); }

// The first entry of `timed` at or after `t` (binary search: a long timeline is read once per item).
std::vector<const timeline_entry*>::const_iterator first_from(const std::vector<const timeline_entry*>& timed,
                                                              time_point t) {
    return std::lower_bound(timed.begin(), timed.end(), t, [](const auto* e, time_point x) { return e->at < x; });
}

// The status the incident had at `t`.
std::string status_at(const std::vector<const timeline_entry*>& timed, time_point t) {
    std::string s(to_string(status::investigating));
    for (const auto* e : timed) {
        if (e->at > t) break;
        if (e->kind == entry_kind::status && !e->attr("to").empty()) s = e->attr("to");
        else if (e->kind == entry_kind::resolve) s = to_string(status::resolved);
        else if (e->kind == entry_kind::reopen) s = e->attr("to", to_string(status::investigating));
    }
    return s;
}

// The severity the incident had at `t` (its declared one before any change).
std::string severity_at(const std::vector<const timeline_entry*>& timed, time_point t, const incident& inc) {
    std::string s;
    for (const auto* e : timed) {
        if (e->at > t) break;
        if (e->kind == entry_kind::declare && !e->attr("severity").empty()) s = e->attr("severity");
        else if (e->kind == entry_kind::severity && !e->attr("to").empty()) s = e->attr("to");
    }
    return s.empty() ? std::string(to_string(inc.sev)) : s;
}

handoff snapshot(const timeline_entry& role_entry, const std::vector<const timeline_entry*>& timed,
                 const std::vector<hypothesis>& hyps, const message_history& history, const incident& inc) {
    handoff h;
    h.at = role_entry.at;
    h.from = role_entry.attr("previous");
    h.to = role_entry.attr("assignee");
    h.by = role_entry.user;
    h.status = status_at(timed, h.at);
    h.severity = severity_at(timed, h.at, inc);
    std::vector<const timeline_entry*> actions;
    for (const auto* e : timed) {
        if (e->at > h.at) break;
        if (e->kind == entry_kind::statuspage) {
            h.last_update_at = e->at;
            h.last_update_text = e->text;
        } else if (e->kind == entry_kind::message && e->has_tag(tag::action)) {
            actions.push_back(e);
        }
    }
    for (auto it = actions.rbegin(); it != actions.rend() && h.last_actions.size() < 3; ++it)
        h.last_actions.emplace_back(history.deleted((*it)->slack_ts) ? std::string_view{} : history.latest_text(**it));
    for (const auto& hyp : hyps)
        if (hyp.raised_at <= h.at && hyp.fate_at(h.at) == hypothesis_fate::open) h.open_hypotheses.push_back(hyp.text);
    return h;
}

// The first message tagged action, or status change, after `t`: how long after t it came.
std::optional<seconds> next_act_after(const std::vector<const timeline_entry*>& timed, time_point t) {
    for (auto it = first_from(timed, t); it != timed.end(); ++it) {
        const auto* e = *it;
        if (e->at <= t) continue;
        const bool act = (e->kind == entry_kind::message && e->has_tag(tag::action)) ||
                         e->kind == entry_kind::status || e->kind == entry_kind::resolve;
        if (act) return std::chrono::floor<seconds>(e->at - t);
    }
    return std::nullopt;
}

void find_quiet(coordination& c, const std::vector<const timeline_entry*>& timed, time_point start, time_point end) {
    // Busy spans: each message an instant, each recorded gap the time the bot was away.
    std::vector<std::pair<time_point, time_point>> busy;
    for (const auto* e : timed) {
        if (e->kind == entry_kind::message) busy.emplace_back(e->at, e->at);
        else if (e->kind == entry_kind::gap) {
            const auto from = parse_iso8601(e->attr("from")).value_or(e->at);
            busy.emplace_back(from, std::max(from, parse_iso8601(e->attr("to")).value_or(from)));
        }
    }
    std::stable_sort(busy.begin(), busy.end());
    time_point prev = start;
    for (const auto& [from, to] : busy) {
        if (from > end) break;
        if (from - prev > quiet_after) c.quiet.push_back({prev, from});
        prev = std::max(prev, to);
    }
    if (end - prev > quiet_after) c.quiet.push_back({prev, end});
}

void find_threads(coordination& c, const std::vector<const timeline_entry*>& timed, const message_history& history) {
    std::map<std::string, std::size_t> index;  // thread ts → position in c.threads
    const auto add_person = [](side_thread& t, const std::string& user) {
        if (!user.empty() && std::find(t.people.begin(), t.people.end(), user) == t.people.end())
            t.people.push_back(user);
    };
    for (const auto* e : timed) {
        if (e->kind != entry_kind::message || !is_reply(*e)) continue;
        const auto ts = e->attr("thread_ts");
        auto [it, added] = index.try_emplace(ts, c.threads.size());
        if (added) {
            side_thread t;
            t.ts = ts;
            if (const auto* parent = history.message(ts)) add_person(t, parent->user);
            c.threads.push_back(std::move(t));
        }
        auto& t = c.threads[it->second];
        add_person(t, e->user);
        ++t.replies;
        t.last_reply = std::max(t.last_reply, e->at);
        if (e->attr("subtype") == "thread_broadcast") t.reported_back = true;
    }
    for (auto& t : c.threads) {
        if (t.reported_back) continue;
        for (auto it = first_from(timed, t.last_reply); it != timed.end(); ++it) {
            const auto* e = *it;
            if (e->kind != entry_kind::message || is_reply(*e)) continue;
            if (e->at - t.last_reply > report_back_within) break;
            if (std::find(t.people.begin(), t.people.end(), e->user) != t.people.end()) {
                t.reported_back = true;
                break;
            }
        }
    }
}

// A user's name as the export gives it: the display name when known, else the id; null for none.
ojson user_json(const std::string& user, const user_names& names) {
    if (user.empty()) return nullptr;
    const auto it = names.find(user);
    return it != names.end() && !it->second.empty() ? it->second : user;
}
ojson seconds_json(const std::optional<seconds>& s) { return s ? ojson(s->count()) : ojson(nullptr); }
ojson texts_json(const std::vector<std::string>& slack_texts) {
    ojson a = ojson::array();
    for (const auto& t : slack_texts) a.push_back(decode_slack_entities(t));
    return a;
}

}  // namespace

std::string_view to_string(hypothesis_fate f) {
    switch (f) {
    case hypothesis_fate::confirmed: return "confirmed";
    case hypothesis_fate::ruled_out: return "ruled out";
    case hypothesis_fate::open: break;
    }
    return "open";
}

std::string fate_mrkdwn(hypothesis_fate f) {
    const std::string_view emoji = f == hypothesis_fate::confirmed ? ":white_check_mark: "
                                   : f == hypothesis_fate::ruled_out ? ":x: "
                                                                     : "";
    return std::string(emoji) + std::string(to_string(f));
}

std::optional<hypothesis_fate> fate_of_reaction(std::string_view reaction) {
    if (reaction == "white_check_mark" || reaction == "heavy_check_mark") return hypothesis_fate::confirmed;
    if (reaction == "x") return hypothesis_fate::ruled_out;
    return std::nullopt;
}

hypothesis_fate hypothesis::fate_at(time_point t) const {
    hypothesis_fate f = hypothesis_fate::open;
    for (const auto& c : changes)
        if (c.at <= t) f = c.to;
    return f;
}

std::vector<hypothesis> hypotheses_of(std::span<const timeline_entry> timeline) {
    return hypotheses_of(timeline, message_history(timeline));
}

std::vector<hypothesis> hypotheses_of(std::span<const timeline_entry> timeline, const message_history& history) {
    std::vector<hypothesis> out;
    std::map<std::string, std::size_t, std::less<>> index;  // ts → position in out
    // Per hypothesis: the ✅/❌ reactions present, (user, emoji) → position of the add, which
    // orders them (timeline order: "the later one").
    std::map<std::size_t, std::map<std::pair<std::string, std::string>, std::size_t>> present;
    for (std::size_t i = 0; i < timeline.size(); ++i) {
        const auto& e = timeline[i];
        if (e.kind == entry_kind::message && e.has_tag(tag::hypothesis) && !e.slack_ts.empty()) {
            if (!index.try_emplace(e.slack_ts, out.size()).second) continue;
            hypothesis h;
            h.ts = e.slack_ts;
            h.raised_by = e.user;
            h.raised_at = e.at;
            if (!history.deleted(e.slack_ts)) h.text = std::string(history.latest_text(e));
            out.push_back(std::move(h));
            continue;
        }
        if (e.kind != entry_kind::reaction && e.kind != entry_kind::unreaction) continue;
        const auto reaction = e.attr("reaction");
        const auto it = index.find(e.ref_ts);
        if (it == index.end() || !fate_of_reaction(reaction)) continue;
        auto& now = present[it->second];
        if (e.kind == entry_kind::reaction) now[{e.user, reaction}] = i;
        else now.erase({e.user, reaction});
        // The latest added reaction still present decides; none leaves it open.
        hypothesis_fate fate = hypothesis_fate::open;
        std::size_t latest = 0;
        for (const auto& [key, pos] : now)
            if (pos >= latest) {
                latest = pos;
                fate = *fate_of_reaction(key.second);
            }
        auto& h = out[it->second];
        if (fate != h.fate) {
            h.fate = fate;
            h.changes.push_back({e.at, e.user, fate});
        }
    }
    return out;
}

time_point record_end(const incident_record& r) {
    if (r.inc.resolved_at) return *r.inc.resolved_at;
    time_point end = r.inc.declared_at;
    for (const auto& e : r.timeline) end = std::max(end, e.at);
    return end;
}

coordination coordinate(const incident_record& r, time_point end) {
    return coordinate(r, end, message_history(r.timeline));
}

coordination coordinate(const incident_record& r, time_point end, const message_history& history) {
    const auto& inc = r.inc;
    const auto timed = by_time(r.timeline);
    coordination c;
    c.hypotheses = hypotheses_of(r.timeline, history);

    std::set<std::string, std::less<>> joined, pinned;
    std::string commander;
    for (const auto* e : timed) {
        switch (e->kind) {
        case entry_kind::join:
            // The declarer is invited by the bot as the channel is made: their join arrives a
            // moment after the declaration but nobody pulled them in.
            if (e->at > inc.declared_at && !e->user.empty() && e->user != inc.declared_by &&
                joined.insert(e->user).second)
                c.joins.push_back({e->user, e->at});
            break;
        case entry_kind::role:
            if (e->attr("role") != "commander") break;
            if (!e->attr("previous").empty() && e->attr("previous") != e->attr("assignee"))
                c.handoffs.push_back(snapshot(*e, timed, c.hypotheses, history, inc));
            commander = e->attr("assignee");
            break;
        case entry_kind::message: {
            if (commander.empty() || e->user == commander || e->text.find('?') == std::string::npos) break;
            const auto mentioned = mentioned_users(e->text);
            if (std::find(mentioned.begin(), mentioned.end(), commander) == mentioned.end()) break;
            ++c.commander_questions;
            const auto slot = inc.declared_at + (e->at < inc.declared_at ? std::chrono::microseconds{0}
                                                                         : (e->at - inc.declared_at) / demand_window *
                                                                               std::chrono::microseconds{demand_window});
            if (c.commander_demand.empty() || c.commander_demand.back().from != slot)
                c.commander_demand.push_back({slot, 0});
            ++c.commander_demand.back().questions;
            break;
        }
        case entry_kind::key_moment: {
            if (!pinned.insert(e->ref_ts).second) break;  // once per message
            acted_on a{"key moment", e->ref_ts, {}, parse_slack_ts(e->ref_ts).value_or(e->at), {}, {}};
            if (const auto* m = history.message(e->ref_ts)) {
                a.user = m->user;
                a.at = m->at;
                if (!history.deleted(e->ref_ts)) a.text = std::string(history.latest_text(*m));
            }
            c.acted.push_back(std::move(a));
            break;
        }
        default: break;
        }
    }

    find_threads(c, timed, history);
    find_quiet(c, timed, inc.declared_at, end);

    std::optional<time_point> first_hypothesis;
    for (const auto& h : c.hypotheses) {
        if (!first_hypothesis || h.raised_at < *first_hypothesis) first_hypothesis = h.raised_at;
        if (h.fate == hypothesis_fate::confirmed) {
            ++c.confirmed;
            c.acted.push_back({"hypothesis", h.ts, h.raised_by, h.raised_at, h.text, {}});
        } else if (h.fate == hypothesis_fate::ruled_out) {
            ++c.ruled_out;
        }
    }
    if (first_hypothesis && inc.identified_at && *inc.identified_at >= *first_hypothesis)
        c.first_hypothesis_to_identified = std::chrono::floor<seconds>(*inc.identified_at - *first_hypothesis);
    std::stable_sort(c.acted.begin(), c.acted.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    for (auto& a : c.acted) a.acted_after = next_act_after(timed, a.at);
    return c;
}

nlohmann::ordered_json coordination_json(const coordination& c, const user_names& names) {
    ojson j;
    ojson joins = ojson::array();
    for (const auto& p : c.joins)
        joins.push_back({{"user", p.user}, {"user_name", user_json(p.user, names)}, {"at", to_iso8601(p.at)}});
    j["joins"] = std::move(joins);

    ojson handoffs = ojson::array();
    for (const auto& h : c.handoffs)
        handoffs.push_back({{"at", to_iso8601(h.at)},
                            {"from", h.from},
                            {"from_name", user_json(h.from, names)},
                            {"to", h.to},
                            {"to_name", user_json(h.to, names)},
                            {"by", h.by.empty() ? ojson(nullptr) : ojson(h.by)},
                            {"by_name", user_json(h.by, names)},
                            {"status", h.status},
                            {"severity", h.severity},
                            {"last_status_update",
                             h.last_update_at ? ojson{{"at", to_iso8601(*h.last_update_at)},
                                                      {"text", decode_slack_entities(h.last_update_text)},
                                                      {"slack_text", h.last_update_text}}
                                              : ojson(nullptr)},
                            {"open_hypotheses", texts_json(h.open_hypotheses)},
                            {"last_actions", texts_json(h.last_actions)}});
    j["handoffs"] = std::move(handoffs);

    ojson slots = ojson::array();
    for (const auto& s : c.commander_demand) slots.push_back({{"from", to_iso8601(s.from)}, {"questions", s.questions}});
    j["commander_demand"] = {{"questions", c.commander_questions},
                             {"window_minutes", demand_window.count()},
                             {"windows", std::move(slots)}};

    ojson threads = ojson::array();
    for (const auto& t : c.threads) {
        ojson people = ojson::array();
        for (const auto& u : t.people) people.push_back({{"user", u}, {"user_name", user_json(u, names)}});
        threads.push_back({{"ts", t.ts},
                           {"people", std::move(people)},
                           {"replies", t.replies},
                           {"last_reply_at", to_iso8601(t.last_reply)},
                           {"reported_back", t.reported_back}});
    }
    j["threads"] = std::move(threads);

    ojson quiet = ojson::array();
    for (const auto& q : c.quiet)
        quiet.push_back({{"from", to_iso8601(q.from)},
                         {"to", to_iso8601(q.to)},
                         {"seconds", std::chrono::floor<seconds>(q.to - q.from).count()}});
    j["quiet_stretches"] = std::move(quiet);

    ojson list = ojson::array();
    for (const auto& h : c.hypotheses) {
        ojson changes = ojson::array();
        for (const auto& ch : h.changes)
            changes.push_back({{"at", to_iso8601(ch.at)},
                               {"by", ch.by},
                               {"by_name", user_json(ch.by, names)},
                               {"fate", std::string(to_string(ch.to))}});
        list.push_back({{"ts", h.ts},
                        {"raised_by", h.raised_by},
                        {"raised_by_name", user_json(h.raised_by, names)},
                        {"raised_at", to_iso8601(h.raised_at)},
                        {"text", decode_slack_entities(h.text)},
                        {"slack_text", h.text},
                        {"fate", std::string(to_string(h.fate))},
                        {"changes", std::move(changes)}});
    }
    j["hypotheses"] = {{"raised", c.hypotheses.size()},
                       {"confirmed", c.confirmed},
                       {"ruled_out", c.ruled_out},
                       {"first_to_identified_seconds", seconds_json(c.first_hypothesis_to_identified)},
                       {"list", std::move(list)}};

    ojson acted = ojson::array();
    for (const auto& a : c.acted)
        acted.push_back({{"what", a.what},
                         {"ts", a.ts},
                         {"user", a.user.empty() ? ojson(nullptr) : ojson(a.user)},
                         {"user_name", user_json(a.user, names)},
                         {"at", to_iso8601(a.at)},
                         {"text", decode_slack_entities(a.text)},
                         {"slack_text", a.text},
                         {"acted_after_seconds", seconds_json(a.acted_after)}});
    j["acted_on"] = std::move(acted);
    return j;
}

}  // namespace ib
