// Slash commands and button clicks: what each asks for is decided in core/flows/dispatch; this
// answers it or runs its flow through the executor.
#pragma once

#include "bot/app/executor.hpp"
#include "core/slack/envelope.hpp"

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <memory>

namespace ib::bot {

// One `/incident` command and the connection it came in on: starts the reply watchdog, then
// answers it or runs its flow (declare, change, snooze, summary) to the end.
boost::asio::awaitable<void> handle_command(executor& exec, slack::slash_command sc, std::shared_ptr<frame_sink> sink);

// One button click on a reminder (already acked: the channel announcement is the answer).
boost::asio::awaitable<void> handle_button(executor& exec, slack::interactive click);

// Completion for co_spawn: a task that failed is a bug worth a log line, not a silent loss.
void log_failure(std::exception_ptr e);

}  // namespace ib::bot
