#include "bot/app/bot_app.hpp"

#include "bot/app/app_state.hpp"
#include "bot/app/async_record.hpp"
#include "bot/app/backfill.hpp"
#include "bot/app/commands.hpp"
#include "bot/app/events.hpp"
#include "bot/app/executor.hpp"
#include "bot/app/reader.hpp"
#include "bot/app/recorder.hpp"
#include "bot/app/reminder_timer.hpp"
#include "bot/app/slack_api.hpp"
#include "bot/app/user_resolver.hpp"
#include "bot/log.hpp"
#include "bot/ops/app_metrics.hpp"
#include "bot/ops/status.hpp"
#include "bot/transport/socket_mode.hpp"
#include "bot/transport/tls.hpp"
#include "bot/transport/web_client.hpp"
#include "bot/use_tuple.hpp"
#include "core/flows/backfill.hpp"
#include "core/flows/journal.hpp"
#include "storage/run_lock.hpp"
#include "storage/store.hpp"

#include <boost/asio/as_tuple.hpp>
#ifdef IB_FAULT_INJECTION
#include "bot/app/fault_injection.hpp"
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <unistd.h>

namespace ib::bot {

namespace net = boost::asio;

namespace {

// Who this process is among the instances sharing a database: its claims carry it. Unique per
// process (a restarted one is another owner): host, pid and a random part.
std::string instance_id() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::random_device rd;
    char part[9];
    std::snprintf(part, sizeof part, "%08x", static_cast<unsigned>(rd()));
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + part;
}

}  // namespace

// The wiring: the clients, the recorder, the executors and the state they share, on one
// single-threaded io_context. What happens for each frame is decided in core/flows/ and carried
// out by the executors (events.cpp, commands.cpp, executor.cpp, reminder_timer.cpp). The
// recorder and the executors report to `metrics` (bot/ops: Prometheus and /readyz).
struct app::impl : std::enable_shared_from_this<impl> {
    app_config cfg;
    // One run per SQLite file, taken before the file is opened; on PostgreSQL several instances
    // share the database (claims and row locks, engineering.md §3.9), so none is taken.
    storage::run_lock lock;
    bool shared_db = false;  // PostgreSQL: other instances may be running on the same database
    net::io_context ioc{1};
    ops::app_metrics metrics;  // outlives the recorder and the executors below
    std::optional<storage::store> store_at_start;  // handed to the recorder by run()
    std::vector<storage::store::flow_row> journal;  // flows a crash interrupted, resumed by main_task
    std::shared_ptr<net::ssl::context> tls;
    std::unique_ptr<web_client> api;     // bot token calls
    std::unique_ptr<web_client> sm_api;  // apps.connections.open (closed on stop)
    std::unique_ptr<slack_api> slack;    // the seam the executors call (bot token over `api`)
    std::unique_ptr<recorder> rec;
    std::unique_ptr<reader> rd;
    app_state st;
    std::unique_ptr<event_intake> intake;
    std::unique_ptr<executor> exec;
    std::unique_ptr<backfill_runner> backfill;
    std::unique_ptr<user_resolver> users;  // names for the people an incident shows
    reminder_timer reminders;
    std::unique_ptr<socket_mode_client> sm;
    std::optional<net::signal_set> signals;
    std::optional<net::steady_timer> heartbeat_timer;
    std::optional<net::steady_timer> sweep_timer;  // sweep_journal's (PostgreSQL)
    bool stopping = false;
    bool linked = false;                          // the Socket Mode connection is live
    std::optional<time_point> storage_down_since;  // commits failing since then
    bool fatal = false;  // ended by an unexpected exception or by storage giving up
    int exit_code = 0;

    explicit impl(app_config c)
        : cfg(std::move(c)), shared_db(storage::is_postgres_uri(cfg.db_path)),
          st(cfg.reminder_cadence, claim_lease{cfg.claim_lease, instance_id()}), reminders(ioc.get_executor()) {
        if (!shared_db) lock = storage::run_lock::acquire(cfg.db_path);
        st.observer = &metrics;
        // Another instance may declare an incident this one has not heard of: look channels up.
        st.channels.look_up_misses(shared_db);
        storage::store db(cfg.db_path);
        // The flows a crash interrupted: on SQLite all of them (the run lock says their process is
        // gone); on PostgreSQL those whose owner's lease ended (the others are another instance's,
        // running, or are taken over later by sweep_journal).
        const claim_lease& lease = st.reminders.lease();
        const time_point started = wall_now();
        journal = db.claim_flows(lease.owner, started, [&](const storage::store::flow_row& row) {
            return flows::resumes(row.owner, row.renewed_at, lease, !shared_db, started);
        });
        if (const auto& backup = db.migration_backup())
            log_info("bot", "the database was backed up to " + *backup + " before its schema was upgraded");
        // Resolves of the last summary_lease_horizon whose summary has no mark are taken over when
        // their lease ends (this process is a new owner, even of what it stored before a crash);
        // on SQLite at once, as one run holds the file: their holder is gone. On PostgreSQL the
        // running instance reads the resolves again every half lease, to hear of another's.
        st.summaries.exclusive_database(!shared_db);
        if (shared_db) {
            const auto length = std::chrono::duration_cast<std::chrono::milliseconds>(st.summaries.lease().length);
            reminders.sweep_resolves(std::max(length / 2, std::chrono::milliseconds{100}), length, started);
        }
        for (auto& inc : db.incidents_declared_between(from_unix_seconds(0), from_unix_seconds(100'000'000'000))) {
            if (!inc.is_open() && inc.resolved_at && *inc.resolved_at >= started - summary_lease_horizon)
                st.summaries.track(inc, db.timeline_of_kinds(inc.id, k_summary_lease_kinds));
            st.channels.set(std::move(inc));  // ordered by time: the latest of each channel wins
        }
        // Rebuild each open incident's reminder schedule from what is stored, so reminders
        // survive a restart. Only the status-page and reminder entries are read.
        const entry_kind membership[] = {entry_kind::join, entry_kind::leave};
        for (const auto& inc : st.channels.open()) {
            st.reminders.track(inc, derive_reminder_state(db.timeline_of_kinds(inc.id, k_reminder_schedule_kinds)));
            // Who may see a private incident listed: its channel's members, from its record.
            if (inc.is_private) st.members.rebuild(inc, db.timeline_of_kinds(inc.id, membership));
        }
        metrics.open_incidents(st.channels.open_count());
        st.responders.group = cfg.responders;
        st.catchup = cfg.catchup;
        // Whatever was said while no process was connected must be caught up from Slack's
        // history: mark the channels before anything new is stored (a clean stop marked them
        // already, with the moment it stopped; after a crash the last entry stored says when).
        db.mark_disconnected(incidents_to_catch_up(st, started), std::nullopt, to_unix_micros(started));
        // Who has a cached name, and since when: a name is looked up again after a day.
        for (const auto& [id, fetched_at] : db.users_fetched()) st.users.cached(id, fetched_at);
        store_at_start.emplace(std::move(db));
    }

    // ---- frames ----------------------------------------------------------------------------

    void on_frame(slack::frame&& f, std::shared_ptr<frame_sink> sink) {
        // Not for this app or workspace: acked (a redelivery cannot make it ours), never read.
        if (const std::string why = slack::foreign_reason(f, st.self); !why.empty()) {
            const std::string id = envelope_id_of(f);
            log_warn("bot", "dropping envelope " + (id.empty() ? std::string("without an id") : id) +
                                " meant for another app or workspace: " + why);
            if (!id.empty()) sink->send(slack::make_ack(id));
            return;
        }
#ifdef IB_FAULT_INJECTION
        faults::at("frame");  // tests only: an unexpected exception in the main task
#endif
        if (auto* ev = std::get_if<slack::events_api>(&f)) return intake->on_event(std::move(*ev), std::move(sink));
        if (auto* sc = std::get_if<slack::slash_command>(&f)) {
            net::co_spawn(ioc, on_command(shared_from_this(), std::move(*sc), std::move(sink)), task_done("command"));
            return;
        }
        if (auto* i = std::get_if<slack::interactive>(&f)) {
            // Acked once its change, or the click itself, is durable (commands.cpp).
            net::co_spawn(ioc, on_button(shared_from_this(), std::move(*i), std::move(sink)), task_done("button"));
            return;
        }
        if (auto* u = std::get_if<slack::unknown_envelope>(&f)) {
            log_debug("bot", "acking an envelope of unknown type '" + u->type + "'");
            if (!u->envelope_id.empty()) sink->send(slack::make_ack(u->envelope_id));
            return;
        }
        if (auto* b = std::get_if<slack::bad_frame>(&f)) {
            log_warn("bot", "skipping a frame Slack should not have sent: " + b->reason,
                     {{"envelope", b->envelope_id.value_or("")}});
            // Redelivering a malformed envelope cannot fix it: ack it when it has an id.
            if (b->envelope_id && !b->envelope_id->empty()) sink->send(slack::make_ack(*b->envelope_id));
        }
    }

    static std::string envelope_id_of(const slack::frame& f) {
        if (const auto* e = std::get_if<slack::events_api>(&f)) return e->envelope_id;
        if (const auto* c = std::get_if<slack::slash_command>(&f)) return c->envelope_id;
        if (const auto* i = std::get_if<slack::interactive>(&f)) return i->envelope_id;
        return {};
    }

    // The connection came back (catch up from history, post what fell due meanwhile) or went
    // (mark what to catch up, hold reminders).
    void on_link(const link_change& change) {
        const time_point now = wall_now();
        linked = change.up;
        if (change.up) {
            reminders.set_connected(true);
            backfill->connection_up(now);
        } else {
            if (!stopping)
                log_info("bot", "not connected to Slack (" + change.why + "); what is said meanwhile is caught up "
                                "from the channels' history once connected again");
            reminders.set_connected(false);
            backfill->connection_lost(now);
        }
    }

    // The tasks below hold `self`: the app outlives every flow it runs.
    static net::awaitable<void> on_command(std::shared_ptr<impl> self, slack::slash_command sc,
                                           std::shared_ptr<frame_sink> sink) {
        co_await handle_command(*self->exec, std::move(sc), std::move(sink));
    }

    static net::awaitable<void> on_button(std::shared_ptr<impl> self, slack::interactive click,
                                          std::shared_ptr<frame_sink> sink) {
        co_await handle_button(*self->exec, std::move(click), std::move(sink));
    }

    static net::awaitable<void> run_reminders(std::shared_ptr<impl> self) { co_await self->reminders.run(*self->exec); }

    // /healthz: the event loop says it is alive every second (the ops server reads it from its
    // own thread, so a stuck loop shows as a stale beat).
    static net::awaitable<void> heartbeat(std::shared_ptr<impl> self) {
        self->heartbeat_timer.emplace(self->ioc);
        while (!self->stopping) {
            ops::service_status::get().heartbeat(std::chrono::steady_clock::now());
            self->heartbeat_timer->expires_after(std::chrono::seconds{1});
            auto [ec] = co_await self->heartbeat_timer->async_wait(use_tuple);
            (void)ec;  // cancelled when stopping: the loop condition ends it
        }
    }

    template <class Flow>
    static net::awaitable<void> resume_flow(std::shared_ptr<impl> self, Flow flow, std::shared_ptr<flow_context> ctx) {
        co_await self->exec->run(std::move(flow), std::move(ctx), true);
    }

    // Resumes flows a crash or a kill interrupted (core/flows/journal.hpp), oldest first: at start,
    // before the connection is opened (a change waiting for its turn gets it before new commands),
    // and those sweep_journal takes over. Their entries are this instance's already (claim_flows).
    void resume_flows(std::vector<storage::store::flow_row> rows, const std::string& why) {
        if (rows.empty()) return;
        log_info("bot", "resuming " + std::to_string(rows.size()) + " flow(s) " + why);
        for (auto& row : rows) {
            auto restored = flows::restore(row.kind, row.state);
            if (!restored.entry) {
                log_error("bot", "dropping journal entry " + row.key + ": " + restored.error);
                rec->submit([key = row.key, owner = row.owner](storage::store& s) { s.forget_flow(key, owner); }, nullptr);
                continue;
            }
            // Its envelope's connection is gone: anything it still says goes by direct message.
            auto reply = std::make_shared<command_reply>(command_reply{
                flows::reply_policy(row.key, restored.entry->reply_to, flows::reply_policy::mode::resumed), nullptr});
            auto ctx = exec->context(row.key, std::move(reply), restored.entry->reply_to);
            ctx->steps = row.step;
            ctx->durable = true;
            ctx->last_saved = row.state;
            std::visit(
                [&](auto& flow) {
                    net::co_spawn(ioc, resume_flow(shared_from_this(), std::move(flow), ctx), task_done("resumed flow"));
                },
                restored.entry->flow);
        }
    }

    // Several instances (PostgreSQL): every journal_sweep_period this instance renews the journal
    // entries of the flows it runs, so that no other takes them over, and takes over those whose
    // owner's lease ended (it died, or stalls), resuming them here (core/flows/journal.hpp). A
    // round that fails is logged and tried again at the next.
    static net::awaitable<void> sweep_journal(std::shared_ptr<impl> self) {
        const claim_lease lease = self->st.reminders.lease();
        self->sweep_timer.emplace(self->ioc);
        while (!self->stopping) {
            // Wait a period.
            self->sweep_timer->expires_after(flows::journal_sweep_period(lease));
            auto [ec] = co_await self->sweep_timer->async_wait(use_tuple);
            if (ec || self->stopping) break;
            // Renew ours and take over the expired ones, on the storage thread, durably.
            auto taken = std::make_shared<std::vector<storage::store::flow_row>>();
            recorder::work_fn work = [taken, lease](storage::store& s) {
                const time_point now = wall_now();
                s.renew_flows(lease.owner, now);
                *taken = s.claim_flows(lease.owner, now, [&](const storage::store::flow_row& row) {
                    return flows::resumes(row.owner, row.renewed_at, lease, false, now);
                });
            };
            if (const std::string failure = co_await record_failure(*self->rec, std::move(work)); !failure.empty()) {
                log_warn("bot", "could not renew or take over journal entries (tried again in a moment): " + failure);
                continue;
            }
            // Resume what was taken over.
            if (self->stopping) break;
            self->resume_flows(std::move(*taken), "taken over from an instance whose lease ended");
        }
    }

    // ---- failing loudly ------------------------------------------------------------------------

    // Completion handler of every task: an exception that escapes one is a bug. Carrying on
    // would leave a live process that may do nothing: say so in one line and exit non-zero, so
    // a supervisor restarts the bot (the journal and Slack's redelivery take it from there).
    std::function<void(std::exception_ptr)> task_done(std::string what) {
        return [weak = weak_from_this(), what = std::move(what)](std::exception_ptr e) {
            if (!e) return;
            if (auto self = weak.lock()) self->fail(what, e);
        };
    }

    void fail(const std::string& what, std::exception_ptr e) {
        if (fatal) return;
        std::string why = "unknown exception";
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            why = ex.what();
        } catch (...) {
        }
        log_error("bot", "internal error in the " + what + " task: " + why + "; exiting (code " +
                             std::to_string(exit_internal_error) + ")");
        die(exit_internal_error);
    }

    // Ends the process now with `code`: no clean close (Slack redelivers what was not acked).
    void die(int code) {
        fatal = true;
        exit_code = code;
        stopping = true;
        ioc.stop();
    }

    // ---- start and stop ----------------------------------------------------------------------

    static net::awaitable<void> main_task(std::shared_ptr<impl> self) {
        // The bot token first: a wrong one should fail in one line, before any connection.
        call_options o;
        o.max_attempts = 3;
        nlohmann::json no_args = nlohmann::json::object();
        std::string method = "auth.test";
        auto who = co_await self->slack->call(std::move(method), std::move(no_args), o);
        if (self->stopping) {  // a stop requested while checking the token is a clean exit
            self->shutdown();
            co_return;
        }
        if (who.outcome != slack::api_outcome::ok || !who.response.body.contains("user_id") ||
            !who.response.body["user_id"].is_string()) {
            log_error("bot", who.outcome == slack::api_outcome::auth_fatal
                                 ? "Slack refused SLACK_BOT_TOKEN (" + who.error + ")"
                                 : "auth.test at " + self->cfg.api_url + " failed: " + who.error);
            self->exit_code = 1;
            self->shutdown();
            co_return;
        }
        self->st.bot_user_id = who.response.body["user_id"].get<std::string>();
        if (const auto team = who.response.body.find("team_id"); team != who.response.body.end() && team->is_string())
            self->st.self.team_id = team->get<std::string>();
        else
            log_warn("bot", "auth.test gave no team_id: envelopes are not checked for their workspace");
        net::co_spawn(self->ioc, run_reminders(self), self->task_done("reminder"));
        log_info("bot", "authenticated as " + self->st.bot_user_id + " (team " +
                            who.response.body.value("team", std::string("?")) + "); this instance's claims name it " +
                            self->st.reminders.lease().owner);
        self->resume_flows(std::exchange(self->journal, {}), "a restart interrupted");
        if (self->shared_db) net::co_spawn(self->ioc, sweep_journal(self), self->task_done("journal"));

        // Connect, and keep the connection until stopped; flow control pauses its reading.
        socket_mode_options so;
        so.app_token = self->cfg.app_token;
        so.idle_timeout = self->cfg.idle_timeout;
        so.on_hello = [weak = std::weak_ptr<impl>(self)](const slack::hello& h) {
            auto s = weak.lock();
            if (!s) return;
            if (h.app_id.empty()) {
                if (s->st.self.app_id.empty())
                    log_warn("bot", "Slack's hello named no app: envelopes are not checked for their app");
                return;
            }
            s->st.self.app_id = h.app_id;
        };
        so.hello_timeout = self->cfg.hello_timeout;
        self->sm = std::make_unique<socket_mode_client>(
            self->ioc.get_executor(), *self->sm_api, self->tls, so,
            [weak = std::weak_ptr<impl>(self)](slack::frame&& f, std::shared_ptr<frame_sink> sink) {
                if (auto s = weak.lock()) s->on_frame(std::move(f), std::move(sink));
            });
        self->sm->on_link([weak = std::weak_ptr<impl>(self)](const link_change& change) {
            if (auto s = weak.lock()) s->on_link(change);
        });
        self->intake->pause_reading = [sm = self->sm.get()] { sm->pause_reading(); };
        self->intake->resume_reading = [sm = self->sm.get()] { sm->resume_reading(); };
        const int code = co_await self->sm->run();
        self->exit_code = code == 0 ? 0 : 1;
        self->shutdown();
    }

    void request_stop() {
        if (stopping) return;
        stopping = true;
        log_info("bot", "stopping: closing the connection and flushing the timeline");
        reminders.stop();
        if (users) users->stop();
        if (sm) sm->stop();
        else {
            if (api) api->close();
            if (sm_api) sm_api->close();
        }
    }

    void shutdown() {
        stopping = true;
        reminders.stop();
        if (heartbeat_timer) heartbeat_timer->cancel();
        if (sweep_timer) sweep_timer->cancel();
        if (backfill) backfill->stop();
        if (users) users->stop();
        if (signals) signals->cancel();
        if (api) api->close();
        if (sm_api) sm_api->close();
    }

    void watch_signals() {
        signals.emplace(ioc, SIGINT, SIGTERM);
        signals->async_wait([weak = weak_from_this()](const boost::system::error_code& ec, int) {
            if (ec) return;
            auto self = weak.lock();
            if (!self) return;
            self->request_stop();
            // A second signal means "now": don't wait for the flush.
            self->signals->async_wait([](const boost::system::error_code& ec2, int) {
                if (!ec2) std::_Exit(130);
            });
        });
    }

    int run() {
        tls = make_client_tls_context();
        api = std::make_unique<web_client>(ioc.get_executor(), cfg.api_url, tls);
        sm_api = std::make_unique<web_client>(ioc.get_executor(), cfg.api_url, tls);
        api->on_log([](std::string_view line) { log_warn("web", line); });
        sm_api->on_log([](std::string_view line) { log_warn("web", line); });
        slack = std::make_unique<web_slack_api>(*api, cfg.bot_token);
        const recorder::post_fn post = [ex = ioc.get_executor()](std::function<void()> f) {
            net::post(ex, std::move(f));
        };
        recorder::options ro;
        ro.commit.deadline = cfg.storage_deadline;
#ifdef IB_FAULT_INJECTION
        if (const auto d = faults::commit_deadline()) ro.commit.deadline = *d;  // tests only
#endif
        // Commits failing (the disk, or the PostgreSQL server unreachable or restarting): stop reading
        // from Slack until they work again, so nothing is acked uncommitted; for too long: exit.
        // Once they work again after a long outage, catch up from history what Slack gave up on.
        ro.storage_failing = [this](bool failing) {
            if (intake) intake->storage_failing(failing);
            const time_point now = wall_now();
            if (failing) {
                storage_down_since = now;
                return;
            }
            if (!storage_down_since || !linked || !backfill) return;
            const time_point since = *std::exchange(storage_down_since, std::nullopt);
            if (!flows::catch_up_after_storage_outage(since, now)) return;
            log_info("bot", "storage is back after " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - since).count()) +
                                " s; catching up from the channels' history");
            backfill->connection_lost(since);
            backfill->connection_up(now);
        };
        ro.gave_up = [this](int code) { die(code); };
        // Several instances (PostgreSQL): an idle one learns the server went away from a probe
        // every 2 s (an empty transaction), not only from its next write.
        if (shared_db) ro.idle_probe = std::chrono::seconds{2};
        rec = std::make_unique<recorder>(std::move(*store_at_start), post, std::move(ro), &metrics);
        store_at_start.reset();
        rd = std::make_unique<reader>(cfg.db_path, post);
        intake = std::make_unique<event_intake>(*rec, st, cfg.max_pending_writes, shared_db ? rd.get() : nullptr);
        exec = std::make_unique<executor>(*slack, *rec, *rd, st, *intake, [this] { reminders.wake(); });
        exec->on_task_failure = [this](std::exception_ptr e) { fail("flow", e); };
#ifdef IB_FAULT_INJECTION
        exec->on_claimed = [] { faults::at("claimed"); };  // tests only: die holding a reminder's claim
        exec->on_stored = [] { faults::at("stored"); };    // tests only: die mid-flow, its entry journalled
        exec->on_resolved = [] { faults::at("resolved"); };  // tests only: die before a resolve's summary
#endif
        intake->learned = [this](const incident& inc, std::span<const timeline_entry> entries) {
            exec->learn_incident(inc, entries);
        };
        backfill = std::make_unique<backfill_runner>(ioc.get_executor(), *exec, *rec, st, flows::backfill_options{}, shared_db);
        st.declared_opened = [this](const incident& inc) { backfill->catch_up_declared(inc); };
        users = std::make_unique<user_resolver>(ioc.get_executor(), *exec);
        st.users_seen = [this](std::vector<std::string> ids) { users->seen(std::move(ids)); };
        st.catchup_given = [this](const std::string& channel, std::string user) {
            if (const incident* inc = st.channels.find(channel))
                net::co_spawn(ioc, exec->catch_up(*inc, std::move(user), nullptr), exec->task_done());
        };
        if (cfg.handle_signals) watch_signals();

        net::co_spawn(ioc, main_task(shared_from_this()), task_done("main"));
        net::co_spawn(ioc, heartbeat(shared_from_this()), task_done("heartbeat"));
        try {
            ioc.run();
        } catch (...) {
            fail("main", std::current_exception());  // a handler outside any task threw
        }
        rd->stop();
        rec->stop();
        if (fatal) return exit_code;  // its one line is said
        const auto c = rec->counters();
        log_info("bot", "stopped; " + std::to_string(c.jobs) + " writes in " + std::to_string(c.groups) +
                            " group commits");
        return exit_code;
    }
};

app::app(app_config cfg) : impl_(std::make_shared<impl>(std::move(cfg))) {}

app::~app() = default;

int app::run() { return impl_->run(); }

void app::request_stop() {
    auto self = impl_;
    net::post(self->ioc, [self] { self->request_stop(); });
}

}  // namespace ib::bot
