#include "bot/app/commands.hpp"

#include "bot/app/corrections.hpp"
#include "core/flows/change.hpp"
#include "core/flows/correct.hpp"
#include "core/flows/declare.hpp"
#include "core/flows/dispatch.hpp"
#include "core/flows/post_summary.hpp"
#include "core/flows/remind.hpp"
#include "core/incident_commands.hpp"
#include "core/users.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

namespace ib::bot {

namespace net = boost::asio;

namespace {

// Answers `req`, made by `user` in `channel`, or runs its flow under `ctx`.
net::awaitable<void> carry_out(executor& exec, flows::any_request req, std::string channel, std::string user,
                               std::shared_ptr<flow_context> ctx) {
    app_state& st = exec.state();
    // GCC 12 (bug 98401): arguments of co_await expressions are named locals, moved in.
    std::string text;
    if (auto* a = std::get_if<flows::request::answer>(&req))
        text = std::move(a->text);
    else if (std::holds_alternative<flows::request::list>(req))
        text = render_incident_list(visible_to(st.channels.open(), user, st.members), wall_now());
    else if (std::holds_alternative<flows::request::stats>(req))
        text = render_stats(st.channels.all(), wall_now());
    if (!text.empty()) {
        // Nothing to store: the answer is all there is, in the ack.
        std::shared_ptr<command_reply> reply = ctx->reply;
        co_await exec.answer(std::move(reply), std::move(text));
        ctx->finished = true;
        co_return;
    }
    if (auto* d = std::get_if<flows::request::declare>(&req)) {
        // Each declaration makes a channel: at most a few per person in a while.
        if (std::string no = st.starts.admit(user, wall_now()); !no.empty()) {
            std::shared_ptr<command_reply> reply = ctx->reply;
            co_await exec.answer(std::move(reply), std::move(no));
            ctx->finished = true;
            co_return;
        }
        flows::declare_flow flow(std::move(d->what), user, std::move(d->key), st.bot_user_id, wall_now());
        co_await exec.run(std::move(flow), std::move(ctx));
        co_return;
    }
    // The rest act on the channel's incident (dispatch checked there is one).
    const incident* here = st.channels.find(channel);
    if (here == nullptr) co_return;
    if (std::holds_alternative<flows::request::catchup>(req)) {
        // Nothing to store: the catch-up is the answer, in the ack (only the typist sees it).
        std::shared_ptr<command_reply> reply = ctx->reply;
        co_await exec.catch_up(*here, std::move(user), std::move(reply));
        ctx->finished = true;
    } else if (std::holds_alternative<flows::request::summary>(req)) {
        flows::summary_flow flow(*here, false, wall_now(), std::string(flows::summary_reply));
        co_await exec.run(std::move(flow), std::move(ctx));
    } else if (const auto* z = std::get_if<flows::request::snooze>(&req)) {
        flows::snooze_flow flow(*here, z->duration, user, wall_now());
        co_await exec.run(std::move(flow), std::move(ctx));
    } else if (auto* c = std::get_if<flows::request::change>(&req)) {
        flows::change_flow flow(std::move(c->what), here->id, user, std::move(c->key), wall_now(), st.responders);
        co_await exec.run(std::move(flow), std::move(ctx));
    }
}

}  // namespace

net::awaitable<void> handle_command(executor& exec, slack::slash_command sc, std::shared_ptr<frame_sink> sink) {
    auto reply = std::make_shared<command_reply>(
        command_reply{flows::reply_policy(sc.envelope_id, sc.user_id), std::move(sink)});
    auto ctx = exec.context("cmd:" + sc.envelope_id, std::move(reply), sc.user_id);
    net::co_spawn(co_await net::this_coro::executor, exec.watchdog(ctx), exec.task_done());
    // Typed in a channel another instance declared: known once looked up.
    std::string channel = sc.channel_id;
    co_await exec.look_up_channel(std::move(channel));
    const bool in_incident = exec.state().channels.find(sc.channel_id) != nullptr;
    flows::any_request req = flows::route_command(sc, in_incident);
    // Names for whoever a command shows in an incident (off the ack path: only queued here).
    if ((in_incident || std::holds_alternative<flows::request::declare>(req)) && exec.state().users_seen) {
        auto ids = mentioned_users(sc.text);
        ids.push_back(sc.user_id);
        exec.state().users_seen(std::move(ids));
    }
    co_await carry_out(exec, std::move(req), std::move(sc.channel_id), std::move(sc.user_id), std::move(ctx));
}

net::awaitable<void> handle_button(executor& exec, slack::interactive click, std::shared_ptr<frame_sink> sink) {
    // The "Correct tags" shortcut and its modal have flows of their own (corrections.hpp).
    if (flows::is_correction_shortcut(click) || flows::is_correction_submission(click)) {
        co_await handle_correction(exec, std::move(click), std::move(sink));
        co_return;
    }
    std::string channel = click.channel_id;
    co_await exec.look_up_channel(std::move(channel));
    auto req = flows::route_button(click, exec.state().channels.find(click.channel_id) != nullptr);
    if (!req) {
        sink->send(slack::make_ack(click.envelope_id));  // nothing to do, nothing to store
        co_return;
    }
    auto reply = std::make_shared<command_reply>(
        command_reply{flows::reply_policy(click.envelope_id, click.user_id, flows::reply_policy::mode::click),
                      std::move(sink)});
    auto ctx = exec.context("button:" + click.envelope_id, std::move(reply));
    net::co_spawn(co_await net::this_coro::executor, exec.watchdog(ctx), exec.task_done());
    flows::any_request what = std::move(*req);
    co_await carry_out(exec, std::move(what), std::move(click.channel_id), std::move(click.user_id), std::move(ctx));
}

}  // namespace ib::bot
