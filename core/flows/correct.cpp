#include "core/flows/correct.hpp"

#include <algorithm>
#include <utility>

namespace ib::flows {

bool is_correction_shortcut(const slack::interactive& i) {
    return i.type == "message_action" && i.callback_id == correct_tags_callback;
}

bool is_correction_submission(const slack::interactive& i) {
    return i.type == "view_submission" && i.view_callback_id == correct_tags_callback;
}

std::string not_correctable_here_reply() {
    return ":warning: Tags are corrected on messages in an incident channel, and this channel has no incident.";
}

std::string private_incident_reply() {
    return ":lock: This incident is private: only the members of its channel can correct its tags.";
}

std::string message_not_recorded_reply() {
    return ":information_source: That message isn't on the incident's record, so it has no tags to correct "
           "(only people's messages are tagged, from the moment the incident was declared).";
}

std::string record_unreadable_reply() {
    return ":warning: I couldn't read the incident's record just now; please try again in a moment.";
}

// ---- the shortcut --------------------------------------------------------------------------------

correct_shortcut_flow::correct_shortcut_flow(slack::interactive shortcut, std::optional<incident> inc, bool may_see)
    : shortcut_(std::move(shortcut)), inc_(std::move(inc)), may_see_(may_see) {}

action correct_shortcut_flow::start() {
    // A message shortcut's ack carries nothing: ack at once, then answer with the modal.
    at_ = stage::acking;
    return step(ack{shortcut_.envelope_id, nullptr});
}

action correct_shortcut_flow::refuse(std::string text) {
    at_ = stage::refusing;
    return step(call{"chat.postEphemeral",
                     {{"channel", shortcut_.channel_id}, {"user", shortcut_.user_id}, {"text", std::move(text)}},
                     false});
}

action correct_shortcut_flow::resume(const event& ev) {
    switch (at_) {
    case stage::acking:
        if (!std::holds_alternative<ok>(ev)) break;
        if (!inc_) return refuse(not_correctable_here_reply());
        if (!may_see_) return refuse(private_incident_reply());
        at_ = stage::loading;
        return step(load_message{inc_->id, shortcut_.message_ts});
    case stage::loading:
        if (const auto* f = std::get_if<store_failed>(&ev)) {
            auto next = refuse(record_unreadable_reply());
            next.level = log_level::error;
            next.log = "correct tags: could not read message " + shortcut_.message_ts + ": " + f->error;
            return next;
        }
        if (const auto* m = std::get_if<message_loaded>(&ev)) {
            if (!m->entry) return refuse(message_not_recorded_reply());
            at_ = stage::opening;
            return step(call{"views.open",
                             {{"trigger_id", shortcut_.trigger_id},
                              {"view", correction_modal(*m->entry, shortcut_.channel_id)}}});
        }
        break;
    case stage::opening:
        if (const auto* r = std::get_if<called>(&ev)) return warn_if_failed(finish(at_), *r, "views.open");
        break;
    case stage::refusing:
        if (const auto* r = std::get_if<called>(&ev)) return warn_if_failed(finish(at_), *r, "chat.postEphemeral");
        break;
    case stage::finished: break;
    }
    return out_of_place(at_, "correct tags", ev);
}

// ---- the submission ------------------------------------------------------------------------------

correct_submission_flow::correct_submission_flow(slack::interactive submission, std::optional<incident> inc,
                                                 bool may_see, time_point now)
    : submission_(std::move(submission)), inc_(std::move(inc)), may_see_(may_see), now_(now) {
    target_ = parse_correction_target(submission_.private_metadata);
    // The checked boxes; a value that is not one of our tags means the form is not ours.
    std::vector<tag> to;
    for (const auto& in : submission_.inputs) {
        if (in.block_id != correct_tags_block || in.action_id != correct_tags_action) continue;
        for (const auto& v : in.selected) {
            const auto t = parse_tag(v);
            if (!t) return;
            if (std::find(to.begin(), to.end(), *t) == to.end()) to.push_back(*t);
        }
    }
    to_ = std::move(to);  // none checked (or no input state at all): no tags
}

nlohmann::json correct_submission_flow::errors(std::string_view why) {
    return {{"response_action", "errors"}, {"errors", {{std::string(correct_tags_block), std::string(why)}}}};
}

action correct_submission_flow::answer(nlohmann::json payload, log_level level, std::string log) {
    at_ = stage::answering;
    return step(ack{submission_.envelope_id, std::move(payload)}, level, std::move(log));
}

action correct_submission_flow::start() {
    if (!target_ || !inc_ || inc_->channel_id != target_->channel)
        return answer(errors("That message's channel has no incident any more, so its tags cannot be corrected."));
    if (!may_see_) return answer(errors("Only the members of this private incident's channel can correct its tags."));
    if (!to_) return answer(errors("That is not one of incident-bot's tags."), log_level::warn,
                            "correct tags: a submission with a tag that is not one of ours");
    at_ = stage::loading;
    return step(load_message{inc_->id, target_->ts});
}

action correct_submission_flow::resume(const event& ev) {
    switch (at_) {
    case stage::loading:
        if (const auto* f = std::get_if<store_failed>(&ev))
            return answer(errors("I couldn't read the incident's record just now; please try again."),
                          log_level::error, "correct tags: could not read message " + target_->ts + ": " + f->error);
        if (const auto* m = std::get_if<message_loaded>(&ev)) {
            if (!m->entry) return answer(errors("That message is no longer on the incident's record."));
            if (tag_names(m->entry->tags) == tag_names(*to_)) return answer(nullptr);  // nothing to correct
            at_ = stage::storing;
            return step(append_entry{make_correction(*m->entry, *to_, submission_.user_id, now_,
                                                     "correction:" + submission_.view_id)});
        }
        break;
    case stage::storing:
        if (const auto* f = std::get_if<store_failed>(&ev))
            return answer(errors("I couldn't save the correction; please try again."), log_level::error,
                          "correct tags: could not record the correction of message " + target_->ts + ": " + f->error);
        if (std::holds_alternative<stored>(ev))
            return answer(nullptr, log_level::info,
                          "tags of message " + target_->ts + " on incident " + std::to_string(inc_->id) +
                              " corrected by " + submission_.user_id + " to: " +
                              (to_->empty() ? std::string("none") : tag_names(*to_)));
        break;
    case stage::answering:
        if (std::holds_alternative<ok>(ev)) return finish(at_);
        break;
    case stage::finished: break;
    }
    return out_of_place(at_, "correct tags", ev);
}

std::string_view to_string(correct_shortcut_flow::stage s) {
    switch (s) {
    case correct_shortcut_flow::stage::acking: return "acking";
    case correct_shortcut_flow::stage::loading: return "loading";
    case correct_shortcut_flow::stage::opening: return "opening";
    case correct_shortcut_flow::stage::refusing: return "refusing";
    case correct_shortcut_flow::stage::finished: return "finished";
    }
    return "unknown";
}

std::string_view to_string(correct_submission_flow::stage s) {
    switch (s) {
    case correct_submission_flow::stage::loading: return "loading";
    case correct_submission_flow::stage::storing: return "storing";
    case correct_submission_flow::stage::answering: return "answering";
    case correct_submission_flow::stage::finished: return "finished";
    }
    return "unknown";
}

}  // namespace ib::flows
