// Recording Slack events (the event-recording flow): which incident a channel's events go to,
// the events held while a channel's incident is being declared, flow control, and when an event
// is acked. Pure; the executor is bot/app/events.
//
// Each Events API event is routed by the channel it concerns (core/recording's event_channel):
//   record  the channel has an incident: the event is converted to a timeline entry and stored on
//           the storage thread, and acked once that write is durable (an ack means stored)
//   hold    the channel's incident is being declared (declare.hpp) and has no id yet: the entry
//           waits, and is stored once the incident is (open_incident) or acked unstored if the
//           declaration fails (release_events)
//   lookup  several instances share the database and this one knows no incident in the channel:
//           another may have declared one, so the database is asked (on the reader) before the
//           event is treated as foreign; found, the incident is kept and the event recorded, else
//           acked. Lookups of one channel in flight are made once (engineering.md §3.9: never
//           drop an event because a local cache has not heard of its channel yet)
//   ack     no channel, or not an incident channel: acked at once, nothing stored
//
// The new-channel window (several instances): between conversations.create and the commit of the
// declaring instance's create_incident, the new channel's first events (someone joining and
// talking at once) may reach another instance; its lookup finds no incident yet, and it acks them
// as foreign. So with look_up_misses() on, a channel declared here is caught up from its history
// once its incident is stored (catch_up_declared(); backfill.hpp's declared_channel_target): what
// the others acked is in the history (a message is there whatever became of its event:
// slack-protocol.md §6, and the simulator's history), and the store keeps one entry per channel
// and ts, so what was recorded live is not doubled.
#pragma once

#include "core/flows/effects.hpp"
#include "core/incident.hpp"
#include "core/recording.hpp"
#include "core/slack/envelope.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ib::flows {

// Where an event goes.
struct event_route {
    enum class kind { ack, record, hold, lookup };
    kind what = kind::ack;
    std::string channel;           // the channel the event concerns ("" when none)
    std::int64_t incident_id = 0;  // record: the channel's incident
};

// The incidents the bot knows, by channel (the latest declared in each), and the events held for
// channels being declared. `Held` is whatever the executor needs to store or ack a held event
// later (its entry, the envelope id, the connection to ack on). Not thread-safe.
template <class Held>
class incident_channels {
public:
    // The incident of `channel`, or nullptr. Invalidated by set().
    const incident* find(std::string_view channel) const {
        const auto it = by_channel_.find(std::string(channel));
        return it == by_channel_.end() ? nullptr : &it->second;
    }
    // The incident with this id, or nullptr (a scan: ids are looked up rarely).
    const incident* find(std::int64_t id) const {
        for (const auto& [channel, inc] : by_channel_)
            if (inc.id == id) return &inc;
        return nullptr;
    }
    // What a lookup found: `inc` becomes its channel's incident unless the channel has a newer one
    // (a higher id) meanwhile. Returns whether it did.
    bool learn(incident inc) {
        if (const incident* known = find(inc.channel_id); known != nullptr && known->id > inc.id) return false;
        set(std::move(inc));
        return true;
    }
    // `inc` becomes its channel's incident (replacing the one held for that channel).
    void set(incident inc) {
        std::string channel = inc.channel_id;
        by_channel_.insert_or_assign(std::move(channel), std::move(inc));
    }

    // Several instances share the database (PostgreSQL): a channel not known here is looked up
    // (route() answers lookup for it) rather than treated as foreign. Off by default (one run).
    void look_up_misses(bool on) { look_up_misses_ = on; }
    bool looks_up_misses() const { return look_up_misses_; }
    // Whether a channel declared here is caught up from its history once its incident is stored
    // (the new-channel window, above): when misses are looked up, i.e. other instances may run.
    bool catch_up_declared() const { return look_up_misses_; }

    // Where `ev` goes: record when its channel has an incident, hold while the channel's incident
    // is being declared, lookup when look_up_misses() is on and the channel is not known, else ack.
    event_route route(const slack::events_api& ev) const {
        event_route r;
        const auto channel = event_channel(ev);
        if (!channel) return r;
        r.channel = std::string(*channel);
        if (const incident* inc = find(r.channel)) {
            r.what = event_route::kind::record;
            r.incident_id = inc->id;
        } else if (held_.count(r.channel) != 0) {
            r.what = event_route::kind::hold;
        } else if (look_up_misses_) {
            r.what = event_route::kind::lookup;
        }
        return r;
    }

    // Starts holding `channel`'s events (route() answers hold for it until release()).
    void hold(const std::string& channel) { held_.try_emplace(channel); }
    // Keeps an event routed to hold. Ignored when `channel` is not held.
    void keep(const std::string& channel, Held h) {
        if (auto it = held_.find(channel); it != held_.end()) it->second.push_back(std::move(h));
    }
    // Stops holding `channel` and returns what was held, in arrival order (empty if not held).
    std::vector<Held> release(const std::string& channel) {
        auto node = held_.extract(channel);
        return node.empty() ? std::vector<Held>{} : std::move(node.mapped());
    }

    // The open incidents, by id.
    std::vector<incident> open() const {
        std::vector<incident> out;
        for (const auto& [channel, inc] : by_channel_)
            if (inc.is_open()) out.push_back(inc);
        std::sort(out.begin(), out.end(), [](const incident& a, const incident& b) { return a.id < b.id; });
        return out;
    }
    // How many of open() there are.
    std::size_t open_count() const {
        return static_cast<std::size_t>(std::count_if(by_channel_.begin(), by_channel_.end(),
                                                       [](const auto& kv) { return kv.second.is_open(); }));
    }
    // Every incident held (one per channel), in no particular order.
    std::vector<incident> all() const {
        std::vector<incident> out;
        out.reserve(by_channel_.size());
        for (const auto& [channel, inc] : by_channel_) out.push_back(inc);
        return out;
    }

private:
    std::unordered_map<std::string, incident> by_channel_;
    std::unordered_map<std::string, std::vector<Held>> held_;
    bool look_up_misses_ = false;
};

// Flow control: the events whose writes are queued or being committed. With `limit` of them in
// flight the socket stops reading (the kernel's buffers fill and TCP holds Slack back) until a
// quarter of that remain, so a burst cannot grow memory without bound.
class write_window {
public:
    explicit write_window(std::size_t limit) : limit_(limit) {}

    // One more write in flight: true when reading must pause now.
    bool submitted();
    // One write finished (durable or failed): true when reading may resume now.
    bool finished();

    std::size_t in_flight() const { return in_flight_; }
    bool paused() const { return paused_; }
    std::size_t limit() const { return limit_; }

private:
    std::size_t limit_;
    std::size_t in_flight_ = 0;
    bool paused_ = false;
};

// After an event's write: ack it once it is durable (`error` null); a write that failed is not
// acked, so Slack redelivers the event: done, with an error line.
action event_written(std::string envelope_id, const std::string* error);

}  // namespace ib::flows
