#include "core/flows/replies.hpp"

#include <utility>

namespace ib::flows {

reply_policy::reply_policy(std::string envelope_id, std::string user_id)
    : envelope_id_(std::move(envelope_id)), user_id_(std::move(user_id)) {}

effect reply_policy::answer(std::string text) {
    if (stage_ == stage::waiting) {
        stage_ = stage::answered;
        return ack{envelope_id_, ephemeral(std::move(text))};
    }
    // Too late for the ack: a direct message reaches them wherever they are.
    return post_message(user_id_, std::move(text));
}

effect reply_policy::budget_elapsed() {
    if (stage_ != stage::waiting) return done{};
    stage_ = stage::holding;
    return ack{envelope_id_, ephemeral(std::string(holding_message))};
}

action reply_policy::delivered(const called& r) const { return warn_if_failed(step(done{}), r, post_to(user_id_)); }

nlohmann::json ephemeral(std::string text) { return {{"response_type", "ephemeral"}, {"text", std::move(text)}}; }

}  // namespace ib::flows
