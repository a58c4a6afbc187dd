#include "core/flows/replies.hpp"

#include <utility>

namespace ib::flows {

reply_policy::reply_policy(std::string envelope_id, std::string user_id, mode m)
    : envelope_id_(std::move(envelope_id)), user_id_(std::move(user_id)), mode_(m) {
    if (mode_ == mode::resumed) stage_ = stage::holding;  // its ack, if any, went before the restart
}

effect reply_policy::answer(std::string text) {
    if (drops_answers()) return done{};
    if (stage_ == stage::waiting && mode_ == mode::command) {
        stage_ = stage::answered;
        return ack{envelope_id_, ephemeral(std::move(text))};
    }
    // Too late for the ack: a direct message reaches them wherever they are.
    return post_message(user_id_, std::move(text));
}

effect reply_policy::budget_elapsed() {
    if (stage_ != stage::waiting || mode_ == mode::resumed) return done{};
    if (mode_ == mode::click) return bare_ack();
    stage_ = stage::holding;
    return ack{envelope_id_, ephemeral(std::string(holding_message))};
}

effect reply_policy::durable() {
    if (mode_ != mode::click || stage_ != stage::waiting) return done{};
    return bare_ack();
}

effect reply_policy::finished() {
    if (stage_ != stage::waiting || mode_ == mode::resumed) return done{};
    return bare_ack();
}

effect reply_policy::bare_ack() {
    stage_ = stage::answered;
    return ack{envelope_id_, nullptr};
}

bool reply_policy::drops_answers() const { return mode_ == mode::click || (mode_ == mode::resumed && user_id_.empty()); }

bool reply_policy::answers_by_message() const {
    return !drops_answers() && (mode_ == mode::resumed || stage_ != stage::waiting);
}

action reply_policy::delivered(const called& r) const { return warn_if_failed(step(done{}), r, post_to(user_id_)); }

nlohmann::json ephemeral(std::string text) { return {{"response_type", "ephemeral"}, {"text", std::move(text)}}; }

}  // namespace ib::flows
