// Slash commands and button clicks: what each asks for is decided in core/flows/dispatch; this
// answers it or runs its flow through the executor, journaled under the envelope's id, with a
// watchdog that acks in time (core/flows/replies.hpp).
#pragma once

#include "bot/app/executor.hpp"
#include "core/slack/envelope.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace ib::bot {

// One `/incident` command and the connection it came in on: starts the reply watchdog, then
// answers it or runs its flow (declare, change, snooze, summary) to the end.
boost::asio::awaitable<void> handle_command(executor& exec, slack::slash_command sc, std::shared_ptr<frame_sink> sink);

// One button click on a reminder and the connection it came in on: acked once its change (or the
// click itself) is durable; a click that asks for nothing is acked at once.
boost::asio::awaitable<void> handle_button(executor& exec, slack::interactive click, std::shared_ptr<frame_sink> sink);

}  // namespace ib::bot
