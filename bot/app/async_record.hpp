// co_await async_record(rec, work, use_awaitable): runs `work` on the recorder's storage thread
// and resumes once its group commit is durable; rethrows what the work or the commit threw.
#pragma once

#include "bot/app/recorder.hpp"

#include <boost/asio/async_result.hpp>

#include <exception>
#include <memory>
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

}  // namespace ib::bot
