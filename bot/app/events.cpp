#include "bot/app/events.hpp"

#include "bot/log.hpp"
#include "core/recording.hpp"
#include "storage/store.hpp"

#include <utility>

namespace ib::bot {

using route = flows::event_route::kind;

event_intake::event_intake(recorder& rec, app_state& st, std::size_t max_pending)
    : rec_(rec), st_(st), window_(max_pending) {}

void event_intake::on_event(slack::events_api&& ev, std::shared_ptr<frame_sink> sink) {
    if (std::holds_alternative<slack::app_rate_limited>(ev.event))
        log_warn("bot", "Slack is rate-limiting event delivery to this app (app_rate_limited)");
    const flows::event_route r = st_.channels.route(ev);
    if (r.what == route::record) {
        // Converted to a timeline entry (tagging included) on the storage thread, inside its
        // group: the I/O thread only routes the event, and acks it once it is durable.
        auto done = ack_when_durable(std::move(sink), ev.envelope_id);
        rec_.submit(
            [ev = std::move(ev), incident_id = r.incident_id, bot = st_.bot_user_id,
             at = wall_now()](storage::store& s) {
                auto recorded = to_timeline_entry(ev, bot, at);
                if (!recorded) return;  // e.g. the bot's own join: acked, nothing stored
                recorded->entry.incident_id = incident_id;
                s.append(recorded->entry);
            },
            std::move(done));
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

void event_intake::store_held(std::vector<held_event> held, std::int64_t incident_id) {
    for (auto& h : held) {
        h.entry.incident_id = incident_id;
        auto done = ack_when_durable(std::move(h.sink), std::move(h.envelope_id));
        rec_.submit([e = std::move(h.entry)](storage::store& s) { s.append(e); }, std::move(done));
    }
}

void event_intake::ack_held(std::vector<held_event> held) {
    for (auto& h : held) h.sink->send(slack::make_ack(h.envelope_id));
}

recorder::done_fn event_intake::ack_when_durable(std::shared_ptr<frame_sink> sink, std::string envelope_id) {
    if (window_.submitted()) {
        log_debug("bot", "flow control: " + std::to_string(window_.in_flight()) +
                             " events waiting to be stored, pausing reads from Slack");
        if (pause_reading) pause_reading();
    }
    // `this` outlives the completion: completions run on the I/O context, which the app owns
    // together with this intake.
    return [this, sink = std::move(sink), id = std::move(envelope_id)](std::exception_ptr err) {
        if (window_.finished()) {
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
        if (const auto* a = std::get_if<flows::ack>(&next.what)) sink->send(slack::make_ack(a->envelope_id));
        if (!next.log.empty()) log_error("bot", next.log);
    };
}

}  // namespace ib::bot
