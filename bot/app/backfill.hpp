// The backfill executor: carries out core/flows/backfill (catching up from Slack's history) when
// the Socket Mode connection comes back, and records what must be caught up when it goes.
//
//   connection lost   every incident channel the bot records (open, or resolved in the last 24 h)
//                     gets a catch-up mark in the store: the newest Slack ts stored so far. The
//                     write is queued on the recorder, so it lands before anything the next
//                     connection delivers: live events stored after the reconnect cannot hide
//                     the gap. (At start-up app::impl marks them before the recorder starts.)
//   connection up     the marks are read back with each channel's known threads, and the flow
//                     runs: Web API calls through the executor, each page stored as it comes;
//                     live events keep flowing meanwhile. A loss stops it after its current
//                     step (its marks stay; the next connection starts over from them).
//   several instances (PostgreSQL): before reading, each channel's gap is claimed in the
//                     database (core/flows/backfill.hpp, decide_gap): the channels this instance
//                     claims it reads, renewing its claims as it goes; those another caught up
//                     are finished unread (their marks cleared); those another is reading are
//                     looked at again after the lease, and taken over if their reader died.
#pragma once

#include "bot/app/app_state.hpp"
#include "bot/app/executor.hpp"
#include "bot/app/recorder.hpp"
#include "core/flows/backfill.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ib::bot {

// Incidents whose channels are caught up: open ones, and those resolved less than this ago.
inline constexpr std::chrono::hours backfill_resolved_window{24};

// The ids of the incidents in `st` whose channels are caught up at `now`.
std::vector<std::int64_t> incidents_to_catch_up(const app_state& st, time_point now);

class backfill_runner {
public:
    // Everything must outlive the runner.
    // `shared`: other instances share the database (PostgreSQL): gaps are claimed before reading.
    backfill_runner(boost::asio::any_io_executor ex, executor& exec, recorder& rec, app_state& st,
                    flows::backfill_options opts = {}, bool shared = false);

    // The connection is live again at `at`: catch up every marked channel (a run in progress is
    // abandoned first). On the I/O thread.
    void connection_up(time_point at);
    // The connection stopped being live at `at`: mark the channels, stop a run in progress.
    void connection_lost(time_point at);
    // A channel this instance just declared is caught up from its creation
    // (flows::declared_channel_target): a run of its own, beside any other, ended like them by a
    // loss of the connection or stop(). On the I/O thread.
    void catch_up_declared(const incident& inc);
    // Stops a run in progress (at shutdown).
    void stop();

    // Whether a run is in progress; st.observer hears when this changes (backfill_running) and
    // what each stored page added (backfilled).
    bool running() const { return running_; }

private:
    static boost::asio::awaitable<void> run(backfill_runner* self, std::uint64_t generation, time_point connected_at);
    // Carries out one backfill flow over `targets` while `generation` lasts.
    static boost::asio::awaitable<void> drive(backfill_runner* self, std::uint64_t generation,
                                              std::vector<flows::backfill_target> targets, time_point connected_at);
    boost::asio::awaitable<std::vector<flows::backfill_target>> load_targets(std::vector<std::int64_t> ids);
    // Several instances: claims the gaps of `targets` (decide_gap), finishes unread those another
    // instance caught up, and returns those to read (claimed) and those another is reading.
    struct claimed_targets {
        std::vector<flows::backfill_target> read, busy;
        std::size_t caught_up = 0;  // finished unread: another instance had caught them up
    };
    boost::asio::awaitable<claimed_targets> claim_targets(std::vector<flows::backfill_target> targets);
    void set_running(bool running);

    boost::asio::any_io_executor ex_;
    executor& exec_;
    recorder& rec_;
    app_state& st_;
    flows::backfill_options opts_;
    bool shared_ = false;
    std::uint64_t generation_ = 0;  // bumped by every up, loss and stop: a run of an older one ends
    bool up_ = false;
    bool running_ = false;
    int active_runs_ = 0;
};

}  // namespace ib::bot
