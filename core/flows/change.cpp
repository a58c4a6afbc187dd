#include "core/flows/change.hpp"

#include <utility>

namespace ib::flows {

change_flow::change_flow(command c, incident current, std::string user, std::string key, time_point now) {
    st_.cmd = std::move(c);
    st_.before = std::move(current);
    st_.user = std::move(user);
    st_.key = std::move(key);
    st_.now = now;
}

change_flow::change_flow(state saved) : st_(std::move(saved)) {}

action change_flow::start() {
    if (st_.at != stage::idle) return finish(st_.at, log_level::error, "change: start() called twice; giving up");
    auto plan = plan_change(st_.cmd, st_.before, st_.user, st_.now);
    if (!plan) return fail(":warning: " + plan.error().message);
    st_.plan = std::move(plan.value());
    st_.plan.entry.key = st_.key;
    return remember();
}

action change_flow::resume(event ev) {
    const bool restart = std::holds_alternative<restarted>(ev);
    const bool done_ok = std::holds_alternative<ok>(ev);
    switch (st_.at) {
    case stage::remembering:
        if (restart) return remember();
        if (done_ok) return store();
        break;

    case stage::storing:
        if (restart) return remember();  // memory was rebuilt from the database: set it again, then store
        if (std::holds_alternative<stored>(ev)) {
            st_.at = stage::replanning;
            return step(replan_reminders{st_.plan.updated.id, st_.plan.updated, st_.plan.entry});
        }
        if (const auto* f = std::get_if<store_failed>(&ev)) {
            st_.at = stage::restoring;
            return step(set_incident{st_.before}, log_level::error, "could not store a change: " + f->error);
        }
        break;

    case stage::restoring:
        if (done_ok || restart) return fail(":x: I couldn't save that, please try again.");
        break;

    case stage::replanning:
        if (restart) return step(replan_reminders{st_.plan.updated.id, st_.plan.updated, st_.plan.entry});
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

    case stage::failing:
        if (done_ok || restart) return finish(st_.at);
        break;

    case stage::idle:
    case stage::finished: break;
    }
    return out_of_place(st_.at, "change", ev);
}

action change_flow::remember() {
    // In memory before the store, so a second command typed meanwhile plans from this one.
    st_.at = stage::remembering;
    return step(set_incident{st_.plan.updated});
}

action change_flow::store() {
    st_.at = stage::storing;
    return step(save_change{st_.plan.updated, st_.plan.entry});
}

action change_flow::announce() {
    st_.at = stage::announcing;
    return step(post_message(st_.plan.updated.channel_id, st_.plan.announcement));
}

action change_flow::after_announce(log_level level, std::string log) {
    if (!st_.plan.resolved) return finish(st_.at, level, std::move(log));
    st_.at = stage::summarizing;
    return step(run_summary{st_.plan.updated, true}, level, std::move(log));
}

action change_flow::fail(std::string reply_text) {
    st_.at = stage::failing;
    return step(reply{std::move(reply_text)});
}

std::string_view to_string(change_flow::stage s) {
    using st = change_flow::stage;
    switch (s) {
    case st::idle: return "idle";
    case st::remembering: return "remembering";
    case st::storing: return "storing";
    case st::restoring: return "restoring";
    case st::replanning: return "replanning";
    case st::replying: return "replying";
    case st::announcing: return "announcing";
    case st::summarizing: return "summarizing";
    case st::failing: return "failing";
    case st::finished: break;
    }
    return "finished";
}

}  // namespace ib::flows
