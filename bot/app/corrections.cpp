#include "bot/app/corrections.hpp"

#include "core/corrections.hpp"
#include "core/flows/correct.hpp"

#include <optional>
#include <utility>

namespace ib::bot {

namespace net = boost::asio;

namespace {

// Performs each effect of `flow` and feeds its outcome back, until it is done.
template <class Flow>
net::awaitable<void> drive(executor& exec, Flow& flow, std::shared_ptr<flow_context> ctx) {
    flows::action act = flow.start();
    line_context context;
    for (;;) {
        log_line(act.level, act.log, context);
        if (std::holds_alternative<flows::done>(act.what)) break;
        context = line_context::of(act.what);
        // GCC 12 (bug 98401): arguments of co_await expressions are named locals.
        flows::effect what = std::move(act.what);
        flows::event ev = co_await exec.perform(std::move(what), ctx);
        context.add(ev);
        act = flow.resume(ev);
    }
}

}  // namespace

net::awaitable<void> handle_correction(executor& exec, slack::interactive i, std::shared_ptr<frame_sink> sink) {
    app_state& st = exec.state();
    // The flows' acks go out on the connection the envelope came in on; nothing is journaled.
    auto reply = std::make_shared<command_reply>(command_reply{
        flows::reply_policy(i.envelope_id, i.user_id, flows::reply_policy::mode::click), std::move(sink)});
    auto ctx = exec.context("", std::move(reply));
    // The incident of the message's channel, and whether this user may see it (access.hpp).
    std::string channel = i.channel_id;
    if (flows::is_correction_submission(i)) {
        const auto target = parse_correction_target(i.private_metadata);
        channel = target ? target->channel : std::string();
    }
    std::optional<incident> inc;
    if (const incident* here = channel.empty() ? nullptr : st.channels.find(channel)) inc = *here;
    const bool may_see = !inc || !inc->is_private || st.members.is_member(inc->channel_id, i.user_id);
    if (flows::is_correction_shortcut(i)) {
        flows::correct_shortcut_flow flow(std::move(i), std::move(inc), may_see);
        co_await drive(exec, flow, std::move(ctx));
    } else {
        flows::correct_submission_flow flow(std::move(i), std::move(inc), may_see, wall_now());
        co_await drive(exec, flow, std::move(ctx));
    }
}

}  // namespace ib::bot
