#include "bot/app/backfill.hpp"

#include "bot/app/async_record.hpp"
#include "bot/log.hpp"
#include "core/flows/journal.hpp"
#include "storage/store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <memory>
#include <string>
#include <utility>

namespace ib::bot {

namespace net = boost::asio;

std::vector<std::int64_t> incidents_to_catch_up(const app_state& st, time_point now) {
    std::vector<std::int64_t> ids;
    for (const auto& inc : st.channels.all())
        if (inc.is_open() || (inc.resolved_at && now - *inc.resolved_at < backfill_resolved_window))
            ids.push_back(inc.id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

backfill_runner::backfill_runner(net::any_io_executor ex, executor& exec, recorder& rec, app_state& st,
                                 flows::backfill_options opts, bool shared)
    : ex_(std::move(ex)), exec_(exec), rec_(rec), st_(st), opts_(opts), shared_(shared) {}

void backfill_runner::connection_up(time_point at) {
    up_ = true;
    const std::uint64_t generation = ++generation_;
    exec_.cancel_waits();  // a run of an older connection that is waiting ends now
    // Failures of Slack or storage come back as events; anything else is a bug: fail loudly.
    net::co_spawn(ex_, run(this, generation, at), exec_.task_done());
}

void backfill_runner::connection_lost(time_point at) {
    if (!up_) return;  // never came up: nothing was recorded since the last mark
    up_ = false;
    ++generation_;
    exec_.cancel_waits();
    auto ids = incidents_to_catch_up(st_, at);
    if (ids.empty()) return;
    // Queued behind everything the lost connection delivered and before anything the next one
    // will: the watermark is the newest ts stored before the loss.
    rec_.submit([ids = std::move(ids), at](storage::store& s) { s.mark_disconnected(ids, at, to_unix_micros(at)); },
                [](std::exception_ptr e) {
                    if (!e) return;
                    try {
                        std::rethrow_exception(e);
                    } catch (const std::exception& x) {
                        log_error("bot", std::string("could not record what to catch up after the connection loss: ") +
                                             x.what());
                    }
                });
}

void backfill_runner::catch_up_declared(const incident& inc) {
    const auto now = wall_now();
    std::vector<flows::backfill_target> targets{flows::declared_channel_target(inc, now)};
    log_info("bot", "catching up " + inc.channel_id + ", declared here, from its history (other instances may have had its first events)");
    net::co_spawn(ex_, drive(this, generation_, std::move(targets), now), exec_.task_done());
}

void backfill_runner::stop() {
    up_ = false;
    ++generation_;
    exec_.cancel_waits();
}

void backfill_runner::set_running(bool running) {
    if (running_ == running) return;
    running_ = running;
    st_.observer->backfill_running(running);
}

net::awaitable<std::vector<flows::backfill_target>> backfill_runner::load_targets(std::vector<std::int64_t> ids) {
    auto out = std::make_shared<std::vector<flows::backfill_target>>();
    // On the storage thread: the marks of these incidents, and the threads their timelines know.
    // Not on the reader's connection: the marks written at the loss are queued on this same
    // thread, so this read comes after them (the reader could run before they commit and miss a
    // gap). It is a few rows, off the hot path: once per connection.
    recorder::work_fn work = [out, ids = std::move(ids)](storage::store& s) {
        for (const auto& m : s.backfill_marks()) {
            if (!std::binary_search(ids.begin(), ids.end(), m.incident_id)) continue;
            flows::backfill_target t;
            t.incident_id = m.incident_id;
            t.since_ts = m.since_ts;
            t.down_from = m.down_from;
            t.epoch = m.epoch;
            t.threads = s.thread_parents(m.incident_id);
            out->push_back(std::move(t));
        }
    };
    if (const std::string failure = co_await record_failure(rec_, std::move(work)); !failure.empty()) {
        log_error("bot", "backfill: could not read what to catch up (it is tried again at the next connection): " +
                             failure);
        out->clear();
    }
    co_return std::move(*out);
}

net::awaitable<void> backfill_runner::run(backfill_runner* self, std::uint64_t generation, time_point connected_at) {
    // Which channels: the marked ones among those the bot records now, with their channel ids.
    std::vector<flows::backfill_target> targets =
        co_await self->load_targets(incidents_to_catch_up(self->st_, connected_at));
    if (generation != self->generation_) co_return;
    std::erase_if(targets, [&](flows::backfill_target& t) {
        const incident* inc = self->st_.channels.find(t.incident_id);
        if (inc == nullptr) return true;
        t.channel = inc->channel_id;
        return false;
    });
    if (targets.empty()) co_return;
    if (!self->shared_) {
        const std::size_t channels = targets.size();
        log_info("bot", "catching up " + std::to_string(channels) + " incident channel" + (channels == 1 ? "" : "s") +
                            " from Slack's history");
        co_await drive(self, generation, std::move(targets), connected_at);
        co_return;
    }
    // Several instances: read only the gaps this instance claims; look again after the lease at
    // those another is reading, in case it died.
    for (;;) {
        claimed_targets claimed = co_await self->claim_targets(std::move(targets));
        if (generation != self->generation_) co_return;
        if (claimed.caught_up > 0)
            log_info("bot", std::to_string(claimed.caught_up) + " incident channel(s) caught up by another instance "
                                "already: not read again");
        if (!claimed.read.empty()) {
            const std::size_t channels = claimed.read.size();
            log_info("bot", "catching up " + std::to_string(channels) + " incident channel" + (channels == 1 ? "" : "s") +
                                " from Slack's history (claimed here)");
            co_await drive(self, generation, std::move(claimed.read), connected_at);
        }
        if (claimed.busy.empty() || generation != self->generation_) co_return;
        log_info("bot", std::to_string(claimed.busy.size()) + " incident channel(s) being caught up by another "
                            "instance; looking again after the lease");
        // Wait a lease (ended early by a loss of the connection or a stop).
        std::shared_ptr<flow_context> ctx = self->exec_.context("", nullptr);
        const auto lease = std::chrono::duration_cast<std::chrono::milliseconds>(self->st_.reminders.lease().length);
        co_await self->exec_.perform(flows::wait{lease}, std::move(ctx));
        if (generation != self->generation_) co_return;
        targets = std::move(claimed.busy);
    }
}

net::awaitable<backfill_runner::claimed_targets> backfill_runner::claim_targets(std::vector<flows::backfill_target> targets) {
    auto out = std::make_shared<claimed_targets>();
    // On the storage thread, each gap under its claim's lock: claimed here, caught up by another
    // (its mark cleared, unread), or being read by another.
    recorder::work_fn work = [out, targets = std::move(targets), lease = st_.reminders.lease()](storage::store& s) {
        *out = {};
        const time_point now = wall_now();
        for (auto t : targets) {
            const storage::backfill_gap gap{t.channel, t.since_ts, t.down_from};
            flows::gap_decision decision = flows::gap_decision::read;
            const auto r = s.claim_gap(gap, lease.owner, now, [&](const storage::store::gap_claim* held) {
                decision = held == nullptr ? flows::decide_gap(false, {}, {}, false, lease, now)
                                           : flows::decide_gap(true, held->owner, held->renewed_at, held->done, lease, now);
                return decision == flows::gap_decision::read;
            });
            if (r.claimed) {
                t.claimed = true;
                out->read.push_back(std::move(t));
            } else if (decision == flows::gap_decision::caught_up) {
                s.finish_backfill(t.incident_id, t.epoch, nullptr, &gap);
                ++out->caught_up;
            } else {
                out->busy.push_back(std::move(t));
            }
        }
    };
    if (const std::string failure = co_await record_failure(rec_, std::move(work)); !failure.empty()) {
        log_error("bot", "backfill: could not claim what to catch up (it is tried again at the next connection): " +
                             failure);
        co_return claimed_targets{};
    }
    co_return std::move(*out);
}

net::awaitable<void> backfill_runner::drive(backfill_runner* self, std::uint64_t generation,
                                            std::vector<flows::backfill_target> targets, time_point connected_at) {
    // Running while any run is (an abandoned one may still be finishing its last step).
    struct active_run {
        backfill_runner* r;
        explicit active_run(backfill_runner* runner) : r(runner) { ++r->active_runs_; }
        ~active_run() {
            if (--r->active_runs_ == 0) r->set_running(false);
        }
        active_run(const active_run&) = delete;
        active_run& operator=(const active_run&) = delete;
    } active(self);

    // Catch up, one effect at a time, while this connection lasts.
    self->set_running(true);
    const auto started = std::chrono::steady_clock::now();
    flows::backfill_flow flow(std::move(targets), connected_at, self->opts_);
    flows::action act = flow.start(wall_now());
    bool interrupted = false;
    // Claimed gaps (several instances): renewed every journal_sweep_period while this run reads.
    const bool claimed = std::any_of(flow.current().targets.begin(), flow.current().targets.end(),
                                     [](const flows::backfill_target& t) { return t.claimed; });
    const claim_lease lease = self->st_.reminders.lease();
    auto renewed = std::chrono::steady_clock::now();
    line_context context;  // of the effect whose outcome the flow's next line reports
    for (;;) {
        log_line(act.level, act.log, context);
        if (std::holds_alternative<flows::done>(act.what)) break;
        if (generation != self->generation_) {
            interrupted = true;
            break;
        }
        if (claimed && std::chrono::steady_clock::now() - renewed >= flows::journal_sweep_period(lease)) {
            renewed = std::chrono::steady_clock::now();
            self->rec_.submit([owner = lease.owner](storage::store& s) { s.renew_gaps(owner, wall_now()); }, nullptr);
        }
        flows::effect what = std::move(act.what);
        context = line_context::of(what);
        std::shared_ptr<flow_context> ctx = self->exec_.context("", nullptr);  // nobody to answer, no journal
        flows::event ev = co_await self->exec_.perform(std::move(what), std::move(ctx));
        context.add(ev);
        if (const auto* r = std::get_if<flows::recovered>(&ev)) self->st_.observer->backfilled(r->stored);
        if (generation != self->generation_) {
            interrupted = true;
            break;
        }
        act = flow.resume(std::move(ev), wall_now());
    }

    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (interrupted)
        log_info("bot", "catch-up stopped with the connection (" + std::to_string(flow.recovered_total()) +
                            " recovered so far); the next connection takes it up again");
    else
        log_info("bot", "catch-up done in " + std::to_string(ms.count()) + " ms: " + std::to_string(flow.recovered_total()) +
                            " entries recovered from Slack's history");
}

}  // namespace ib::bot
