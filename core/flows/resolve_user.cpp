#include "core/flows/resolve_user.hpp"

namespace ib::flows {

// ---- user_lookups ---------------------------------------------------------------------------

void user_lookups::cached(const std::string& id, time_point fetched_at) {
    next_[id] = entry{fetched_at + user_refresh_interval, false};
}

bool user_lookups::seen(std::string_view id, time_point now) {
    if (!is_plain_slack_id(id)) return false;
    auto [it, added] = next_.try_emplace(std::string(id));
    if (it->second.in_flight || (!added && now < it->second.due)) return false;
    it->second.in_flight = true;
    return true;
}

void user_lookups::finished(const std::string& id, time_point now, bool resolved) {
    next_[id] = entry{now + (resolved ? std::chrono::duration_cast<std::chrono::microseconds>(user_refresh_interval)
                                      : std::chrono::duration_cast<std::chrono::microseconds>(user_retry_interval)),
                      false};
}

// ---- resolve_user_flow ------------------------------------------------------------------------

resolve_user_flow::resolve_user_flow(std::string user_id, time_point now) {
    st_.user_id = std::move(user_id);
    st_.now = now;
}

resolve_user_flow::resolve_user_flow(state saved) : st_(std::move(saved)) {}

namespace {

call users_info(const std::string& id) { return call{"users.info", nlohmann::json{{"user", id}}, true}; }

}  // namespace

action resolve_user_flow::start() {
    if (st_.at != stage::idle) return finish(st_.at, log_level::error, "resolve_user: start() called twice; giving up");
    st_.at = stage::asking;
    return step(users_info(st_.user_id));
}

action resolve_user_flow::resume(event ev) {
    const bool restart = std::holds_alternative<restarted>(ev);
    switch (st_.at) {
    case stage::asking: {
        if (restart) return step(users_info(st_.user_id));
        const auto* r = std::get_if<called>(&ev);
        if (!r) break;
        std::optional<user_profile> p;
        if (r->outcome == slack::api_outcome::ok) {
            p = parse_users_info(r->body, st_.now);
            if (p && p->id != st_.user_id) p.reset();  // an answer about someone else is no answer
        } else if (is_unknown_user_error(r->error)) {
            p = user_not_found(st_.user_id, st_.now);
        }
        if (!p)
            return finish(st_.at, log_level::warn,
                          "users.info for " + st_.user_id + " failed: " + (r->error.empty() ? "no user in the answer" : r->error) +
                              "; shown by id until it is looked up again");
        st_.resolved = true;
        st_.at = stage::saving;
        return step(save_user{std::move(*p)});
    }
    case stage::saving:
        if (restart) break;  // the profile is gone with the process; the next sighting asks again
        if (const auto* f = std::get_if<store_failed>(&ev))
            return finish(st_.at, log_level::warn, "could not cache the name of " + st_.user_id + ": " + f->error);
        if (std::holds_alternative<stored>(ev)) return finish(st_.at);
        break;
    case stage::idle:
    case stage::finished: break;
    }
    return out_of_place(st_.at, "resolve_user", ev);
}

std::string_view to_string(resolve_user_flow::stage s) {
    using st = resolve_user_flow::stage;
    switch (s) {
    case st::idle: return "idle";
    case st::asking: return "asking";
    case st::saving: return "saving";
    case st::finished: break;
    }
    return "finished";
}

}  // namespace ib::flows
