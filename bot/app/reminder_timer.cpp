#include "bot/app/reminder_timer.hpp"

#include "bot/use_tuple.hpp"
#include "core/flows/remind.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace ib::bot {

namespace net = boost::asio;

reminder_timer::reminder_timer(net::any_io_executor ex) : timer_(ex) {}

net::awaitable<void> reminder_timer::run(executor& exec) {
    app_state& st = exec.state();
    for (;;) {
        if (stopping_) co_return;
        // Until the earliest due reminder; with nothing due, or not connected, until woken (or an
        // hour has passed: look again anyway).
        auto next = st.reminders.next_wakeup();
        if (const auto summary = st.summaries.next_wakeup(); summary && (!next || *summary < *next)) next = summary;
        if (sweep_period_.count() > 0 && (!next || next_sweep_ < *next)) next = next_sweep_;
        if (next && connected_)
            timer_.expires_at(std::chrono::time_point_cast<std::chrono::system_clock::duration>(*next));
        else
            timer_.expires_after(std::chrono::hours{1});
        auto [ec] = co_await timer_.async_wait(use_tuple);
        (void)ec;  // woken early by a change, or stopping: look again
        if (stopping_) co_return;
        if (!connected_) continue;  // what falls due meanwhile is posted once, on return
        // Each due reminder: note it in the schedule, store it, post it; count it once posted.
        const time_point now = wall_now();
        for (const std::int64_t id : st.reminders.due(now)) {
            flows::reminder_flow flow(id, st.channels.find(id), st.reminders.state(id), now, st.reminders.policy());
            // Journaled under its entry's key: a reminder interrupted by a crash is posted once.
            auto ctx = exec.context(flow.current().entry.key, nullptr);
            co_await exec.run_kept(flow, std::move(ctx));
            if (flow.current().posted) st.observer->reminder_posted();
        }
        // Every period: what other instances resolved lately, so that a resolve whose instance
        // died unmarked is held here until its lease ends (the read reaches back over the last).
        // A failed read keeps its start, so the next one (a period later) reaches back as far.
        if (sweep_period_.count() > 0 && now >= next_sweep_) {
            next_sweep_ = now + sweep_period_;
            if (co_await exec.sweep_resolved(swept_ - sweep_overlap_)) swept_ = now;
        }
        // Each summary another instance left unmarked past its lease: claim it, post it, mark it.
        for (const std::int64_t id : st.summaries.due(now)) co_await exec.take_over_summary(id, now);
    }
}

void reminder_timer::sweep_resolves(std::chrono::milliseconds period, std::chrono::milliseconds overlap,
                                    time_point since) {
    sweep_period_ = period;
    sweep_overlap_ = overlap;
    swept_ = since;
    next_sweep_ = since + period;
}

void reminder_timer::wake() { timer_.cancel(); }

void reminder_timer::set_connected(bool connected) {
    if (connected_ == connected) return;
    connected_ = connected;
    timer_.cancel();
}

void reminder_timer::stop() {
    stopping_ = true;
    timer_.cancel();
}

}  // namespace ib::bot
