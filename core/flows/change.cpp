#include "core/flows/change.hpp"

#include <algorithm>
#include <utility>

namespace ib::flows {

change_flow::change_flow(command c, std::int64_t incident_id, std::string user, std::string key, time_point now,
                         responders_gate responders) {
    st_.cmd = std::move(c);
    st_.incident_id = incident_id;
    st_.user = std::move(user);
    st_.key = std::move(key);
    st_.now = now;
    st_.responders = std::move(responders);
}

change_flow::change_flow(state saved) : st_(std::move(saved)) {}

namespace {

call read_responders(const std::string& group) { return call{"usergroups.users.list", {{"usergroup", group}}}; }

}  // namespace

action change_flow::start() {
    if (st_.at != stage::idle) return finish(st_.at, log_level::error, "change: start() called twice; giving up");
    if (st_.responders.group.empty() || !needs_responder(st_.cmd)) return wait_turn();
    // Read the group now, before taking a turn: membership changes as people rotate on and off call.
    st_.at = stage::checking;
    return step(read_responders(st_.responders.group));
}

action change_flow::resume(event ev) {
    const bool restart = std::holds_alternative<restarted>(ev);
    if (restart) st_.resumed = true;
    const bool done_ok = std::holds_alternative<ok>(ev);
    switch (st_.at) {
    case stage::checking:
        if (const auto* r = std::get_if<called>(&ev)) return after_check(*r);
        if (restart) return step(read_responders(st_.responders.group));  // a read: safe to repeat
        break;

    case stage::keeping:
        if (restart) return step(keep_responders{*st_.responders.last_read});
        if (done_ok) return authorize(*st_.responders.last_read);
        break;

    case stage::waiting:
        if (const auto* t = std::get_if<turn>(&ev)) return plan(t->inc);
        if (restart) return wait_turn();
        if (const auto* f = std::get_if<store_failed>(&ev))
            return finish(st_.at, log_level::error, "change: no incident to change: " + f->error);
        break;

    case stage::storing:
        // Not stored before the restart (a stored change is journaled with the state after it):
        // wait for a turn again and plan from the incident as committed now.
        if (restart) return wait_turn();
        // Another instance changed the incident since it was planned: plan again from the row.
        if (const auto* t = std::get_if<turn>(&ev)) return plan(t->inc);
        if (const auto* s = std::get_if<stored>(&ev); s != nullptr && s->duplicate) {
            st_.at = stage::skipping;
            return step(end_turn{st_.incident_id, st_.key, std::nullopt}, log_level::info,
                        "change " + st_.key + " was handled already; nothing to do");
        }
        if (std::holds_alternative<stored>(ev)) {
            st_.at = stage::replanning;
            return step(replan_reminders{st_.incident_id, st_.plan.updated, st_.plan.entry});
        }
        if (const auto* f = std::get_if<store_failed>(&ev))
            return refuse(":x: I couldn't save that, please try again.", log_level::error,
                          "could not store a change: " + f->error);
        break;

    case stage::replanning:
        // After a restart the schedule and memory come from the database, and no turn is held.
        if (restart) return announce();  // the reply is in doubt: not repeated
        if (done_ok) {
            st_.at = stage::committing;
            return step(end_turn{st_.incident_id, st_.key, st_.plan.updated});
        }
        break;

    case stage::committing:
        if (restart) return announce();
        if (done_ok) {
            st_.at = stage::replying;
            return step(reply{st_.plan.reply});
        }
        break;

    case stage::replying:
        if (done_ok || restart) return announce();  // a reply in doubt is not repeated
        break;

    case stage::announcing:
        if (auto note = after_post(ev, "the announcement", st_.plan.updated.channel_id))
            return after_announce(note->level, std::move(note->text));
        break;

    case stage::summarizing:
        if (done_ok) return finish(st_.at);
        if (restart)
            return finish(st_.at, log_level::warn, skipped_after_restart("the summary", st_.plan.updated.channel_id));
        break;

    case stage::refusing:
        if (done_ok || restart) return fail(std::exchange(st_.failure_reply, {}));
        break;

    case stage::failing:
        if (done_ok || restart) return finish(st_.at);
        break;

    case stage::skipping:
        if (done_ok || restart) return finish(st_.at);
        break;

    case stage::idle:
    case stage::finished: break;
    }
    return out_of_place(st_.at, "change", ev);
}

action change_flow::wait_turn() {
    st_.at = stage::waiting;
    return step(take_turn{st_.incident_id, st_.key});
}

action change_flow::after_check(const called& r) {
    if (r.outcome == slack::api_outcome::ok) {
        if (auto members = usergroup_members(r.body)) {
            st_.responders.last_read = std::move(*members);
            st_.at = stage::keeping;
            return step(keep_responders{*st_.responders.last_read});
        }
    }
    const std::string error = r.outcome == slack::api_outcome::ok ? "no users in the answer" : r.error;
    const std::string what = "usergroups.users.list for " + st_.responders.group + " failed: " + error;
    // The last list read stands in; with none, nobody can be checked, so nothing changes.
    if (st_.responders.last_read) return authorize(*st_.responders.last_read, log_level::warn, what + "; using the last list read");
    return fail(responders_unknown_reply(st_.responders.group, error), log_level::warn, what + "; refusing the change");
}

action change_flow::authorize(const std::vector<std::string>& members, log_level level, std::string log) {
    // No turn is held yet: someone outside the group is answered without holding up other changes.
    if (std::find(members.begin(), members.end(), st_.user) == members.end())
        return fail(not_a_responder_reply(st_.responders.group), level, std::move(log));
    action next = wait_turn();
    next.level = level;
    next.log = std::move(log);
    return next;
}

action change_flow::plan(const incident& committed) {
    auto planned = plan_change(st_.cmd, committed, st_.user, st_.now);
    if (!planned) return refuse(":warning: " + planned.error().message);
    st_.plan = std::move(planned.value());
    st_.plan.entry.key = st_.key;
    st_.at = stage::storing;
    return step(save_change{st_.plan.updated, st_.plan.entry, committed});
}

action change_flow::refuse(std::string reply_text, log_level level, std::string log) {
    // Nothing changed: the turn ends with memory as it was, then the reply says why.
    st_.failure_reply = std::move(reply_text);
    st_.at = stage::refusing;
    return step(end_turn{st_.incident_id, st_.key, std::nullopt}, level, std::move(log));
}

action change_flow::fail(std::string reply_text, log_level level, std::string log) {
    // Nothing was stored (a refusal, a failure): the answer may ack without a journal entry.
    st_.at = stage::failing;
    return step(reply{std::move(reply_text), true}, level, std::move(log));
}

action change_flow::announce() {
    st_.at = stage::announcing;
    return step(post_message(st_.plan.updated.channel_id, st_.plan.announcement));
}

action change_flow::after_announce(log_level level, std::string log) {
    if (!st_.plan.resolved) return finish(st_.at, level, std::move(log));
    // Resumed after a restart, this process is not the resolve's owner: the summary is left to
    // the instance that takes its lease over (core/summary_lease.hpp), so it is posted once.
    if (st_.resumed)
        return finish(st_.at, level == log_level::none ? log_level::info : level,
                      log.empty() ? "the summary of incident " + std::to_string(st_.incident_id) +
                                        " is left to the instance that takes its lease over"
                                  : std::move(log));
    st_.at = stage::summarizing;
    return step(run_summary{st_.plan.updated, true, st_.plan.entry.key}, level, std::move(log));
}

std::string_view to_string(change_flow::stage s) {
    using st = change_flow::stage;
    switch (s) {
    case st::idle: return "idle";
    case st::checking: return "checking";
    case st::keeping: return "keeping";
    case st::waiting: return "waiting";
    case st::storing: return "storing";
    case st::replanning: return "replanning";
    case st::committing: return "committing";
    case st::replying: return "replying";
    case st::announcing: return "announcing";
    case st::summarizing: return "summarizing";
    case st::refusing: return "refusing";
    case st::failing: return "failing";
    case st::skipping: return "skipping";
    case st::finished: break;
    }
    return "finished";
}

}  // namespace ib::flows
