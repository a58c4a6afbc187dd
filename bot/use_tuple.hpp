// The completion token of the bot's coroutines, defined once for every file of bot/.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ib::bot {

// For operations whose errors are part of normal control flow: `auto [ec, n] = co_await
// op(..., use_tuple);` gives the error code back as the first tuple element instead of throwing
// it. A named constant, so no co_await expression holds a temporary token (GCC 12, bug 98401;
// engineering.md §2).
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace ib::bot
