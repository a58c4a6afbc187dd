#include "bot/app/user_resolver.hpp"

#include "core/flows/resolve_user.hpp"

#include <boost/asio/co_spawn.hpp>

#include <memory>
#include <utility>

namespace ib::bot {

namespace net = boost::asio;

user_resolver::user_resolver(net::any_io_executor io, executor& exec) : io_(std::move(io)), exec_(exec) {}

void user_resolver::seen(std::vector<std::string> ids) {
    if (stopping_) return;
    const time_point now = wall_now();
    for (auto& id : ids)
        if (exec_.state().users.seen(id, now)) queue_.push_back(std::move(id));
    if (queue_.empty() || draining_) return;
    draining_ = true;
    net::co_spawn(io_, drain(this), exec_.task_done());
}

void user_resolver::stop() {
    stopping_ = true;
    queue_.clear();
}

net::awaitable<void> user_resolver::drain(user_resolver* self) {
    // One lookup at a time: users.info, then the profile into the cache. No journal: a lookup
    // lost with a crash is asked again when the user is next seen.
    while (!self->queue_.empty() && !self->stopping_) {
        std::string id = std::move(self->queue_.front());
        self->queue_.pop_front();
        flows::resolve_user_flow flow(id, wall_now());
        flows::action act = flow.start();
        line_context context;  // of the effect whose outcome the flow's next line reports
        for (;;) {
            log_line(act.level, act.log, context);
            if (std::holds_alternative<flows::done>(act.what)) break;
            flows::effect what = std::move(act.what);
            context = line_context::of(what);
            std::shared_ptr<flow_context> ctx = self->exec_.context("", nullptr);  // nobody to answer
            flows::event ev = co_await self->exec_.perform(std::move(what), std::move(ctx));
            context.add(ev);
            act = flow.resume(std::move(ev));
        }
        self->exec_.state().users.finished(id, wall_now(), flow.current().resolved);
    }
    self->draining_ = false;
}

}  // namespace ib::bot
