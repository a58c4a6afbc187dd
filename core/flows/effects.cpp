#include "core/flows/effects.hpp"

#include <iterator>
#include <utility>

namespace ib::flows {

action step(effect what) { return action{std::move(what), log_level::none, {}}; }

action step(effect what, log_level level, std::string log) { return action{std::move(what), level, std::move(log)}; }

std::optional<log_note> after_post(const event& ev, std::string_view what, std::string_view channel) {
    if (std::holds_alternative<restarted>(ev)) return log_note{log_level::warn, skipped_after_restart(what, channel)};
    const auto* r = std::get_if<called>(&ev);
    if (r == nullptr) return std::nullopt;
    if (r->outcome == slack::api_outcome::ok) return log_note{};
    return log_note{log_level::warn, post_to(channel) + " failed: " + r->error};
}

std::optional<action> after_record(const event& ev, action next, std::string_view what) {
    if (const auto* f = std::get_if<store_failed>(&ev)) {
        next.level = log_level::error;
        next.log = "could not record " + std::string(what) + ": " + f->error;
        return next;
    }
    if (std::holds_alternative<stored>(ev)) return next;
    return std::nullopt;
}

action give_up(std::string_view flow, std::string_view stage, const event& ev) {
    return step(done{}, log_level::error,
                std::string(flow) + ": unexpected " + std::string(name_of(ev)) + " while " + std::string(stage) +
                    "; giving up");
}

call post_message(std::string channel, std::string text, nlohmann::json blocks) {
    nlohmann::json args{{"channel", std::move(channel)}, {"text", std::move(text)}, {"unfurl_links", false}};
    if (!blocks.is_null()) args["blocks"] = std::move(blocks);
    return call{"chat.postMessage", std::move(args), false};
}

std::string_view name_of(const event& ev) {
    static constexpr std::string_view names[] = {"ok",     "called", "stored",    "store_failed",
                                                 "rendered", "turn", "restarted", "recovered",
                                                 "message_loaded"};
    static_assert(std::size(names) == std::variant_size_v<event>);
    return names[ev.index()];
}

action warn_if_failed(action next, const called& r, std::string_view what) {
    if (r.outcome == slack::api_outcome::ok) return next;
    next.level = log_level::warn;
    next.log = std::string(what) + " failed: " + r.error;
    return next;
}

std::string skipped_after_restart(std::string_view what, std::string_view channel) {
    return "not posting " + std::string(what) + " in " + std::string(channel) +
           " again after a restart: it may have been posted";
}

std::string post_to(std::string_view channel) { return "chat.postMessage to " + std::string(channel); }

}  // namespace ib::flows
