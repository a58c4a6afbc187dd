// The flow executor: performs the effects the flows in core/flows/ return (a Web API call
// through the slack_api seam, a durable write through the recorder, a read through the reader,
// an ack, a change to what the bot holds in memory) and feeds each outcome back, until the flow
// is done. The decisions are the flows'; this only carries them out, one effect at a time, and
// keeps each flow's journal entry (core/flows/journal.hpp) as the journal's rules say:
//
//     co_await exec.run(flows::declare_flow(...), ctx);
#pragma once

#include "bot/app/app_state.hpp"
#include "bot/app/events.hpp"
#include "bot/app/reader.hpp"
#include "bot/app/recorder.hpp"
#include "bot/app/slack_api.hpp"
#include "bot/transport/socket_mode.hpp"
#include "core/flows/effects.hpp"
#include "core/flows/journal.hpp"
#include "core/flows/replies.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace ib::bot {

// The reply to one slash command or click: how it is answered and acked, and the connection it
// came in on (null for a flow resumed after a restart: its connection is gone).
struct command_reply {
    flows::reply_policy policy;
    std::shared_ptr<frame_sink> sink;
};

// One running flow: its journal entry, shared by the flow's run and (for a command or a click)
// its watchdog.
struct flow_context {
    std::string key;           // the journal entry's key ("" : not journaled)
    std::string reply_to;      // saved with the state: whom to answer after a restart
    std::shared_ptr<command_reply> reply;  // the envelope to answer and ack (null: a timer)
    std::int64_t steps = 0;    // journal writes so far (orders them)
    bool durable = false;      // some state of the flow is durable: its envelope may be acked
    bool finished = false;
    int writes_in_flight = 0;  // journal writes submitted, not yet completed
    std::string last_saved;    // the state last written (an unchanged state is not written again)
    // The flow's current state as (kind, JSON), for the watchdog; unset when no flow runs.
    std::function<std::pair<std::string_view, std::string>()> snapshot;
    std::shared_ptr<boost::asio::steady_timer> changed;  // cancelled when a journal write completes
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
    executor(slack_api& api, recorder& rec, reader& rd, app_state& st, event_intake& events,
             std::function<void()> wake_reminders);

    // A context for a flow journaled under `key`, answering `reply` (null: nobody); after a
    // restart it answers `reply_to` (the user who typed the command) by direct message.
    std::shared_ptr<flow_context> context(std::string key, std::shared_ptr<command_reply> reply,
                                          std::string reply_to = {});

    // Runs `flow` to its end: start() (resume(restarted{}) when `resumed`), then each effect
    // performed, with the journal writes its rules ask for, and its outcome fed back. A nested
    // flow (a change's summary) continues its parent's journal entry and leaves its end to it.
    template <class Flow>
    boost::asio::awaitable<void> run(Flow flow, std::shared_ptr<flow_context> ctx, bool resumed = false,
                                     bool nested = false) {
        co_await run_kept(flow, std::move(ctx), resumed, nested);
    }

    // As run(), on a flow the caller keeps, to read its state once it is done. `flow` must
    // outlive the awaitable (co_await it at once).
    template <class Flow>
    boost::asio::awaitable<void> run_kept(Flow& flow, std::shared_ptr<flow_context> ctx, bool resumed = false,
                                          bool nested = false) {
        auto parent_snapshot = std::exchange(ctx->snapshot, [&flow, c = ctx.get()] {
            return std::pair<std::string_view, std::string>{flows::kind_of<Flow>(), flows::save(flow.current(), c->reply_to)};
        });
        flows::action act = resumed ? flow.resume(flows::restarted{}) : flow.start();
        line_context context;  // of the effect whose outcome the flow's next line reports
        for (;;) {
            log_line(act.level, act.log, context);
            const flows::journal_write rule = journal_rule_for(act.what, *ctx);
            if (rule == flows::journal_write::forget) break;
            if (rule == flows::journal_write::before) {
                // GCC 12 (bug 98401): arguments of co_await expressions are named locals.
                std::string state = flows::save(flow.current(), ctx->reply_to);
                const std::string_view kind = flows::kind_of<Flow>();
                const bool saved = co_await save_state(ctx, kind, std::move(state));
                if (!saved) {
                    log_line(flows::log_level::error, std::string(kind) + " flow " + ctx->key +
                                                          ": its progress could not be recorded; not going on with it");
                    break;
                }
            }
            flows::effect what = std::move(act.what);
            context = line_context::of(what);
            const bool resolving = own(what);
            flows::event ev;
            if (rule == flows::journal_write::with) {
                auto work = store_work(std::move(what), ctx, flow);
                ev = co_await write(std::move(work.first), std::move(work.second), ctx);
                if (resolving) resolved(ev);
            } else if (auto* s = std::get_if<flows::run_summary>(&what)) {
                ev = co_await summarize(std::move(*s), ctx);
            } else {
                ev = co_await perform(std::move(what), ctx);
            }
            context.add(ev);
            act = flow.resume(std::move(ev));
        }
        ctx->snapshot = std::move(parent_snapshot);
        if (!nested) end(*ctx);
    }

    // Performs one effect that is not a store (those go through run's journal) and returns its
    // outcome (see core/flows/effects.hpp). Never throws for Slack or storage failures: they come
    // back as events.
    boost::asio::awaitable<flows::event> perform(flows::effect what, std::shared_ptr<flow_context> ctx);

    // Answers with `text` through `reply` (in its ack, or by direct message): reply_policy.
    boost::asio::awaitable<void> answer(std::shared_ptr<command_reply> reply, std::string text);

    // The catch-up (core/catchup.hpp) on `inc` for `user`, read and rendered on the reader's
    // thread. With `reply` (`/incident catchup`): the answer to the command. Without (a late
    // joiner, whose catch-up is already written down with their join): chat.postEphemeral, unless
    // users.info says the user is a bot. Failures are logged (and answered, with a reply).
    boost::asio::awaitable<void> catch_up(incident inc, std::string user, std::shared_ptr<command_reply> reply);

    // Once reply_policy::budget has passed without an ack: makes the flow's current state durable
    // (unless something of it already is), then acks with the holding message (a command) or
    // bare (a click). Spawn it beside the flow.
    boost::asio::awaitable<void> watchdog(std::shared_ptr<flow_context> ctx);

    app_state& state() { return st_; }
    // This instance's id: the owner its journal entries name (core/flows/journal.hpp).
    const std::string& owner() const { return st_.reminders.lease().owner; }

    // Several instances share the database (st.channels looks up misses): a channel this one does
    // not know may be another's incident. Looks it up on the reader and keeps what it finds
    // (learn_incident), before a command typed there is routed. No-op for a known channel, with
    // lookups off, or when the read fails (the command then sees no incident).
    boost::asio::awaitable<void> look_up_channel(std::string channel);
    // `inc`, read from the database, becomes its channel's incident unless the channel has a newer
    // one; open and not scheduled here yet, its reminders are scheduled from `reminder_entries`
    // (its statuspage and reminder entries): claims decide which instance posts each.
    void learn_incident(const incident& inc, std::span<const timeline_entry> reminder_entries);

    // The completion handler for a spawned task (co_spawn): an exception escaping it goes to
    // on_task_failure.
    std::function<void(std::exception_ptr)> task_done();
    // What to do with a task's unexpected exception (the app: log one line and exit non-zero).
    // Default: log it.
    std::function<void(std::exception_ptr)> on_task_failure;

    // Called right after this instance's claim of a reminder is committed, before it is posted:
    // the fault build's hook (bot_app.cpp, fault "claimed": the process dies holding a claim).
    // Unset in the product.
    std::function<void()> on_claimed;
    // Called right after a journalled flow's store effect commits (with the flow's next state in
    // the journal), before anything else of it (its ack, its announcement): the fault build's
    // hook (fault "stored": the process dies mid-flow, its journal entry left for another
    // instance to resume after the lease). Unset in the product.
    std::function<void()> on_stored;

    // Called right after a resolve this instance stored is committed, before its summary is
    // posted: the fault build's hook (fault "resolved": the process dies holding the summary's
    // lease). Unset in the product.
    std::function<void()> on_resolved;

    // The summary of incident `incident_id`'s latest resolve, left unmarked by another instance
    // past its lease (st.summaries said it is due at `now`): the takeover is decided and stored
    // under the incident's row lock (core/summary_lease.hpp summary_to_claim); when this call
    // stored it, the summary flow posts the summary and the review prompt and marks them.
    // Whatever the claim read re-plans st.summaries; a failed claim is tried again a lease later.
    boost::asio::awaitable<void> take_over_summary(std::int64_t incident_id, time_point now);
    // The incidents resolved since `from`, read on the reader's connection with their entries of
    // k_summary_lease_kinds: each is learned (a channel another instance declared, unknown here)
    // and planned in st.summaries, so that a resolve whose instance died unmarked is taken over
    // by this running one (PostgreSQL; the reminder timer calls it every half lease). False when
    // the read failed (logged): the next call should reach back as far.
    boost::asio::awaitable<bool> sweep_resolved(time_point from);

    // Ends every `wait` effect in progress now (their flows get `ok`): the connection they were
    // pacing for is gone, or the bot is stopping.
    void cancel_waits();

private:
    // A store effect's own writes, and the event they fill in (stored; for a change planned from
    // a version another instance replaced, turn with the row as it stands).
    using store_job = std::pair<recorder::work_fn, std::shared_ptr<flows::event>>;
    static store_job store_writes(flows::effect what);

    // The store effect with, in the same transaction, the journal entry of the state `flow` will
    // have once it is stored.
    template <class Flow>
    store_job store_work(flows::effect what, const std::shared_ptr<flow_context>& ctx, const Flow& flow) {
        store_job job = store_writes(std::move(what));
        if (ctx->key.empty()) return job;
        storage::store::flow_row row{ctx->key, std::string(flows::kind_of<Flow>()), ++ctx->steps, {}, owner(), wall_now()};
        job.first = [writes = std::move(job.first), out = job.second, after = flow, row = std::move(row),
                     reply_to = ctx->reply_to](storage::store& s) mutable {
            s.atomically([&] {
                writes(s);
                Flow next = after;  // the state the flow has once this is stored
                next.resume(*out);
                row.state = flows::save(next.current(), reply_to);
                s.save_flow(row);
            });
        };
        return job;
    }

    // Runs `read` on the reader's connection: "" once done, else why it failed.
    boost::asio::awaitable<std::string> read_or_why(reader::read_fn read);
    flows::journal_write journal_rule_for(const flows::effect& what, const flow_context& ctx) const;
    // Names this instance as the owner of a resolve about to be stored (stamp_owner): whether
    // `what` stores one. resolved() is told the store's outcome (on_resolved once committed).
    bool own(flows::effect& what) const;
    void resolved(const flows::event& ev) const;
    boost::asio::awaitable<flows::event> write(recorder::work_fn work, std::shared_ptr<flows::event> out,
                                               std::shared_ptr<flow_context> ctx);
    boost::asio::awaitable<bool> save_state(std::shared_ptr<flow_context> ctx, std::string_view kind,
                                            std::string state);
    boost::asio::awaitable<flows::event> summarize(flows::run_summary what, std::shared_ptr<flow_context> ctx);
    boost::asio::awaitable<flows::event> call(flows::call c);
    boost::asio::awaitable<flows::event> durable_write(recorder::work_fn work);
    boost::asio::awaitable<flows::event> load(flows::load_summary what);
    boost::asio::awaitable<flows::event> load_entry(flows::load_message what);
    boost::asio::awaitable<flows::event> take(flows::take_turn t);
    boost::asio::awaitable<flows::event> claim(flows::claim_reminder c);
    boost::asio::awaitable<void> replan(flows::replan_reminders p);
    boost::asio::awaitable<flows::event> wait(std::chrono::milliseconds delay);
    boost::asio::awaitable<flows::event> store_history(flows::store_history page);
    void remember(const flows::effect& what);
    // A change the store refused under the incident's row lock (stale, or handled already) tells
    // what another instance committed: memory follows.
    void learn(const flows::event& ev);
    void durable(flow_context& ctx);
    void end(flow_context& ctx);

    slack_api& api_;
    recorder& rec_;
    reader& rd_;
    app_state& st_;
    event_intake& events_;
    std::function<void()> wake_reminders_;
    std::map<std::string, std::shared_ptr<boost::asio::steady_timer>> waiting_;  // flows waiting for a turn
    std::list<boost::asio::steady_timer*> waits_;  // the wait effects in progress
};

}  // namespace ib::bot
