// co_await async_record(rec, work, use_awaitable): runs `work` on the recorder's storage thread
// and resumes once its group commit is durable; rethrows what the work or the commit threw.
#pragma once

#include "bot/app/recorder.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace ib::bot {

template <class Token>
auto async_record(recorder& rec, recorder::work_fn work, Token&& token) {
    return boost::asio::async_initiate<Token, void(std::exception_ptr)>(
        [&rec](auto handler, recorder::work_fn w) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            rec.submit(std::move(w), [h](std::exception_ptr e) { (*h)(e); });
        },
        token, std::move(work));
}

// co_await record_failure(rec, work): async_record, with what it threw as a message ("" once the
// work is durable), for callers that log a failure and carry on.
inline boost::asio::awaitable<std::string> record_failure(recorder& rec, recorder::work_fn work) {
    std::string failure;  // (no co_await inside a catch block)
    try {
        co_await async_record(rec, std::move(work), boost::asio::use_awaitable);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    co_return failure;
}

}  // namespace ib::bot
