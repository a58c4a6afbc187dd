// What the recorder does when its group commit fails (disk full, I/O error, the file gone
// read-only): fail loudly instead of limping on. A state machine with no I/O and no clock (time
// and the jitter's random value are parameters), stepped by the recorder's storage thread:
//
//   healthy --commit fails--> failing:  stop reading from Slack (nothing new can be stored, and
//                                       Slack keeps what is not acked), retry the same group
//                                       after a capped, jittered backoff
//   failing --commit fails--> failing:  retry again, until it has failed for `deadline`
//   failing --deadline passed--> gave_up: exit non-zero (exit_storage_failed), one line; a
//                                       supervisor (systemd) restarts the bot, which catches up
//   failing --commit works--> healthy:  read from Slack again
//
// While failing, nothing of the failing group is acked, and no flow learns a change was stored:
// memory (derived from what was committed) and the database stay the same.
#pragma once

#include "core/backoff.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace ib {

class commit_policy {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    // The process exit code when commits kept failing (sysexits' EX_IOERR).
    static constexpr int exit_storage_failed = 74;
    static constexpr std::chrono::milliseconds default_deadline{std::chrono::minutes{5}};

    struct config {
        std::chrono::milliseconds deadline = default_deadline;  // give up after failing this long
        backoff_policy backoff{std::chrono::milliseconds{250}, std::chrono::milliseconds{15000}, 0.2};
    };

    enum class state {
        healthy,  // the last commit worked
        failing,  // commits fail; retrying the same group
        gave_up,  // terminal: failed for longer than the deadline
    };

    // What to do after a commit's outcome.
    struct decision {
        enum class kind {
            go_on,  // take the next group
            retry,  // run the same group again after `delay`
            give_up,  // stop: exit with `exit_code`
        };
        kind what = kind::go_on;
        std::chrono::milliseconds delay{0};  // retry
        bool pause_reading = false;          // stop reading from Slack now
        bool resume_reading = false;         // read from Slack again now
        int exit_code = 0;                   // give_up
        std::string log;                     // one line for the operator ("" for nothing)
    };

    commit_policy();
    explicit commit_policy(config c);

    // The commit at `now` worked.
    decision committed(time_point now);
    // The commit at `now` failed with `error`; `random01` in [0, 1) jitters the backoff.
    decision failed(time_point now, std::string_view error, double random01);

    state current() const { return state_; }
    int attempts() const { return attempts_; }  // failed commits in a row

private:
    config cfg_;
    state state_ = state::healthy;
    int attempts_ = 0;
    time_point since_{};
};

std::string_view to_string(commit_policy::state s);  // "healthy", "failing", "gave_up"

}  // namespace ib
