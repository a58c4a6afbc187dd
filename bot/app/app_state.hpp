// What the running bot holds in memory, shared by its executors on the I/O thread: the
// incidents by channel (with the events held for channels being declared), the reminder
// schedule, the changes waiting for their turn, the bot's own user id and identity, the members
// of private incident channels, the start rate limit and the responders group. Derived from the
// database at start-up, and afterwards only from what was committed. Also where the executors
// report what they did, for the metrics.
#pragma once

#include "bot/app/observer.hpp"
#include "bot/transport/socket_mode.hpp"
#include "core/access.hpp"
#include "core/catchup.hpp"
#include "core/flows/record_events.hpp"
#include "core/flows/turns.hpp"
#include "core/flows/resolve_user.hpp"
#include "core/rate_limit.hpp"
#include "core/reminders.hpp"
#include "core/summary_lease.hpp"
#include "core/slack/origin.hpp"
#include "core/timeline.hpp"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ib::bot {

// An event that arrived while its channel's incident was being declared.
struct held_event {
    timeline_entry entry;              // converted on arrival; incident_id set once known
    std::shared_ptr<frame_sink> sink;  // the connection to ack it on
    std::string envelope_id;
};

struct app_state {
    // `lease`: how long another instance's reminder claim may go unmarked, and who this one is.
    // The same lease holds for resolves whose summary is left unmarked.
    explicit app_state(reminder_policy policy, claim_lease lease = {})
        : reminders(policy, lease), summaries(std::move(lease)) {}

    flows::incident_channels<held_event> channels;  // only ever what was committed
    reminder_scheduler reminders;
    summary_scheduler summaries;  // other instances' resolves, taken over when their lease ends
    flows::turn_queue turns;  // changes waiting to plan, per incident
    std::string bot_user_id;  // from auth.test
    slack::identity self;     // envelopes must be for this workspace (auth.test) and app (hello)
    channel_roster members;   // who is in each private incident's channel (for /incident list)
    start_rate_limit starts;  // /incident start per person
    responders_gate responders;  // --responders, and its members when last read
    // Hears of events acked, open incidents and reminders posted; never null (must outlive
    // the executors).
    app_observer* observer = &app_observer::none();
    // Who to look up with users.info, and the hook that queues lookups (user_resolver); unset:
    // nobody is looked up. Called on the I/O thread with the users an incident shows.
    flows::user_lookups users;
    std::function<void(std::vector<std::string>)> users_seen;
    // --catchup-after, and what sends a late joiner's catch-up once it is written down with their
    // join (events.cpp; the app spawns executor::catch_up). Unset: none is sent.
    catchup_setting catchup{default_catchup_after};
    std::function<void(const std::string& channel, std::string user)> catchup_given;
    // A channel declared here was opened (its incident stored) and is to be caught up from its
    // history (channels.catch_up_declared(): the new-channel window); the app hands it to the
    // backfill runner. Unset: nothing is caught up.
    std::function<void(const incident&)> declared_opened;
};

// The wall clock, to the microsecond (Slack's ts precision): the one place executors read it.
time_point wall_now();

}  // namespace ib::bot
