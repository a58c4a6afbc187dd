// Names for the users the bot sees in an incident (core/users.hpp), resolved off the ack path.
//
// user_lookups decides who to look up: a user seen in an incident (an event's author, a
// mention, a command's typist) whose cached name is missing or older than
// user_refresh_interval, one lookup per user at a time; after a failed lookup the user is
// asked again after user_retry_interval at the soonest.
//
// resolve_user_flow looks one user up:
//   users.info {user}          (Tier 4; the transport waits out a 429)
//   save_user                  the profile, or "not found" for user_not_found/user_not_visible
// Any other failure is logged; the user is shown by id until the next lookup.
#pragma once

#include "core/flows/effects.hpp"
#include "core/users.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ib::flows {

inline constexpr std::chrono::minutes user_retry_interval{15};

class user_lookups {
public:
    // `id` is cached, fetched at `fetched_at` (from the database at start-up).
    void cached(const std::string& id, time_point fetched_at);
    // `id` was seen at `now`: true when it should be looked up now; it then counts as in flight
    // (seen() says false for it) until finished().
    bool seen(std::string_view id, time_point now);
    // The lookup of `id` ended at `now`: resolved (found or not) or failed.
    void finished(const std::string& id, time_point now, bool resolved);

    std::size_t size() const { return next_.size(); }

private:
    struct entry {
        time_point due{};  // not looked up before this
        bool in_flight = false;
    };
    std::unordered_map<std::string, entry> next_;
};

class resolve_user_flow {
public:
    enum class stage {
        idle,      // constructed, start() not called yet
        asking,    // users.info is in flight
        saving,    // save_user is in flight
        finished,  // done was returned; every further event returns done
    };

    struct state {
        stage at = stage::idle;
        std::string user_id;
        time_point now{};
        bool resolved = false;  // users.info answered for this user (found or not)
    };

    resolve_user_flow(std::string user_id, time_point now);
    explicit resolve_user_flow(state saved);

    action start();
    // On `restarted` the step in doubt is repeated (both are idempotent).
    action resume(event ev);

    const state& current() const { return st_; }

private:
    state st_;
};

std::string_view to_string(resolve_user_flow::stage s);

}  // namespace ib::flows
