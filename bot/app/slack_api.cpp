#include "bot/app/slack_api.hpp"

#include <utility>

namespace ib::bot {

web_slack_api::web_slack_api(web_client& client, std::string bot_token)
    : client_(client), token_(std::move(bot_token)) {}

boost::asio::awaitable<call_result> web_slack_api::call(std::string method, nlohmann::json args, call_options opts) {
    // GCC 12 mishandles temporaries inside co_await expressions (bug 98401): named locals only.
    std::string token = token_;
    call_result r = co_await client_.call(std::move(method), std::move(args), std::move(token), opts);
    co_return r;
}

}  // namespace ib::bot
