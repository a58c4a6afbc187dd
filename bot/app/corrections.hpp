// The "Correct tags" message shortcut and its modal's submission: what happens is decided in
// core/flows/correct; this runs those flows through the executor's effects (no journal: see
// correct.hpp), acking their envelopes as the flows say.
#pragma once

#include "bot/app/executor.hpp"
#include "core/slack/envelope.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace ib::bot {

// `i` is a correction shortcut or submission (flows::is_correction_shortcut / _submission):
// runs its flow to the end on the connection it came in on.
boost::asio::awaitable<void> handle_correction(executor& exec, slack::interactive i, std::shared_ptr<frame_sink> sink);

}  // namespace ib::bot
