// The event-recording executor: carries out core/flows/record_events for every Events API event
// (route by channel, hold while the channel's incident is being declared, store, ack once
// durable) and its flow control (pause reading from Slack while too many writes are in flight).
#pragma once

#include "bot/app/app_state.hpp"
#include "bot/app/reader.hpp"
#include "bot/app/recorder.hpp"
#include "core/flows/record_events.hpp"
#include "core/slack/envelope.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace ib::bot {

class event_intake {
public:
    // Writes go to `rec`; routing reads `st`. At `max_pending` writes in flight reading pauses.
    // With `lookups` (several instances share the database), a channel not known here is looked
    // up on that reader before its event is treated as foreign; st.channels must route lookups
    // then (incident_channels::look_up_misses).
    event_intake(recorder& rec, app_state& st, std::size_t max_pending, reader* lookups = nullptr);

    // Flow control hooks (the Socket Mode client's pause_reading / resume_reading); unset: none.
    std::function<void()> pause_reading;
    std::function<void()> resume_reading;
    // What a lookup found: the incident and its statuspage and reminder entries
    // (executor::learn_incident); unset: nothing is kept.
    std::function<void(const incident&, std::span<const timeline_entry>)> learned;

    // Commits are failing (true): stop reading from Slack until they work again (false), whatever
    // flow control says meanwhile.
    void storage_failing(bool failing);

    // One Events API event and the connection it came in on. On the I/O thread.
    void on_event(slack::events_api&& ev, std::shared_ptr<frame_sink> sink);

    // Stores events held for a channel under `incident_id`, acking each once durable.
    void store_held(std::vector<held_event> held, std::int64_t incident_id);
    // Acks events held for a channel whose declaration failed, storing nothing.
    static void ack_held(std::vector<held_event> held);

    const flows::write_window& window() const { return window_; }

private:
    // Carries out route `r` for `ev`.
    void dispatch(const flows::event_route& r, slack::events_api&& ev, std::shared_ptr<frame_sink> sink);
    // route lookup: asks the database for `channel`'s incident (once for the events that meet the
    // same miss meanwhile), keeps what it finds, then routes each waiting event again. A failed
    // read acks nothing: Slack redelivers.
    void look_up(const std::string& channel, slack::events_api&& ev, std::shared_ptr<frame_sink> sink);

    // The completion of one event's write, counted for flow control: acks it once durable; a
    // failed write is not acked, so Slack redelivers the event. An ack is reported to the
    // observer with its latency from now and `outcome`, which the write sets.
    recorder::done_fn ack_when_durable(std::shared_ptr<frame_sink> sink, std::string envelope_id,
                                       std::shared_ptr<const write_outcome> outcome);

    struct waiting_event {
        slack::events_api ev;
        std::shared_ptr<frame_sink> sink;
    };

    recorder& rec_;
    app_state& st_;
    reader* lookups_ = nullptr;
    std::unordered_map<std::string, std::vector<waiting_event>> looking_up_;  // by channel
    flows::write_window window_;
    bool storage_failing_ = false;
};

}  // namespace ib::bot
