#include "core/commit_policy.hpp"

#include <cstdio>

namespace ib {
namespace {

// "250ms", "1.5s", "5m0s".
std::string format_ms(std::chrono::milliseconds d) {
    char buf[48];
    const long long ms = d.count();
    if (ms < 1000)
        std::snprintf(buf, sizeof buf, "%lldms", ms);
    else if (ms < 60'000)
        std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
    else
        std::snprintf(buf, sizeof buf, "%lldm%llds", ms / 60'000, (ms % 60'000) / 1000);
    return buf;
}

}  // namespace

commit_policy::commit_policy() : commit_policy(config{}) {}

commit_policy::commit_policy(config c) : cfg_(c) {}

commit_policy::decision commit_policy::committed(time_point now) {
    decision d;
    if (state_ != state::failing) return d;  // healthy: nothing to say; gave_up: terminal
    d.resume_reading = true;
    d.log = "commits work again after " + std::to_string(attempts_) + " failed in " +
            format_ms(std::chrono::duration_cast<std::chrono::milliseconds>(now - since_)) +
            "; reading from Slack again";
    state_ = state::healthy;
    attempts_ = 0;
    return d;
}

commit_policy::decision commit_policy::failed(time_point now, std::string_view error, double random01) {
    decision d;
    if (state_ == state::gave_up) {
        d.what = decision::kind::give_up;
        d.exit_code = exit_storage_failed;
        return d;
    }
    if (state_ == state::healthy) {
        state_ = state::failing;
        since_ = now;
        attempts_ = 0;
        d.pause_reading = true;
    }
    ++attempts_;
    const auto failing_for = std::chrono::duration_cast<std::chrono::milliseconds>(now - since_);
    if (failing_for >= cfg_.deadline) {
        state_ = state::gave_up;
        d.what = decision::kind::give_up;
        d.exit_code = exit_storage_failed;
        d.log = "commits have failed for " + format_ms(failing_for) + " (" + std::to_string(attempts_) +
                " attempts; last: " + std::string(error) + "); exiting so a supervisor can restart the bot";
        return d;
    }
    d.what = decision::kind::retry;
    d.delay = next_delay(attempts_, random01, cfg_.backoff);
    d.log = "commit failed, nothing acked (" + std::string(error) + "); " +
            (d.pause_reading ? "not reading from Slack; " : "") + "retrying in " + format_ms(d.delay) + " (attempt " +
            std::to_string(attempts_) + ", giving up after " + format_ms(cfg_.deadline) + ")";
    return d;
}

std::string_view to_string(commit_policy::state s) {
    switch (s) {
    case commit_policy::state::healthy: return "healthy";
    case commit_policy::state::failing: return "failing";
    case commit_policy::state::gave_up: break;
    }
    return "gave_up";
}

}  // namespace ib
