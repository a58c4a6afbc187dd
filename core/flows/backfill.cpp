#include "core/flows/backfill.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <utility>

namespace ib::flows {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view history_method = "conversations.history";
constexpr std::string_view replies_method = "conversations.replies";
constexpr auto rate_window = std::chrono::seconds{60};

// "09:01:02", or "2026-11-21 09:01:02" when `t` is not on `day`'s date.
std::string clock(time_point t, time_point day) {
    const std::string iso = to_iso8601(t);  // YYYY-MM-DDTHH:MM:SSZ
    const std::string hms = iso.substr(11, 8);
    if (std::chrono::floor<std::chrono::days>(t) == std::chrono::floor<std::chrono::days>(day)) return hms;
    return iso.substr(0, 10) + " " + hms;
}

std::string count_of(std::size_t n, std::string_view one) {
    return std::to_string(n) + " " + std::string(one) + (n == 1 ? "" : "s");
}

// Slack will not let the bot read this channel's history however often it asks.
bool refused_for_good(const called& r) {
    return r.outcome == slack::api_outcome::failed || r.outcome == slack::api_outcome::auth_fatal;
}

// The page's next cursor ("" when none).
std::string next_cursor_of(const nlohmann::json& body) {
    const auto meta = body.find("response_metadata");
    if (meta == body.end() || !meta->is_object()) return {};
    const auto c = meta->find("next_cursor");
    return c != meta->end() && c->is_string() ? c->get<std::string>() : std::string();
}

std::string member_string(const nlohmann::json& m, const char* key) {
    const auto it = m.find(key);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

timeline_entry make_gap_entry(std::int64_t incident_id, std::int64_t epoch, time_point from, time_point to,
                              std::size_t recovered, std::string_view error, time_point now) {
    timeline_entry e;
    e.incident_id = incident_id;
    e.key = "gap:" + std::to_string(incident_id) + ":" + std::to_string(epoch);
    e.kind = entry_kind::gap;
    e.at = from;
    e.received_at = now;
    std::string text = "not connected " + clock(from, from) + "–" + clock(to, from) + " UTC; ";
    if (!error.empty())
        text += (recovered > 0 ? count_of(recovered, "message") + " recovered, then " : std::string()) +
                "Slack's history could not be read (" + escape_mrkdwn(error) + ")";
    else if (recovered == 0)
        text += "nothing recovered from Slack's history";
    else
        text += count_of(recovered, "message") + " recovered from Slack's history";
    e.text = std::move(text);
    e.attrs["from"] = to_iso8601(from);
    e.attrs["to"] = to_iso8601(to);
    e.attrs["seconds"] = std::to_string(std::max<std::int64_t>(0, std::chrono::floor<seconds>(to - from).count()));
    e.attrs["recovered"] = std::to_string(recovered);
    if (!error.empty()) e.attrs["error"] = std::string(error);
    return e;
}

backfill_target declared_channel_target(const incident& inc, time_point now) {
    backfill_target t;
    t.incident_id = inc.id;
    t.channel = inc.channel_id;
    t.down_from = now;  // never disconnected: no gap
    t.declared = true;
    return t;
}

backfill_flow::backfill_flow(std::vector<backfill_target> targets, time_point connected_at, backfill_options opts) {
    st_.targets = std::move(targets);
    st_.connected_at = connected_at;
    st_.opts = opts;
    st_.progress.resize(st_.targets.size());
    for (std::size_t i = 0; i < st_.targets.size(); ++i) st_.order.push_back(i);
}

backfill_flow::backfill_flow(state saved) : st_(std::move(saved)) {}

std::size_t backfill_flow::recovered_total() const {
    std::size_t n = 0;
    for (const auto& p : st_.progress) n += p.recovered;
    return n;
}

action backfill_flow::start(time_point now) {
    if (st_.at != stage::idle) return finish(st_.at, log_level::error, "backfill: start() called twice; giving up");
    if (st_.order.empty()) return finish(st_.at);
    return begin_channel(now);
}

action backfill_flow::resume(event ev, time_point now) {
    const bool restart = std::holds_alternative<restarted>(ev);
    switch (st_.at) {
    case stage::reading:
        if (restart) return read_page(now);
        if (auto* r = std::get_if<called>(&ev)) return after_read(std::move(*r), now);
        break;
    case stage::storing:
        if (restart) return read_page(now);  // the page is read again and stored (idempotent)
        if (const auto* r = std::get_if<recovered>(&ev)) {  // (the executor logs unusable messages)
            progress().recovered += r->stored;
            return after_page(now);
        }
        if (const auto* f = std::get_if<store_failed>(&ev)) return channel_failed("could not store: " + f->error, now);
        break;
    case stage::waiting:
        if (std::holds_alternative<ok>(ev) || restart) {
            if (!st_.after_wait) return begin_channel(now);  // the wait before another pass
            call c = std::move(*st_.after_wait);
            st_.after_wait.reset();
            return paced(std::move(c), now);
        }
        break;
    case stage::finishing:
        if (restart) return finish_channel(progress().failure);
        if (std::holds_alternative<stored>(ev)) {
            auto& p = progress();
            p.caught_up = true;
            const auto& t = target();
            std::string line = "caught up " + t.channel + " (incident " + std::to_string(t.incident_id) + "): " +
                               count_of(p.recovered, "message") + " recovered from Slack's history (" +
                               count_of(p.pages, "page") + ", " + count_of(p.threads, "thread") + "); ";
            if (t.declared)
                line += "declared here: what another instance had before the incident was stored";
            else
                line += "not connected " + clock(t.down_from, t.down_from) + "–" + clock(st_.connected_at, t.down_from) +
                        " UTC";
            if (!p.failure.empty()) line += "; " + p.failure;
            action next = next_channel(now);
            if (next.level < log_level::info) {
                next.level = p.failure.empty() ? log_level::info : log_level::warn;
                next.log = std::move(line);
            }
            return next;
        }
        if (const auto* f = std::get_if<store_failed>(&ev)) {
            progress().failure.clear();
            return channel_failed("could not store the end of the catch-up: " + f->error, now);
        }
        break;
    case stage::idle:
    case stage::finished: break;
    }
    return out_of_place(st_.at, "backfill", ev);
}

// ---- one channel -----------------------------------------------------------------------------

action backfill_flow::begin_channel(time_point now) {
    const auto& t = target();
    st_.threads = std::set<std::string>(t.threads.begin(), t.threads.end());
    st_.thread.clear();
    st_.cursor.clear();
    st_.next_cursor.clear();
    progress().failure.clear();
    return read_page(now);
}

std::string backfill_flow::oldest() const {
    const auto since = parse_slack_ts(target().since_ts);
    if (!since) return {};
    return to_slack_ts(*since - st_.opts.overlap);
}

// The call for the page at `cursor` of the history, or of the thread being read.
call backfill_flow::page_call() const {
    const auto& t = target();
    nlohmann::json args{{"channel", t.channel}, {"limit", st_.opts.page_limit}};
    if (const auto o = oldest(); !o.empty()) args["oldest"] = o;
    if (!st_.thread.empty()) args["ts"] = st_.thread;
    if (!st_.cursor.empty()) args["cursor"] = st_.cursor;
    return call{std::string(st_.thread.empty() ? history_method : replies_method), std::move(args), true, true};
}

action backfill_flow::read_page(time_point now) { return paced(page_call(), now); }

// `c` now, or a wait first when its method made per_minute calls in the last 60 s.
action backfill_flow::paced(call c, time_point now) {
    auto& recent = st_.recent_calls[c.method == history_method ? 0 : 1];
    std::erase_if(recent, [&](time_point t) { return t + rate_window <= now; });
    if (static_cast<int>(recent.size()) >= std::max(st_.opts.per_minute, 1)) {
        const auto until = *std::min_element(recent.begin(), recent.end()) + rate_window;
        st_.after_wait = std::move(c);
        st_.at = stage::waiting;
        return step(wait{std::chrono::ceil<milliseconds>(until - now)});
    }
    recent.push_back(now);
    st_.at = stage::reading;
    return step(std::move(c));
}

action backfill_flow::after_read(called r, time_point now) {
    if (r.outcome == slack::api_outcome::rate_limited) {
        // Wait as Slack asked, then make the same call again.
        const auto delay = std::max<milliseconds>(r.retry_after, std::chrono::seconds{1});
        st_.after_wait = page_call();
        st_.at = stage::waiting;
        return step(wait{delay}, log_level::warn,
                    "backfill: " + st_.after_wait->method + " for " + target().channel + " is rate-limited; waiting " +
                        std::to_string(std::chrono::ceil<seconds>(delay).count()) + " s");
    }
    if (r.outcome != slack::api_outcome::ok) {
        if (!st_.thread.empty() && r.error == "thread_not_found") return next_thread(now);  // its parent is gone
        if (refused_for_good(r)) return finish_channel(r.error);
        const std::string method(st_.thread.empty() ? history_method : replies_method);
        return channel_failed(method + " failed: " + r.error, now);
    }

    ++progress().pages;
    st_.next_cursor.clear();
    if (r.body.value("has_more", false)) {
        st_.next_cursor = next_cursor_of(r.body);
        if (st_.next_cursor == st_.cursor) st_.next_cursor.clear();  // a cursor that goes nowhere: stop there
    }
    auto it = r.body.find("messages");
    if (it == r.body.end() || !it->is_array() || it->empty()) return after_page(now);

    if (st_.thread.empty()) {
        // Threads this page shows: parents with replies, and replies sent to the channel too.
        for (const auto& m : *it) {
            if (!m.is_object()) continue;
            const std::string ts = member_string(m, "ts"), thread_ts = member_string(m, "thread_ts");
            if (thread_ts.empty()) continue;
            const auto replies = m.find("reply_count");
            if (thread_ts == ts && replies != m.end() && replies->is_number_integer() && replies->get<std::int64_t>() > 0)
                st_.threads.insert(ts);
            else if (thread_ts != ts)
                st_.threads.insert(thread_ts);
        }
    }
    st_.at = stage::storing;
    return step(store_history{target().incident_id, target().channel, std::move(*it)});
}

action backfill_flow::after_page(time_point now) {
    if (!st_.next_cursor.empty()) {
        st_.cursor = std::exchange(st_.next_cursor, std::string());
        return read_page(now);
    }
    if (!st_.thread.empty()) ++progress().threads;
    return next_thread(now);
}

// The thread after the one just read (or the first, after the history), else the channel's end.
action backfill_flow::next_thread(time_point now) {
    const auto it = st_.thread.empty() ? st_.threads.begin() : st_.threads.upper_bound(st_.thread);
    if (it == st_.threads.end()) return finish_channel();
    st_.thread = *it;
    st_.cursor.clear();
    st_.next_cursor.clear();
    return read_page(now);
}

// The channel's end: its gap entry (when due) and its mark cleared. `error`: Slack refuses to
// let the bot read the history (the mark is cleared too: asking again cannot help).
action backfill_flow::finish_channel(std::string error) {
    auto& p = progress();
    const auto& t = target();
    p.failure = error.empty() ? std::string() : "history not readable: " + error;
    const bool long_gap = st_.connected_at - t.down_from > st_.opts.gap_threshold;
    std::optional<timeline_entry> gap;
    if (!t.declared && (long_gap || p.recovered > 0))
        gap = make_gap_entry(t.incident_id, t.epoch, t.down_from, st_.connected_at, p.recovered, error,
                             st_.connected_at);
    st_.at = stage::finishing;
    return step(finish_backfill{t.incident_id, t.epoch, std::move(gap), t.claimed, t.channel, t.since_ts, t.down_from});
}

action backfill_flow::channel_failed(const std::string& error, time_point now) {
    const std::string channel = target().channel;
    progress().failure = error;
    st_.failed.push_back(st_.order[st_.pos]);
    action next = next_channel(now);
    if (next.level < log_level::warn) {
        next.level = log_level::warn;
        next.log = "backfill: catching up " + channel + " failed (" + error + "); trying again later";
    }
    return next;
}

action backfill_flow::next_channel(time_point now) {
    if (++st_.pos < st_.order.size()) return begin_channel(now);
    if (st_.failed.empty()) return finish(st_.at);
    if (st_.round >= st_.opts.max_rounds) {
        std::string which;
        for (const auto i : st_.failed)
            which += (which.empty() ? "" : ", ") + st_.targets[i].channel + " (" + st_.progress[i].failure + ")";
        return finish(st_.at, log_level::error,
                      "backfill: gave up catching up " + which + " after " + std::to_string(st_.round) +
                          (st_.round == 1 ? " pass" : " passes") +
                          "; the next reconnect or start-up tries again");
    }
    // Another pass over the channels that failed, after a wait that doubles each time.
    const seconds delay = st_.opts.retry_wait * (1 << std::min(st_.round - 1, 10));
    ++st_.round;
    st_.order = std::exchange(st_.failed, {});
    st_.pos = 0;
    st_.after_wait.reset();
    st_.at = stage::waiting;
    return step(wait{delay});
}

std::string_view to_string(backfill_flow::stage s) {
    using st = backfill_flow::stage;
    switch (s) {
    case st::idle: return "idle";
    case st::reading: return "reading";
    case st::storing: return "storing";
    case st::waiting: return "waiting";
    case st::finishing: return "finishing";
    case st::finished: break;
    }
    return "finished";
}

gap_decision decide_gap(bool claimed, std::string_view owner, time_point renewed_at, bool done,
                        const claim_lease& lease, time_point now) {
    if (!claimed) return gap_decision::read;
    if (done) return gap_decision::caught_up;
    if (owner == lease.owner || now - renewed_at >= lease.length) return gap_decision::read;
    return gap_decision::busy;
}

}  // namespace ib::flows
