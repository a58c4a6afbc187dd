#include "bot/app/events.hpp"

#include "bot/app/executor.hpp"

#include "bot/log.hpp"
#include "core/recording.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <utility>

namespace ib::bot {

using route = flows::event_route::kind;

event_intake::event_intake(recorder& rec, app_state& st, std::size_t max_pending, reader* lookups)
    : rec_(rec), st_(st), lookups_(lookups), window_(max_pending) {}

void event_intake::on_event(slack::events_api&& ev, std::shared_ptr<frame_sink> sink) {
    if (std::holds_alternative<slack::app_rate_limited>(ev.event))
        log_warn("bot", "Slack is rate-limiting event delivery to this app (app_rate_limited)");
    const flows::event_route r = st_.channels.route(ev);
    dispatch(r, std::move(ev), std::move(sink));
}

void event_intake::look_up(const std::string& channel, slack::events_api&& ev, std::shared_ptr<frame_sink> sink) {
    // One read per channel in flight: the events meeting the same miss meanwhile wait for it.
    auto [waiting, first] = looking_up_.try_emplace(channel);
    waiting->second.push_back({std::move(ev), std::move(sink)});
    if (!first) return;
    auto found = std::make_shared<channel_incident>();
    lookups_->submit(
        [found, channel](const storage::store& s) { *found = read_channel_incident(s, channel); },
        [this, found, channel](std::exception_ptr err) {
                         auto node = looking_up_.extract(channel);
                         if (err) {
                             log_warn("bot", "could not look up the incident of channel " + channel +
                                                 "; its events are not acked (Slack redelivers them)");
                             return;
                         }
                         // Another instance's incident: kept, so the channel's next events route at once,
                         // and its reminders scheduled here too (claims decide who posts each).
                         if (found->inc && learned) learned(*found->inc, found->schedule_entries);
                         for (auto& w : node.mapped()) {
                             flows::event_route r = st_.channels.route(w.ev);
                             if (r.what == route::lookup) r.what = route::ack;  // just asked: not an incident channel
                             dispatch(r, std::move(w.ev), std::move(w.sink));
                         }
                     });
}

void event_intake::dispatch(const flows::event_route& r, slack::events_api&& ev, std::shared_ptr<frame_sink> sink) {
    if (r.what == route::lookup && lookups_ != nullptr) return look_up(r.channel, std::move(ev), std::move(sink));
    // Names for the people an incident shows: looked up beside the recording, never before an ack.
    if (r.what != route::ack && st_.users_seen) st_.users_seen(users_in(ev));
    if (r.what == route::record) {
        // Who is in a private incident's channel decides who sees it listed.
        if (const incident* inc = st_.channels.find(r.channel); inc != nullptr && inc->is_private) {
            if (const auto* j = std::get_if<slack::member_joined>(&ev.event)) st_.members.joined(r.channel, j->user);
            if (const auto* l = std::get_if<slack::member_left>(&ev.event)) st_.members.left(r.channel, l->user);
        }
        // Converted to a timeline entry (tagging included) on the storage thread, inside its
        // group: the I/O thread only routes the event, and acks it once it is durable.
        auto outcome = std::make_shared<write_outcome>(write_outcome::none);
        auto done = ack_when_durable(std::move(sink), ev.envelope_id, outcome);
        // A late joiner's catch-up is decided with the join: due when the join is newly stored (a
        // redelivery is a duplicate), then, once durable, claimed and sent by executor::catch_up
        // after users.info says the joiner is not a bot (its claim, catchup_entry, is once per
        // person per incident, so a second join sends none). A join recovered from history never
        // comes this way.
        const incident* inc = st_.channels.find(r.channel);
        const auto at = wall_now();
        const bool late = inc != nullptr && st_.catchup_given && catchup_due(*inc, at, st_.catchup);
        auto given = std::make_shared<std::string>();  // whom a catch-up may be due, "" for none
        // An append: those of a burst go into the group's transaction as one batch.
        rec_.submit_append(
            [ev = std::move(ev), incident_id = r.incident_id, bot = st_.bot_user_id, at]() -> std::optional<timeline_entry> {
                auto recorded = to_timeline_entry(ev, bot, at);
                if (!recorded) return std::nullopt;  // e.g. the bot's own join: acked, nothing stored
                recorded->entry.incident_id = incident_id;
                return std::move(recorded->entry);
            },
            [outcome, late, given](storage::store&, const timeline_entry& e, bool newly) {
                *outcome = newly ? write_outcome::stored : write_outcome::duplicate;
                if (late && newly && e.kind == entry_kind::join && !e.user.empty())
                    *given = e.user;
            },
            [this, done = std::move(done), given, channel = std::string(r.channel)](std::exception_ptr err) {
                done(err);
                if (!err && !given->empty() && st_.catchup_given) st_.catchup_given(channel, *given);
            });
        return;
    }
    if (r.what == route::hold) {
        // The channel's incident is being declared: the entry waits for its id.
        if (auto recorded = to_timeline_entry(ev, st_.bot_user_id, wall_now())) {
            st_.channels.keep(r.channel, held_event{std::move(recorded->entry), std::move(sink), ev.envelope_id});
            return;
        }
    }
    sink->send(slack::make_ack(ev.envelope_id));  // no channel, not an incident channel, or nothing to keep
}

void event_intake::storage_failing(bool failing) {
    if (failing == storage_failing_) return;
    storage_failing_ = failing;
    // Flow control may have paused reading already; it resumes only once both allow it.
    if (window_.paused()) return;
    if (failing && pause_reading) pause_reading();
    if (!failing && resume_reading) resume_reading();
}

void event_intake::store_held(std::vector<held_event> held, std::int64_t incident_id) {
    for (auto& h : held) {
        h.entry.incident_id = incident_id;
        auto outcome = std::make_shared<write_outcome>(write_outcome::none);
        auto done = ack_when_durable(std::move(h.sink), std::move(h.envelope_id), outcome);
        rec_.submit_append([e = std::move(h.entry)]() -> std::optional<timeline_entry> { return e; },
                           [outcome](storage::store&, const timeline_entry&, bool newly) {
                               *outcome = newly ? write_outcome::stored : write_outcome::duplicate;
                           },
                           std::move(done));
    }
}

void event_intake::ack_held(std::vector<held_event> held) {
    for (auto& h : held) h.sink->send(slack::make_ack(h.envelope_id));
}

recorder::done_fn event_intake::ack_when_durable(std::shared_ptr<frame_sink> sink, std::string envelope_id,
                                                std::shared_ptr<const write_outcome> outcome) {
    const auto received = std::chrono::steady_clock::now();
    if (window_.submitted()) {
        log_debug("bot", "flow control: " + std::to_string(window_.in_flight()) +
                             " events waiting to be stored, pausing reads from Slack");
        if (pause_reading) pause_reading();
    }
    // `this` outlives the completion: completions run on the I/O context, which the app owns
    // together with this intake.
    return [this, sink = std::move(sink), id = std::move(envelope_id), outcome = std::move(outcome),
            received](std::exception_ptr err) {
        if (window_.finished() && !storage_failing_) {
            log_debug("bot", "flow control: " + std::to_string(window_.in_flight()) + " left, reading again");
            if (resume_reading) resume_reading();
        }
        std::string failure;
        if (err) {
            try {
                std::rethrow_exception(err);
            } catch (const std::exception& e) {
                failure = e.what();
            }
        }
        const flows::action next = flows::event_written(id, err ? &failure : nullptr);
        if (const auto* a = std::get_if<flows::ack>(&next.what)) {
            sink->send(slack::make_ack(a->envelope_id));
            // The outcome was set on the storage thread before the group commit; the recorder's
            // hand-over to this thread orders the two.
            st_.observer->event_acked(*outcome, std::chrono::steady_clock::now() - received);
        }
        line_context context;
        context.envelope = id;
        context.error = failure;
        log_line(next.level, next.log, context);
    };
}

}  // namespace ib::bot
