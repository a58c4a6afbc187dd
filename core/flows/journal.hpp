// The flow journal: what the bot writes down about a flow in progress so that, after a crash, it
// is resumed where it was (restarted{}) instead of lost or repeated. "An ack means stored" for
// commands and clicks rests on it: a command is acked only once its change, or the command itself
// (its flow's state), is durable.
//
// The executor follows journal_rule() around every effect of a flow:
//   with    a store effect (create_incident, save_change, append_entry): the state the flow will
//           have once it is stored is written in the same transaction, so the journal says
//           "stored" exactly when the change is
//   before  a call that must not be made twice (a post, a channel creation, a reply that goes by
//           direct message), and a reply or an ack that acks the envelope while nothing of the
//           flow is durable (unless the reply says nothing changed): the current state,
//           whose stage says that effect is in flight, is made durable first; after a restart
//           that effect is "in doubt" and skipped (at most once)
//   forget  the flow is done: its entry is deleted
// and a command's watchdog makes the current state durable before it acks with the holding
// message (replies.hpp). Steps number the writes of one flow, so a late, older snapshot never
// replaces a newer one (storage: store::save_flow).
//
// At start-up every entry left is restored (restore()) and resumed with restarted{}, in the order
// of first writes; each flow's header says what it redoes and what it skips.
//
// Several instances on one database share the journal (README "High availability"): an entry
// names the instance whose flow it is and when that one last wrote or renewed it, and another
// instance resumes it only once that is older than the lease (resumes()), so a flow a live
// instance is running is not run twice.
#pragma once

#include "core/flows/change.hpp"
#include "core/flows/declare.hpp"
#include "core/flows/effects.hpp"
#include "core/flows/post_summary.hpp"
#include "core/flows/remind.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ib::flows {

// What to write to the journal around an effect (see the header comment).
enum class journal_write { none, before, with, forget };

// Where a `reply` would go now (replies.hpp): nowhere (a click's), in the envelope's ack, or in a
// direct message (a post like any other: never made twice).
enum class reply_route { dropped, ack, message };

// The rule for `e`, given whether some state of the flow is already durable and where a reply
// would go.
journal_write journal_rule(const effect& e, bool durable, reply_route replies);

// Every flow the journal can hold.
using any_flow = std::variant<declare_flow, change_flow, summary_flow, reminder_flow, snooze_flow>;

// The flow's kind as stored: "declare", "change", "summary", "reminder", "snooze".
template <class Flow>
std::string_view kind_of();
template <>
inline std::string_view kind_of<declare_flow>() { return "declare"; }
template <>
inline std::string_view kind_of<change_flow>() { return "change"; }
template <>
inline std::string_view kind_of<summary_flow>() { return "summary"; }
template <>
inline std::string_view kind_of<reminder_flow>() { return "reminder"; }
template <>
inline std::string_view kind_of<snooze_flow>() { return "snooze"; }

// A journal entry's contents: the flow's state, and whom to answer when it has something to say
// after a restart (the user who typed the command: by direct message; "" for a click or a timer,
// whose answers are dropped).
struct journal_entry {
    any_flow flow;
    std::string reply_to;
};

// The JSON text stored for `state` (a flow's current()).
std::string save(const declare_flow::state& state, std::string_view reply_to);
std::string save(const change_flow::state& state, std::string_view reply_to);
std::string save(const summary_flow::state& state, std::string_view reply_to);
std::string save(const reminder_flow::state& state, std::string_view reply_to);
std::string save(const snooze_flow::state& state, std::string_view reply_to);

// The flow saved as `kind` with `text`, rebuilt to be resumed with restarted{}. Errors (an
// unknown kind, text that is not a saved state of that kind, e.g. from a newer build): a one-line
// message, and the entry is to be dropped.
struct restore_result {
    std::optional<journal_entry> entry;
    std::string error;
};
restore_result restore(std::string_view kind, std::string_view text);

// ---- Several instances sharing the journal (engineering.md §3.9: claims, not leaders) ----------
// Each entry names its owner, the instance running the flow, and when that one last saved or
// renewed it (storage: store::flow_row). While it runs, an owner renews its entries every
// journal_sweep_period(); another instance resumes an entry once that renewal is older than the
// lease (its owner died, or stalled longer than the lease), taking it over under the row's lock so
// that exactly one instance does (store::claim_flows). A restarted process is another owner: what
// it ran before it died is resumed after the lease, by it or by another, like anyone's.

// Whether the instance `lease.owner` resumes, at `now`, the entry that `owner` last saved or
// renewed at `renewed_at`: never its own (it is running it); another's once now - renewed_at >=
// lease.length (an entry an older build wrote, owner "" and renewed at the epoch, at once). When
// `exclusive` (the database is this process's alone: SQLite's run lock, so whoever wrote the entry
// is gone), every entry not its own at once: a restart resumes what it finds, as with one instance.
bool resumes(std::string_view owner, time_point renewed_at, const claim_lease& lease, bool exclusive, time_point now);

// How often an instance renews its entries and looks for others' whose lease ended: a third of
// the lease (so two renewals can be late before it ends), at least 250 ms.
std::chrono::milliseconds journal_sweep_period(const claim_lease& lease);

}  // namespace ib::flows
