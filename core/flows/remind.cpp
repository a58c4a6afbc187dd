#include "core/flows/remind.hpp"

#include "core/text.hpp"

#include <utility>

namespace ib::flows {

// ---- reminder_flow -------------------------------------------------------------------------

reminder_flow::reminder_flow(std::int64_t incident_id, const incident* inc, const reminder_state* st, time_point now,
                             const reminder_policy& policy) {
    st_.incident_id = incident_id;
    if (inc == nullptr || st == nullptr) return;  // start() forgets the id
    st_.channel_id = inc->channel_id;
    st_.message = render_reminder(*inc, *st, now, policy);
    st_.entry = make_reminder_entry(*inc, now);
}

reminder_flow::reminder_flow(state saved) : st_(std::move(saved)) {}

action reminder_flow::start() {
    if (st_.at != stage::idle) return finish(st_.at, log_level::error, "reminder: start() called twice; giving up");
    if (st_.channel_id.empty()) {
        st_.at = stage::forgetting;
        return step(forget_reminders{st_.incident_id});
    }
    // Noted before anything else (and in memory even if storing fails), so a failure can't
    // turn into a reminder storm; after a restart the next one is planned from the entry.
    st_.at = stage::noting;
    return step(replan_reminders{st_.incident_id, std::nullopt, st_.entry});
}

action reminder_flow::resume(event ev) {
    const bool restart = std::holds_alternative<restarted>(ev);
    const bool done_ok = std::holds_alternative<ok>(ev);
    switch (st_.at) {
    case stage::forgetting:
        if (done_ok || restart) return finish(st_.at);
        break;
    case stage::noting:
        if (restart) return step(replan_reminders{st_.incident_id, std::nullopt, st_.entry});
        if (done_ok) {
            st_.at = stage::recording;
            return step(claim_reminder{st_.incident_id, st_.entry.at});
        }
        break;
    case stage::recording:
        if (restart) return step(claim_reminder{st_.incident_id, st_.entry.at});  // decided again
        if (const auto* f = std::get_if<store_failed>(&ev))
            return finish(st_.at, log_level::error, "could not claim a reminder, not posting it: " + f->error);
        if (const auto* s = std::get_if<stored>(&ev)) {
            if (s->duplicate)
                return finish(st_.at, log_level::debug,
                              "reminder of incident " + std::to_string(st_.incident_id) +
                                  " not due as stored (claimed elsewhere, or the schedule moved)");
            st_.claim = s->entry ? *s->entry : st_.entry;
            st_.at = stage::posting;
            return step(post_message(st_.channel_id, st_.message.text, st_.message.blocks));
        }
        break;
    case stage::posting:
        if (auto note = after_post(ev, "the reminder", st_.channel_id)) {
            const auto* r = std::get_if<called>(&ev);
            st_.posted = r != nullptr && r->outcome == slack::api_outcome::ok;  // not failed, not in doubt
            // Marked at the claim's time (the flow has no clock): right after it on the timeline.
            const char* outcome = st_.posted ? "posted" : r != nullptr ? "failed" : "in_doubt";
            st_.at = stage::marking;
            return step(append_entry{make_reminder_mark(st_.claim, st_.claim.at, outcome)}, note->level,
                        std::move(note->text));
        }
        break;
    case stage::marking:
        if (restart) return step(append_entry{make_reminder_mark(st_.claim, st_.claim.at, "in_doubt")});
        if (const auto* f = std::get_if<store_failed>(&ev))
            return finish(st_.at, log_level::error,
                          "could not mark the reminder of incident " + std::to_string(st_.incident_id) +
                              "; another instance may post it again once its lease ends: " + f->error);
        if (std::holds_alternative<stored>(ev)) return finish(st_.at);
        break;
    case stage::idle:
    case stage::finished: break;
    }
    return out_of_place(st_.at, "reminder", ev);
}

// ---- snooze_flow ---------------------------------------------------------------------------

snooze_flow::snooze_flow(incident inc, seconds duration, std::string user, time_point now) {
    st_.inc = std::move(inc);
    st_.duration = duration;
    st_.user = std::move(user);
    st_.now = now;
}

snooze_flow::snooze_flow(state saved) : st_(std::move(saved)) {}

action snooze_flow::start() {
    if (st_.at != stage::idle) return finish(st_.at, log_level::error, "snooze: start() called twice; giving up");
    auto entry = make_snooze_entry(st_.inc, st_.duration, st_.user, st_.now);
    if (!entry) {
        st_.at = stage::failing;
        return step(reply{entry.error().message, true});
    }
    st_.entry = std::move(entry.value());
    st_.at = stage::noting;
    return step(replan_reminders{st_.inc.id, std::nullopt, st_.entry});
}

action snooze_flow::resume(event ev) {
    const bool restart = std::holds_alternative<restarted>(ev);
    const bool done_ok = std::holds_alternative<ok>(ev);
    switch (st_.at) {
    case stage::noting:
        if (restart) return step(replan_reminders{st_.inc.id, std::nullopt, st_.entry});
        if (done_ok) {
            st_.at = stage::recording;
            return step(append_entry{st_.entry});
        }
        break;
    case stage::recording:
        if (restart) return step(append_entry{st_.entry});
        if (auto next = after_record(ev, step(reply{"Status-page reminders snoozed until " + until_hhmm() + " UTC."}),
                                     "a snooze")) {
            st_.at = stage::replying;
            return *next;
        }
        break;
    case stage::replying:
        if (done_ok || restart) {
            st_.at = stage::announcing;
            std::string text = ":zzz: " + mention(st_.user, "someone") + " snoozed status-page reminders for " +
                               format_duration(st_.duration) + " (until " + until_hhmm() + " UTC).";
            return step(post_message(st_.inc.channel_id, std::move(text)));
        }
        break;
    case stage::announcing:
        if (auto note = after_post(ev, "the snooze", st_.inc.channel_id))
            return finish(st_.at, note->level, std::move(note->text));
        break;
    case stage::failing:
        if (done_ok || restart) return finish(st_.at);
        break;
    case stage::idle:
    case stage::finished: break;
    }
    return out_of_place(st_.at, "snooze", ev);
}

std::string snooze_flow::until_hhmm() const {
    const auto until = parse_iso8601(st_.entry.attr("until"));
    return until ? to_iso8601(*until).substr(11, 5) : std::string("?");
}

std::string_view to_string(reminder_flow::stage s) {
    using st = reminder_flow::stage;
    switch (s) {
    case st::idle: return "idle";
    case st::forgetting: return "forgetting";
    case st::noting: return "noting";
    case st::recording: return "recording";
    case st::posting: return "posting";
    case st::marking: return "marking";
    case st::finished: break;
    }
    return "finished";
}

std::string_view to_string(snooze_flow::stage s) {
    using st = snooze_flow::stage;
    switch (s) {
    case st::idle: return "idle";
    case st::noting: return "noting";
    case st::recording: return "recording";
    case st::replying: return "replying";
    case st::announcing: return "announcing";
    case st::failing: return "failing";
    case st::finished: break;
    }
    return "finished";
}

}  // namespace ib::flows
