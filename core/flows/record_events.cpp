#include "core/flows/record_events.hpp"

namespace ib::flows {

bool write_window::submitted() {
    ++in_flight_;
    if (paused_ || in_flight_ < limit_) return false;
    paused_ = true;
    return true;
}

bool write_window::finished() {
    if (in_flight_ > 0) --in_flight_;
    if (!paused_ || in_flight_ > limit_ / 4) return false;
    paused_ = false;
    return true;
}

action event_written(std::string envelope_id, const std::string* error) {
    if (error == nullptr) return step(ack{std::move(envelope_id), nullptr});
    return step(done{}, log_level::error, "not acking an event that could not be stored: " + *error);
}

}  // namespace ib::flows
