#include "bot/ops/status.hpp"

namespace ib::bot::ops {

service_status& service_status::get() {
    static service_status* instance = new service_status();  // never destroyed: see the header
    return *instance;
}

void service_status::set_slack(bool live, std::string reason) {
    std::lock_guard lock(mutex_);
    slack_live_ = live;
    slack_reason_ = std::move(reason);
}

void service_status::set_storage(bool ok, std::string reason) {
    std::lock_guard lock(mutex_);
    storage_ok_ = ok;
    storage_reason_ = std::move(reason);
}

void service_status::heartbeat(clock::time_point now) { last_beat_ = now.time_since_epoch().count(); }

verdict service_status::ready() const {
    std::lock_guard lock(mutex_);
    if (!slack_live_) return {false, slack_reason_};
    if (!storage_ok_) return {false, "the database does not accept writes: " + storage_reason_};
    return {true, "ok"};
}

verdict service_status::healthy(clock::time_point now, std::chrono::milliseconds stall_after) const {
    const auto beat = last_beat_.load();
    if (beat == 0) return {true, "ok"};
    const auto since = now - clock::time_point(clock::duration(beat));
    if (since <= stall_after) return {true, "ok"};
    return {false, "the event loop has not answered for " +
                       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) + " s"};
}

}  // namespace ib::bot::ops
