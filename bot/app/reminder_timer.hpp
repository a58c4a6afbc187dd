// The status-page reminder timer: one wall-clock timer sleeps until the earliest due reminder
// (core/reminders.hpp's schedule), or until woken by a change, then runs the reminder flow
// (core/flows/remind.hpp) for each incident whose reminder is due. While the bot is not connected
// to Slack nothing is posted: a reminder that fell due meanwhile (however many cadences ago) is
// posted once when the connection is back, and the next one is planned from then. The same
// timer wakes for the summaries other instances left unmarked past their lease
// (core/summary_lease.hpp), and takes them over; on PostgreSQL it also wakes every half lease to
// read the incidents resolved lately, which is how it hears of such a resolve.
#pragma once

#include "bot/app/executor.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/system_timer.hpp>

#include <chrono>

namespace ib::bot {

class reminder_timer {
public:
    explicit reminder_timer(boost::asio::any_io_executor ex);

    // Sleeps and posts what is due until stop(). Run it once, after auth.test.
    boost::asio::awaitable<void> run(executor& exec);
    // The schedule changed: look again now. Safe before run() and after stop().
    void wake();
    // Ends run() (at its next wake-up).
    void stop();
    // The Socket Mode connection is live (true) or not; reminders wait while it is not. Starts
    // not connected.
    void set_connected(bool connected);
    // Every `period` (from `since`, when the start-up read the resolves), read the incidents
    // resolved since the previous read less a lease (executor::sweep_resolved): on PostgreSQL a
    // running instance so hears of a resolve whose instance died before its summary. Call before
    // run(); without it (SQLite: one run holds the file) there is no such read.
    void sweep_resolves(std::chrono::milliseconds period, std::chrono::milliseconds overlap, time_point since);

private:
    boost::asio::system_timer timer_;
    bool stopping_ = false;
    bool connected_ = false;
    // sweep_resolves: the period (0: off), how far each read reaches back before the previous
    // successful one, when that one was, and when the next read is due.
    std::chrono::milliseconds sweep_period_{0};
    std::chrono::milliseconds sweep_overlap_{0};
    time_point swept_{};
    time_point next_sweep_{};
};

}  // namespace ib::bot
