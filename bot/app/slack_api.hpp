// The Slack Web API as the bot's flows see it: one call, made with the bot token. This is the
// seam of tgbot-cpp's HttpClient (engineering.md §1.5): the executors in bot/app/ call this
// interface, production implements it over web_client, and tests put a scripted fake behind it
// that records every request and answers without sockets.
#pragma once

#include "bot/transport/web_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace ib::bot {

class slack_api {
public:
    virtual ~slack_api() = default;

    // POSTs `method` with `args` as its JSON body, authenticated as the bot. Retries as `opts`
    // allows (web_client's policy: 429 after Retry-After; 5xx and transport failures with
    // backoff, only when Slack certainly did not act for a non-idempotent call). Never throws
    // for network or Slack errors: they come back in call_result.
    virtual boost::asio::awaitable<call_result> call(std::string method, nlohmann::json args, call_options opts) = 0;
};

// Production: the bot token over a web_client (which must outlive this).
class web_slack_api final : public slack_api {
public:
    web_slack_api(web_client& client, std::string bot_token);

    boost::asio::awaitable<call_result> call(std::string method, nlohmann::json args, call_options opts) override;

private:
    web_client& client_;
    std::string token_;
};

}  // namespace ib::bot
