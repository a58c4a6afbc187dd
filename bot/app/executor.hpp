// The flow executor: performs the effects the flows in core/flows/ return (a Web API call
// through the slack_api seam, a durable write through the recorder, an ack, a change to what
// the bot holds in memory) and feeds each outcome back, until the flow is done. The decisions
// are the flows'; this only carries them out, one effect at a time:
//
//     co_await exec.run(flows::declare_flow(...), reply);
#pragma once

#include "bot/app/app_state.hpp"
#include "bot/app/events.hpp"
#include "bot/app/recorder.hpp"
#include "bot/app/slack_api.hpp"
#include "bot/transport/socket_mode.hpp"
#include "core/flows/effects.hpp"
#include "core/flows/replies.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace ib::bot {

// The reply to one slash command, shared by the flow answering it and its watchdog.
struct command_reply {
    flows::reply_policy policy;
    std::shared_ptr<frame_sink> sink;  // the connection the command came in on
};

// What a flow's next log line is about, as the structured fields of a JSON log line: what the
// effect just performed concerned (incident, channel, Web API method, envelope) and how it
// failed (error). A flow logs after an outcome, so this is the line's context; "": no field.
struct line_context {
    std::string incident, channel, method, envelope, error;

    static line_context of(const flows::effect& what);
    // Adds what the outcome says: the error of a failed call or write, the stored incident.
    void add(const flows::event& ev);
};

// Logs a flow's line at its level under "bot" (nothing for log_level::none), with `context`'s
// fields.
void log_line(flows::log_level level, const std::string& line, const line_context& context = {});

class executor {
public:
    // Everything must outlive the executor; `wake_reminders` wakes the reminder timer (the
    // schedule changed).
    executor(slack_api& api, recorder& rec, app_state& st, event_intake& events, std::function<void()> wake_reminders);

    // Runs `flow` to its end: start(), then each effect performed and its outcome fed back. The
    // answers of a slash command go through `reply`; null (a button, a timer): dropped.
    template <class Flow>
    boost::asio::awaitable<void> run(Flow flow, std::shared_ptr<command_reply> reply) {
        co_await run_kept(flow, std::move(reply));
    }

    // As run(), on a flow the caller keeps, to read its state once it is done. `flow` must
    // outlive the awaitable (co_await it at once).
    template <class Flow>
    boost::asio::awaitable<void> run_kept(Flow& flow, std::shared_ptr<command_reply> reply) {
        flows::action act = flow.start();
        line_context context;  // of the effect whose outcome the flow's next line reports
        for (;;) {
            log_line(act.level, act.log, context);
            if (std::holds_alternative<flows::done>(act.what)) co_return;
            // GCC 12 (bug 98401): arguments of co_await expressions are named locals, moved in.
            flows::effect what = std::move(act.what);
            context = line_context::of(what);
            flows::event ev = co_await perform(std::move(what), reply);
            context.add(ev);
            act = flow.resume(std::move(ev));
        }
    }

    // Performs one effect and returns its outcome (see core/flows/effects.hpp). Never throws
    // for Slack or storage failures: they come back as events.
    boost::asio::awaitable<flows::event> perform(flows::effect what, std::shared_ptr<command_reply> reply);

    // Answers a slash command with `text` (in its ack, or by direct message): reply_policy.
    boost::asio::awaitable<void> answer(std::shared_ptr<command_reply> reply, std::string text);

    // Acks the command with the holding message once reply_policy::budget has passed without
    // an answer. Spawn it beside the command's flow.
    static boost::asio::awaitable<void> watchdog(std::shared_ptr<command_reply> reply);

    app_state& state() { return st_; }

private:
    boost::asio::awaitable<flows::event> call(flows::call c);
    boost::asio::awaitable<flows::event> write(recorder::work_fn work);
    boost::asio::awaitable<flows::event> load(flows::load_summary what);
    void remember(const flows::effect& what);

    slack_api& api_;
    recorder& rec_;
    app_state& st_;
    event_intake& events_;
    std::function<void()> wake_reminders_;
};

}  // namespace ib::bot
