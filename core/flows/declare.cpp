#include "core/flows/declare.hpp"

#include "core/incident_commands.hpp"
#include "core/text.hpp"

#include <utility>

namespace ib::flows {

declare_flow::declare_flow(cmd::start what, std::string declarer, std::string key, std::string bot_user_id,
                           time_point now) {
    st_.title = std::move(what.title);
    st_.sev = what.sev.value_or(severity::sev3);
    st_.is_private = what.is_private;
    st_.declarer = std::move(declarer);
    st_.key = std::move(key);
    st_.bot_user_id = std::move(bot_user_id);
    st_.now = now;
}

declare_flow::declare_flow(state saved) : st_(std::move(saved)) {}

action declare_flow::start() {
    if (st_.at != stage::idle) return finish(st_.at, log_level::error, "declare: start() called twice; giving up");
    return create_channel();
}

action declare_flow::resume(event ev) {
    const bool restart = std::holds_alternative<restarted>(ev);
    const bool done_ok = std::holds_alternative<ok>(ev);
    switch (st_.at) {
    case stage::creating:
        if (const auto* r = std::get_if<called>(&ev)) return after_create(*r);
        // The channel may exist now: ask again under the same name; name_taken then means it may
        // be ours, and the person decides (creating under another name could leave two).
        if (restart) return create_again();
        break;

    case stage::holding:
        if (restart) return step(hold_events{st_.channel_id});  // the hold was in memory
        if (done_ok) {
            st_.at = stage::storing;
            return step(create_incident{st_.inc, st_.entry});
        }
        break;

    case stage::storing:
        if (restart) {
            // The hold was in memory: hold again, then store again (deduplicated on the key).
            st_.at = stage::holding;
            return step(hold_events{st_.channel_id});
        }
        return after_store(ev);

    case stage::releasing:
        if (done_ok || restart) return fail(std::exchange(st_.failure_reply, {}));
        break;

    case stage::opening:
        if (restart) return step(open_incident{st_.inc});  // memory is gone after a restart
        if (done_ok) {
            st_.at = stage::replying;
            return step(reply{declared_reply(st_.inc)});
        }
        break;

    case stage::replying:
        // A reply in doubt is not repeated (at most once); the rest of the flow still runs.
        if (done_ok || restart) return invite_or_topic();
        break;

    case stage::inviting:
        if (restart) return invite_or_topic();  // inviting twice is harmless
        if (const auto* r = std::get_if<called>(&ev)) return warn_if_failed(set_topic(), *r, "conversations.invite");
        break;

    case stage::setting_topic:
        if (restart) return set_topic();
        if (const auto* r = std::get_if<called>(&ev)) return warn_if_failed(announce(), *r, "conversations.setTopic");
        break;

    case stage::announcing:
        if (auto note = after_post(ev, "the announcement", st_.channel_id))
            return finish(st_.at, note->level, std::move(note->text));
        break;

    case stage::failing:
        if (done_ok || restart) return finish(st_.at);
        break;

    case stage::idle:
    case stage::finished: break;
    }
    return out_of_place(st_.at, "declare", ev);
}

action declare_flow::create_channel() {
    ++st_.attempt;
    st_.at = stage::creating;
    const std::string base = channel_name_for(st_.title, std::chrono::floor<std::chrono::days>(st_.now));
    // A retried create after a lost answer could make a second channel: never made twice.
    return step(call{
        "conversations.create", {{"name", channel_name_with_suffix(base, st_.attempt)}, {"is_private", st_.is_private}},
        false});
}

action declare_flow::create_again() {
    st_.after_restart = true;
    --st_.attempt;  // the same candidate name as the create left in doubt
    return create_channel();
}

action declare_flow::after_create(const called& r) {
    if (r.outcome != slack::api_outcome::ok && r.error == "name_taken" && st_.after_restart)
        return fail(":x: I was restarted while creating #" +
                    channel_name_with_suffix(channel_name_for(st_.title, std::chrono::floor<std::chrono::days>(st_.now)),
                                             st_.attempt) +
                    " for your incident. It may exist now: please check, and declare again if it does not.");
    st_.after_restart = false;
    if (r.outcome != slack::api_outcome::ok) {
        if (r.error == "name_taken" && st_.attempt < max_create_attempts) return create_channel();
        if (r.error == "name_taken")
            return fail(":x: I couldn't find a free channel name for that title. Try a more specific one.");
        return fail(":x: I couldn't create the incident channel (`" + r.error + "`). Please try again.");
    }
    const auto ch = r.body.is_object() ? r.body.value("channel", nlohmann::json::object()) : nlohmann::json::object();
    if (!ch.is_object() || !ch.contains("id") || !ch["id"].is_string())
        return fail(":x: I couldn't find a free channel name for that title. Try a more specific one.");
    st_.channel_id = ch["id"].get<std::string>();
    const std::string candidate = channel_name_with_suffix(
        channel_name_for(st_.title, std::chrono::floor<std::chrono::days>(st_.now)), st_.attempt);
    st_.channel_name = ch.value("name", candidate);

    auto decl = declare_incident(st_.title, st_.sev, st_.declarer, st_.channel_id, st_.channel_name, st_.now);
    if (!decl) return fail(":warning: " + decl.error().message);
    st_.inc = std::move(decl->inc);
    st_.inc.is_private = st_.is_private;
    st_.entry = std::move(decl->entry);
    if (st_.is_private) st_.entry.attrs["private"] = "true";
    st_.entry.key = st_.key;
    // Events for the new channel can arrive before the incident has an id: they wait.
    st_.at = stage::holding;
    return step(hold_events{st_.channel_id});
}

action declare_flow::after_store(const event& ev) {
    if (const auto* s = std::get_if<stored>(&ev)) {
        st_.inc = s->inc;
        st_.entry.incident_id = s->inc.id;
        st_.at = stage::opening;
        return step(open_incident{st_.inc}, log_level::info,
                    "incident " + std::to_string(st_.inc.id) + " declared in #" + st_.channel_name);
    }
    if (const auto* f = std::get_if<store_failed>(&ev)) {
        st_.failure_reply =
            ":x: I created " + channel_link(st_.channel_id) + " but couldn't record the incident. Please try again.";
        st_.at = stage::releasing;
        return step(release_events{st_.channel_id}, log_level::error, "could not store a new incident: " + f->error);
    }
    return out_of_place(st_.at, "declare", ev);
}

action declare_flow::invite_or_topic() {
    if (st_.declarer == st_.bot_user_id) return set_topic();
    st_.at = stage::inviting;
    return step(call{"conversations.invite", {{"channel", st_.channel_id}, {"users", st_.declarer}}});
}

action declare_flow::set_topic() {
    st_.at = stage::setting_topic;
    return step(call{"conversations.setTopic", {{"channel", st_.channel_id}, {"topic", channel_topic(st_.inc)}}});
}

action declare_flow::announce() {
    st_.at = stage::announcing;
    return step(post_message(st_.channel_id, declare_announcement(st_.inc)));
}

action declare_flow::fail(std::string reply_text, log_level level, std::string log) {
    st_.at = stage::failing;
    return step(reply{std::move(reply_text), true}, level, std::move(log));
}

std::string_view to_string(declare_flow::stage s) {
    using st = declare_flow::stage;
    switch (s) {
    case st::idle: return "idle";
    case st::creating: return "creating";
    case st::holding: return "holding";
    case st::storing: return "storing";
    case st::releasing: return "releasing";
    case st::opening: return "opening";
    case st::replying: return "replying";
    case st::inviting: return "inviting";
    case st::setting_topic: return "setting_topic";
    case st::announcing: return "announcing";
    case st::failing: return "failing";
    case st::finished: break;
    }
    return "finished";
}

}  // namespace ib::flows
