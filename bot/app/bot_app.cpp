#include "bot/app/bot_app.hpp"

#include "bot/app/recorder.hpp"
#include "bot/log.hpp"
#include "bot/transport/socket_mode.hpp"
#include "bot/transport/tls.hpp"
#include "bot/transport/web_client.hpp"
#include "core/commands.hpp"
#include "core/export.hpp"
#include "core/incident_commands.hpp"
#include "core/recording.hpp"
#include "core/reminders.hpp"
#include "core/summary.hpp"
#include "storage/store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <cstdlib>
#include <unordered_map>

namespace ib::bot {

namespace net = boost::asio;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// Slack shows "operation_timeout" when a slash command is not acked within 3 s; answer in the
// ack when the work fits in this budget, else ack with a holding reply and follow up by DM.
constexpr std::chrono::milliseconds reply_budget{2500};

time_point wall_now() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// co_await async_record(rec, work, use_awaitable): runs `work` on the storage thread and resumes
// once its group commit is durable; rethrows what the work or the commit threw.
template <class Token>
auto async_record(recorder& rec, recorder::work_fn work, Token&& token) {
    return net::async_initiate<Token, void(std::exception_ptr)>(
        [&rec](auto handler, recorder::work_fn w) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            rec.submit(std::move(w), [h](std::exception_ptr e) { (*h)(e); });
        },
        token, std::move(work));
}

// Completion for co_spawn: a coroutine that failed is a bug worth a log line, not a silent loss.
void log_failure(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        log_error("bot", std::string("task failed: ") + ex.what());
    }
}

nlohmann::json ephemeral(std::string text) {
    return {{"response_type", "ephemeral"}, {"text", std::move(text)}};
}

// The answer to one slash command: in the ack while there is time, by DM after that.
struct pending_reply {
    std::string envelope_id;
    std::string user_id;
    std::shared_ptr<frame_sink> sink;
    bool acked = false;
};

}  // namespace

struct app::impl : std::enable_shared_from_this<impl> {
    app_config cfg;
    net::io_context ioc{1};
    std::optional<storage::store> store_at_start;  // handed to the recorder by run()
    std::shared_ptr<net::ssl::context> tls;
    std::unique_ptr<web_client> api;     // bot token calls
    std::unique_ptr<web_client> sm_api;  // apps.connections.open (closed on stop)
    std::unique_ptr<recorder> rec;
    std::unique_ptr<socket_mode_client> sm;
    std::optional<net::signal_set> signals;
    std::string bot_user_id;
    std::unordered_map<std::string, incident> by_channel;  // the latest incident of each channel

    // Events for a channel whose incident is being declared wait here for its id.
    struct waiting {
        timeline_entry entry;
        std::shared_ptr<frame_sink> sink;
        std::string envelope_id;
    };
    std::unordered_map<std::string, std::vector<waiting>> pending;
    bool stopping = false;
    int exit_code = 0;

    // Status-page reminders: the schedule is derived from stored entries at start-up and kept
    // current by every change; one wall-clock timer sleeps until the earliest due reminder.
    reminder_scheduler reminders;
    std::optional<net::system_timer> reminder_timer;

    explicit impl(app_config c) : cfg(std::move(c)), reminders(cfg.reminder_cadence) {
        storage::store st(cfg.db_path);
        for (auto& inc : st.incidents_declared_between(from_unix_seconds(0), from_unix_seconds(100'000'000'000)))
            by_channel[inc.channel_id] = std::move(inc);  // ordered by time: the latest wins
        // Rebuild each open incident's reminder schedule from what is stored, so reminders
        // survive a restart. Only the status-page and reminder entries are read.
        const entry_kind kinds[] = {entry_kind::statuspage, entry_kind::reminder};
        for (const auto& [channel, inc] : by_channel)
            if (inc.is_open()) reminders.track(inc, derive_reminder_state(st.timeline_of_kinds(inc.id, kinds)));
        store_at_start.emplace(std::move(st));
    }

    // ---- frames ----------------------------------------------------------------------------

    void on_frame(slack::frame&& f, std::shared_ptr<frame_sink> sink) {
        if (auto* ev = std::get_if<slack::events_api>(&f)) return on_event(std::move(*ev), std::move(sink));
        if (auto* sc = std::get_if<slack::slash_command>(&f)) {
            net::co_spawn(ioc, handle_slash(shared_from_this(), std::move(*sc), std::move(sink)), log_failure);
            return;
        }
        if (auto* i = std::get_if<slack::interactive>(&f)) {
            sink->send(slack::make_ack(i->envelope_id));
            on_button(*i);
            return;
        }
        if (auto* u = std::get_if<slack::unknown_envelope>(&f)) {
            log_debug("bot", "acking an envelope of unknown type '" + u->type + "'");
            if (!u->envelope_id.empty()) sink->send(slack::make_ack(u->envelope_id));
            return;
        }
        if (auto* b = std::get_if<slack::bad_frame>(&f)) {
            log_warn("bot", "skipping a frame Slack should not have sent: " + b->reason);
            // Redelivering a malformed envelope cannot fix it: ack it when it has an id.
            if (b->envelope_id && !b->envelope_id->empty()) sink->send(slack::make_ack(*b->envelope_id));
        }
    }

    void on_event(slack::events_api&& ev, std::shared_ptr<frame_sink> sink) {
        if (std::holds_alternative<slack::app_rate_limited>(ev.event))
            log_warn("bot", "Slack is rate-limiting event delivery to this app (app_rate_limited)");
        const auto channel = event_channel(ev);
        if (!channel) {
            sink->send(slack::make_ack(ev.envelope_id));  // concerns no channel: nothing to keep
            return;
        }
        const std::string key(*channel);
        if (auto it = by_channel.find(key); it != by_channel.end()) {
            // Converted to a timeline entry (tagging included) on the storage thread, inside its
            // group: the I/O thread only routes the event, and acks it once it is durable.
            auto done = ack_when_durable(std::move(sink), ev.envelope_id);
            rec->submit(
                [ev = std::move(ev), incident_id = it->second.id, bot = bot_user_id, at = wall_now()](storage::store& s) {
                    auto recorded = to_timeline_entry(ev, bot, at);
                    if (!recorded) return;  // e.g. the bot's own join: acked, nothing stored
                    recorded->entry.incident_id = incident_id;
                    s.append(recorded->entry);
                },
                std::move(done));
            return;
        }
        if (auto p = pending.find(key); p != pending.end()) {
            // The channel's incident is being declared: the entry waits for its id.
            if (auto recorded = to_timeline_entry(ev, bot_user_id, wall_now())) {
                p->second.push_back({std::move(recorded->entry), std::move(sink), ev.envelope_id});
                return;
            }
        }
        sink->send(slack::make_ack(ev.envelope_id));  // not an incident channel, or nothing to keep
    }

    // Stores the entry, then acks the envelope: an ack means the event is durable.
    void store_entry(timeline_entry entry, std::shared_ptr<frame_sink> sink, std::string envelope_id) {
        auto done = ack_when_durable(std::move(sink), std::move(envelope_id));
        rec->submit([e = std::move(entry)](storage::store& s) { s.append(e); }, std::move(done));
    }

    // Flow control: events whose writes are queued or being committed. At cfg.max_pending_writes
    // the socket stops reading (the kernel's buffers fill and TCP holds Slack back) until the
    // storage thread is down to a quarter of that, so a burst cannot grow memory without bound.
    std::size_t writes_in_flight = 0;

    // The completion of one event's write, counted for flow control: acks once the write is
    // durable; a failed write is not acked, so Slack redelivers the event.
    recorder::done_fn ack_when_durable(std::shared_ptr<frame_sink> sink, std::string envelope_id) {
        if (++writes_in_flight >= cfg.max_pending_writes && sm && !sm->reading_paused()) {
            log_debug("bot", "flow control: " + std::to_string(writes_in_flight) +
                                 " events waiting to be stored, pausing reads from Slack");
            sm->pause_reading();
        }
        // `this` outlives the completion: completions run on ioc, which impl owns.
        return [this, sink = std::move(sink), id = std::move(envelope_id)](std::exception_ptr err) {
            if (--writes_in_flight <= cfg.max_pending_writes / 4 && sm && sm->reading_paused()) {
                log_debug("bot", "flow control: " + std::to_string(writes_in_flight) + " left, reading again");
                sm->resume_reading();
            }
            if (!err) {
                sink->send(slack::make_ack(id));
                return;
            }
            try {
                std::rethrow_exception(err);
            } catch (const std::exception& e) {
                log_error("bot", std::string("not acking an event that could not be stored: ") + e.what());
            }
        };
    }

    // ---- slash commands ----------------------------------------------------------------------

    static net::awaitable<void> reply_watchdog(std::shared_ptr<pending_reply> r) {
        net::steady_timer t(co_await net::this_coro::executor);
        t.expires_after(reply_budget);
        auto [ec] = co_await t.async_wait(use_tuple);
        (void)ec;
        if (r->acked) co_return;
        r->acked = true;
        r->sink->send(slack::make_ack(r->envelope_id, ephemeral(":hourglass_flowing_sand: Working on it; I'll message you when it's done.")));
    }

    // Answers the person who typed the command.
    net::awaitable<void> answer(std::shared_ptr<pending_reply> r, std::string text) {
        if (!r) co_return;  // a button click: the channel announcement is the answer
        if (!r->acked) {
            r->acked = true;
            r->sink->send(slack::make_ack(r->envelope_id, ephemeral(std::move(text))));
            co_return;
        }
        // Too late for the ack: a direct message reaches them wherever they are.
        co_await post_message(r->user_id, std::move(text));
    }

    net::awaitable<bool> post_message(std::string channel, std::string text,
                                      nlohmann::json blocks = nlohmann::json()) {
        nlohmann::json args{{"channel", channel}, {"text", std::move(text)}, {"unfurl_links", false}};
        if (!blocks.is_null()) args["blocks"] = std::move(blocks);
        call_options o;
        o.idempotent = false;  // a post is never made twice
        std::string token = cfg.bot_token;
        std::string method = "chat.postMessage";
        auto r = co_await api->call(std::move(method), std::move(args), std::move(token), o);
        if (r.outcome != slack::api_outcome::ok) {
            log_warn("bot", "chat.postMessage to " + channel + " failed: " + r.error);
            co_return false;
        }
        co_return true;
    }

    net::awaitable<void> call_logged(std::string method, nlohmann::json args) {
        std::string token = cfg.bot_token;
        const std::string name = method;  // moved into the call below
        auto r = co_await api->call(std::move(method), std::move(args), std::move(token));
        if (r.outcome != slack::api_outcome::ok) log_warn("bot", name + " failed: " + r.error);
    }

    static net::awaitable<void> handle_slash(std::shared_ptr<impl> self, slack::slash_command sc,
                                             std::shared_ptr<frame_sink> sink) {
        auto reply = std::make_shared<pending_reply>(pending_reply{sc.envelope_id, sc.user_id, std::move(sink)});
        net::co_spawn(self->ioc, reply_watchdog(reply), log_failure);

        // GCC 12 mishandles temporaries inside co_await expressions (bug 98401): every
        // argument below is a named local, moved in.
        auto parsed = parse_command(sc.text);
        std::string text;
        if (!parsed) {
            text = parsed.error().message;
            co_await self->answer(reply, std::move(text));
            co_return;
        }
        command c = std::move(parsed.value());
        if (auto* start = std::get_if<cmd::start>(&c)) {
            cmd::start what = std::move(*start);
            co_await self->declare(std::move(what), std::move(sc), reply);
            co_return;
        }
        if (std::holds_alternative<cmd::help>(c)) text = usage_text();
        else if (std::holds_alternative<cmd::list>(c)) text = render_incident_list(self->open_incidents(), wall_now());
        else if (std::holds_alternative<cmd::stats>(c)) text = render_stats(self->all_incidents(), wall_now());
        else if (!self->by_channel.count(sc.channel_id)) text = not_an_incident_channel_reply();
        if (!text.empty()) {
            co_await self->answer(reply, std::move(text));
            co_return;
        }
        if (std::holds_alternative<cmd::summary>(c)) {
            incident inc = self->by_channel.at(sc.channel_id);
            text = "Posting the summary in the channel.";
            co_await self->answer(reply, std::move(text));
            co_await self->post_summary(std::move(inc), false);
            co_return;
        }
        if (auto* z = std::get_if<cmd::snooze>(&c)) {
            const auto duration = z->duration;
            co_await self->snooze(sc.channel_id, sc.user_id, duration, reply);
            co_return;
        }
        std::string channel = sc.channel_id, user = sc.user_id, key = "cmd:" + sc.envelope_id;
        co_await self->apply_change(std::move(c), std::move(channel), std::move(user), std::move(key), reply);
    }

    // Appends an entry the bot made itself and waits until it is durable; a failure is logged
    // (the caller has already acted on it in memory).
    net::awaitable<bool> record_entry(timeline_entry e, std::string what) {
        std::string failure;  // (no co_await inside a catch block)
        recorder::work_fn work = [e = std::move(e)](storage::store& s) { s.append(e); };
        try {
            co_await async_record(*rec, std::move(work), net::use_awaitable);
        } catch (const std::exception& ex) {
            failure = ex.what();
        }
        if (failure.empty()) co_return true;
        log_error("bot", "could not record " + what + ": " + failure);
        co_return false;
    }

    // "Post update" and "Snooze 15 min" on a reminder.
    void on_button(const slack::interactive& i) {
        if (i.type != "block_actions" || i.actions.empty() || !by_channel.count(i.channel_id)) return;
        const auto& a = i.actions.front();
        if (a.action_id == post_update_action_id && !a.value.empty()) {
            command c = cmd::statuspage{a.value};
            net::co_spawn(ioc, apply_change(std::move(c), i.channel_id, i.user_id, "button:" + i.envelope_id, nullptr),
                          log_failure);
        } else if (a.action_id == snooze_action_id) {
            const auto d = parse_duration(a.value).value_or(std::chrono::minutes{15});
            net::co_spawn(ioc, snooze(i.channel_id, i.user_id, d, nullptr), log_failure);
        }
    }

    // /incident snooze <duration>: no reminder for that long, recorded on the timeline.
    net::awaitable<void> snooze(std::string channel, std::string user, seconds duration,
                                std::shared_ptr<pending_reply> reply) {
        const incident inc = by_channel.at(channel);
        auto entry = make_snooze_entry(inc, duration, user, wall_now());
        if (!entry) {
            std::string text = entry.error().message;
            co_await answer(reply, std::move(text));
            co_return;
        }
        const timeline_entry e = entry.value();
        reminders.on_entry(inc.id, e);
        wake_reminders();
        std::string what = "a snooze";
        co_await record_entry(e, std::move(what));
        std::string until = to_iso8601(*parse_iso8601(e.attr("until"))).substr(11, 5);
        std::string text = "Status-page reminders snoozed until " + until + " UTC.";
        co_await answer(reply, std::move(text));
        std::string announcement = ":zzz: <@" + user + "> snoozed status-page reminders for " +
                                   format_duration(duration) + " (until " + until + " UTC).";
        co_await post_message(std::move(channel), std::move(announcement));
    }

    std::vector<incident> open_incidents() const {
        std::vector<incident> out;
        for (const auto& [channel, inc] : by_channel)
            if (inc.is_open()) out.push_back(inc);
        std::sort(out.begin(), out.end(), [](const incident& a, const incident& b) { return a.id < b.id; });
        return out;
    }

    std::vector<incident> all_incidents() const {
        std::vector<incident> out;
        for (const auto& [channel, inc] : by_channel) out.push_back(inc);
        return out;
    }

    // ack, sev, status, roles, notes, action items, status-page updates, resolve, reopen, detected.
    // `reply` is null for a button click. `key` makes a redelivered command idempotent.
    net::awaitable<void> apply_change(command c, std::string channel, std::string user, std::string key,
                                      std::shared_ptr<pending_reply> reply) {
        auto plan = plan_change(c, by_channel.at(channel), user, wall_now());
        if (!plan) {
            std::string text = ":warning: " + plan.error().message;
            co_await answer(reply, std::move(text));
            co_return;
        }
        plan->entry.key = std::move(key);
        // Update the in-memory incident now, so a second command typed meanwhile sees this one.
        const incident before = std::exchange(by_channel[channel], plan->updated);
        std::string failure;  // (no co_await inside a catch block)
        recorder::work_fn work = [inc = plan->updated, e = plan->entry](storage::store& s) { s.save_change(inc, e); };
        try {
            co_await async_record(*rec, std::move(work), net::use_awaitable);
        } catch (const std::exception& e) {
            failure = e.what();
        }
        if (!failure.empty()) {
            by_channel[channel] = before;
            log_error("bot", "could not store a change: " + failure);
            std::string text = ":x: I couldn't save that, please try again.";
            co_await answer(reply, std::move(text));
            co_return;
        }
        // Severity and status re-plan the reminders; a status-page update resets them.
        reminders.on_incident_changed(plan->updated);
        reminders.on_entry(plan->updated.id, plan->entry);
        wake_reminders();
        co_await answer(reply, std::move(plan->reply));
        co_await post_message(std::move(channel), std::move(plan->announcement));
        if (plan->resolved) {
            incident resolved = plan->updated;
            co_await post_summary(std::move(resolved), true);
        }
    }

    // /incident start: create the channel, store the incident, invite, set the topic, announce.
    net::awaitable<void> declare(cmd::start start, slack::slash_command sc, std::shared_ptr<pending_reply> reply) {
        const time_point now = wall_now();
        const severity sev = start.sev.value_or(severity::sev3);
        const std::string base = channel_name_for(start.title, std::chrono::floor<std::chrono::days>(now));

        // Create the channel; on name_taken try base-2, base-3, …
        std::string channel_id, channel_name;
        call_options once;
        once.idempotent = false;  // a retried create after a lost answer would make a second channel
        for (int n = 1; n <= 20 && channel_id.empty(); ++n) {
            const std::string candidate = channel_name_with_suffix(base, n);
            nlohmann::json args{{"name", candidate}, {"is_private", false}};
            std::string token = cfg.bot_token;
            std::string method = "conversations.create";
            auto r = co_await api->call(std::move(method), std::move(args), std::move(token), once);
            if (r.outcome == slack::api_outcome::ok) {
                const auto& ch = r.response.body.value("channel", nlohmann::json::object());
                if (ch.is_object() && ch.contains("id") && ch["id"].is_string()) {
                    channel_id = ch["id"].get<std::string>();
                    channel_name = ch.value("name", candidate);
                }
                break;
            }
            if (r.error != "name_taken") {
                std::string text = ":x: I couldn't create the incident channel (`" + r.error + "`). Please try again.";
                co_await answer(reply, std::move(text));
                co_return;
            }
        }
        if (channel_id.empty()) {
            std::string text = ":x: I couldn't find a free channel name for that title. Try a more specific one.";
            co_await answer(reply, std::move(text));
            co_return;
        }

        // Hold events for the new channel until the incident has its id.
        pending.try_emplace(channel_id);
        auto decl = declare_incident(start.title, sev, sc.user_id, channel_id, channel_name, now);
        if (!decl) {
            release_pending(channel_id);
            std::string text = ":warning: " + decl.error().message;
            co_await answer(reply, std::move(text));
            co_return;
        }
        decl->entry.key = "cmd:" + sc.envelope_id;
        auto stored = std::make_shared<declared>(std::move(decl.value()));
        std::string failure;  // (no co_await inside a catch block)
        recorder::work_fn work = [stored](storage::store& s) { s.create_incident(stored->inc, stored->entry); };
        try {
            co_await async_record(*rec, std::move(work), net::use_awaitable);
        } catch (const std::exception& e) {
            failure = e.what();
        }
        if (!failure.empty()) {
            release_pending(channel_id);
            log_error("bot", "could not store a new incident: " + failure);
            std::string text = ":x: I created <#" + channel_id + "> but couldn't record the incident. Please try again.";
            co_await answer(reply, std::move(text));
            co_return;
        }
        by_channel[channel_id] = stored->inc;
        reminders.track(stored->inc, reminder_state{});
        wake_reminders();
        release_pending(channel_id);
        log_info("bot", "incident " + std::to_string(stored->inc.id) + " declared in #" + channel_name);

        std::string text = declared_reply(stored->inc);
        co_await answer(reply, std::move(text));
        if (sc.user_id != bot_user_id) {
            nlohmann::json invite{{"channel", channel_id}, {"users", sc.user_id}};
            std::string method = "conversations.invite";
            co_await call_logged(std::move(method), std::move(invite));
        }
        nlohmann::json topic{{"channel", channel_id}, {"topic", channel_topic(stored->inc)}};
        std::string set_topic = "conversations.setTopic";
        co_await call_logged(std::move(set_topic), std::move(topic));
        std::string announcement = declare_announcement(stored->inc);
        std::string channel = channel_id;
        co_await post_message(std::move(channel), std::move(announcement));
    }

    // Stores the events that arrived while `channel` was being declared (or acks them when the
    // declaration failed: the channel is not an incident channel after all).
    void release_pending(const std::string& channel) {
        auto node = pending.extract(channel);
        if (node.empty()) return;
        auto it = by_channel.find(channel);
        for (auto& w : node.mapped()) {
            if (it == by_channel.end()) {
                w.sink->send(slack::make_ack(w.envelope_id));
                continue;
            }
            w.entry.incident_id = it->second.id;
            store_entry(std::move(w.entry), std::move(w.sink), std::move(w.envelope_id));
        }
    }

    // The end-of-incident summary (and, on resolve, the review prompt) posted in the channel.
    net::awaitable<void> post_summary(incident inc, bool with_review) {
        auto timeline = std::make_shared<std::vector<timeline_entry>>();
        // The review prompt compares with earlier incidents (headcount, TTR, repeated keywords):
        // the most recent ones declared in the 90 days before this one.
        auto earlier = std::make_shared<std::vector<incident_record>>();
        std::string failure;
        recorder::work_fn work = [timeline, earlier, inc, with_review](storage::store& s) {
            *timeline = s.timeline(inc.id);
            if (!with_review) return;
            auto past = s.incidents_declared_between(inc.declared_at - std::chrono::days{90}, inc.declared_at);
            constexpr std::size_t max_history = 30;  // bounded work on the storage thread
            const std::size_t first = past.size() > max_history ? past.size() - max_history : 0;
            // Only what the rules read: who joined and spoke, and what was said.
            const entry_kind kinds[] = {entry_kind::join, entry_kind::message};
            for (std::size_t i = first; i < past.size(); ++i)
                if (past[i].id != inc.id) earlier->push_back({past[i], s.timeline_of_kinds(past[i].id, kinds)});
        };
        try {
            co_await async_record(*rec, std::move(work), net::use_awaitable);
        } catch (const std::exception& e) {
            failure = e.what();
        }
        if (!failure.empty()) {
            log_error("bot", "could not read the timeline for the summary: " + failure);
            co_return;
        }
        const incident_record record{inc, std::move(*timeline)};
        const incident_summary s = summarize(record);
        std::string channel = inc.channel_id, text = render_summary_text(s);
        nlohmann::json blocks = render_summary_blocks(s);
        co_await post_message(std::move(channel), std::move(text), std::move(blocks));
        if (!with_review) co_return;
        const review_prompt p = make_review_prompt(record, wall_now(), std::span<const incident_record>(*earlier));
        channel = inc.channel_id;
        text = render_review_text(p);
        blocks = render_review_blocks(p);
        co_await post_message(std::move(channel), std::move(text), std::move(blocks));
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    void wake_reminders() {
        if (reminder_timer) reminder_timer->cancel();
    }

    // Sleeps until the earliest due reminder (or until woken by a change), then posts what is due.
    static net::awaitable<void> reminder_loop(std::shared_ptr<impl> self) {
        self->reminder_timer.emplace(self->ioc);
        for (;;) {
            if (self->stopping) co_return;
            if (const auto next = self->reminders.next_wakeup())
                self->reminder_timer->expires_at(std::chrono::time_point_cast<std::chrono::system_clock::duration>(*next));
            else
                self->reminder_timer->expires_after(std::chrono::hours{1});
            auto [ec] = co_await self->reminder_timer->async_wait(use_tuple);
            (void)ec;  // woken early by a change, or stopping: look again
            if (self->stopping) co_return;
            const time_point now = wall_now();
            for (const std::int64_t id : self->reminders.due(now)) co_await self->send_reminder(id, now);
        }
    }

    net::awaitable<void> send_reminder(std::int64_t id, time_point now) {
        const incident* found = nullptr;
        for (const auto& [channel, inc] : by_channel)
            if (inc.id == id) found = &inc;
        const reminder_state* st = reminders.state(id);
        if (!found || !st) {
            reminders.forget(id);
            co_return;
        }
        const incident inc = *found;
        reminder_message msg = render_reminder(inc, *st, now, reminders.policy());
        // Recorded before posting (and in memory even if storing fails), so a failure can't
        // turn into a reminder storm; after a restart the next one is planned from it.
        const timeline_entry e = make_reminder_entry(inc, now);
        reminders.on_entry(id, e);
        std::string what = "a reminder";
        co_await record_entry(e, std::move(what));
        std::string channel = inc.channel_id;
        co_await post_message(std::move(channel), std::move(msg.text), std::move(msg.blocks));
    }

    static net::awaitable<void> main_task(std::shared_ptr<impl> self) {
        // The bot token first: a wrong one should fail in one line, before any connection.
        call_options o;
        o.max_attempts = 3;
        nlohmann::json no_args = nlohmann::json::object();
        std::string token = self->cfg.bot_token;
        std::string method = "auth.test";
        auto who = co_await self->api->call(std::move(method), std::move(no_args), std::move(token), o);
        if (self->stopping) {  // a stop requested while checking the token is a clean exit
            self->shutdown();
            co_return;
        }
        if (who.outcome != slack::api_outcome::ok || !who.response.body.contains("user_id") ||
            !who.response.body["user_id"].is_string()) {
            log_error("bot", who.outcome == slack::api_outcome::auth_fatal
                                 ? "Slack refused SLACK_BOT_TOKEN (" + who.error + ")"
                                 : "auth.test at " + self->cfg.api_url + " failed: " + who.error);
            self->exit_code = 1;
            self->shutdown();
            co_return;
        }
        self->bot_user_id = who.response.body["user_id"].get<std::string>();
        net::co_spawn(self->ioc, reminder_loop(self), log_failure);
        log_info("bot", "authenticated as " + self->bot_user_id + " (team " +
                            who.response.body.value("team", std::string("?")) + ")");

        socket_mode_options so;
        so.app_token = self->cfg.app_token;
        so.idle_timeout = self->cfg.idle_timeout;
        self->sm = std::make_unique<socket_mode_client>(
            self->ioc.get_executor(), *self->sm_api, self->tls, so,
            [weak = std::weak_ptr<impl>(self)](slack::frame&& f, std::shared_ptr<frame_sink> sink) {
                if (auto s = weak.lock()) s->on_frame(std::move(f), std::move(sink));
            });
        const int code = co_await self->sm->run();
        self->exit_code = code == 0 ? 0 : 1;
        self->shutdown();
    }

    void request_stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        log_info("bot", "stopping: closing the connection and flushing the timeline");
        wake_reminders();
        if (sm) sm->stop();
        else {
            if (api) api->close();
            if (sm_api) sm_api->close();
        }
    }

    void shutdown() {
        stopping = true;
        wake_reminders();
        if (signals) signals->cancel();
        if (api) api->close();
        if (sm_api) sm_api->close();
    }

    void watch_signals() {
        signals.emplace(ioc, SIGINT, SIGTERM);
        signals->async_wait([weak = weak_from_this()](const boost::system::error_code& ec, int) {
            if (ec) return;
            auto self = weak.lock();
            if (!self) return;
            self->request_stop();
            // A second signal means "now": don't wait for the flush.
            self->signals->async_wait([](const boost::system::error_code& ec2, int) {
                if (!ec2) std::_Exit(130);
            });
        });
    }

    int run() {
        tls = make_client_tls_context();
        api = std::make_unique<web_client>(ioc.get_executor(), cfg.api_url, tls);
        sm_api = std::make_unique<web_client>(ioc.get_executor(), cfg.api_url, tls);
        api->on_log([](std::string_view line) { log_warn("web", line); });
        sm_api->on_log([](std::string_view line) { log_warn("web", line); });
        rec = std::make_unique<recorder>(std::move(*store_at_start), [ex = ioc.get_executor()](std::function<void()> f) {
            net::post(ex, std::move(f));
        });
        store_at_start.reset();
        if (cfg.handle_signals) watch_signals();

        net::co_spawn(ioc, main_task(shared_from_this()), log_failure);
        ioc.run();
        rec->stop();
        const auto c = rec->counters();
        log_info("bot", "stopped; " + std::to_string(c.jobs) + " writes in " + std::to_string(c.groups) +
                            " group commits");
        return exit_code;
    }
};

app::app(app_config cfg) : impl_(std::make_shared<impl>(std::move(cfg))) {}

app::~app() = default;

int app::run() { return impl_->run(); }

void app::request_stop() {
    auto self = impl_;
    net::post(self->ioc, [self] { self->request_stop(); });
}

}  // namespace ib::bot
