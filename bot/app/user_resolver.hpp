// Looks up the users the bot sees in an incident (core/flows/resolve_user.hpp), one at a time,
// as a task of its own on the I/O thread: a lookup never stands between an event and its ack.
#pragma once

#include "bot/app/executor.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <deque>
#include <string>
#include <vector>

namespace ib::bot {

class user_resolver {
public:
    // `exec` must outlive the resolver; its state's user_lookups decide who is due a lookup.
    user_resolver(boost::asio::any_io_executor io, executor& exec);

    // Users seen now: those due a lookup are queued, and one task works through the queue.
    void seen(std::vector<std::string> ids);
    // No lookup starts after this (the one in flight ends with the connection).
    void stop();

    std::size_t queued() const { return queue_.size(); }

private:
    static boost::asio::awaitable<void> drain(user_resolver* self);

    boost::asio::any_io_executor io_;
    executor& exec_;
    std::deque<std::string> queue_;
    bool draining_ = false;
    bool stopping_ = false;
};

}  // namespace ib::bot
