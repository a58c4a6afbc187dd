// Slack Web API client: POSTs JSON to <api_url><method> over HTTP/1.1 keep-alive (HTTPS in
// production, plain HTTP against the test server) and classifies the answer with
// core/slack/web_api. Beast stays in web_client.cpp; this header needs only Asio's awaitable.
#pragma once

#include "core/backoff.hpp"
#include "core/slack/web_api.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}

namespace ib::bot {

namespace detail {
struct web_client_state;  // pool, timers and settings; defined in web_client.cpp
}

struct call_options {
    // false for methods whose effect must not happen twice (chat.postMessage: "a post is never
    // made twice"): such a call is only retried when Slack certainly did not process it.
    bool idempotent = true;
    int max_attempts = 4;                        // requests sent at most (1 = no retry)
    std::chrono::milliseconds timeout{10000};    // per phase: connect, TLS handshake, request+response
    std::chrono::seconds max_retry_wait{120};    // a 429 asking for a longer wait is returned, not waited out
    bool return_rate_limits = false;             // every 429 is returned at once: the caller waits (and
                                                 // can stop waiting), e.g. the backfill flow's `wait`
    backoff_policy backoff{};                    // delays between retries of 5xx / transport failures
};

struct call_result {
    slack::api_response response;  // the last response (ok:false, error = `error` on transport failure)
    // Usually response.outcome. Transport failures are `retryable`, except a refused TLS
    // certificate (`failed`). A non-idempotent call that may have been processed (request sent,
    // then a 5xx, transient error or lost connection) is `failed`: retrying could repeat it.
    slack::api_outcome outcome = slack::api_outcome::failed;
    std::string error;  // Slack error code or a transport description; never contains a token
    int attempts = 0;   // tries made (connect + request), including the last one
};

// One client per API endpoint. Single-threaded: use it from coroutines on one io_context (any
// number of them at once; each call gets a connection of its own from a pool of up to 4).
// Destroying the client closes it; calls still in flight then finish with an error.
class web_client {
public:
    using log_sink = std::function<void(std::string_view)>;

    // api_url like "https://slack.com/api/" or "http://127.0.0.1:PORT/api/" (https: TLS with
    // SNI, peer verification and a host-name check against `tls`; http: plain TCP, for tests).
    // Throws std::invalid_argument for a URL it cannot use (other scheme, no host, bad port) or
    // an https URL without a TLS context.
    web_client(boost::asio::any_io_executor ex, std::string api_url, std::shared_ptr<boost::asio::ssl::context> tls);
    ~web_client();
    web_client(const web_client&) = delete;
    web_client& operator=(const web_client&) = delete;

    // POST <api_url><method> with `args` as the JSON body, `Authorization: Bearer <token>` and
    // `Content-Type: application/json; charset=utf-8`. Retries per the policy in web_client.cpp
    // (429 after Retry-After; 5xx, transient Slack errors and transport failures with backoff,
    // restricted for non-idempotent calls). Never throws for network or Slack errors: they come
    // back in call_result (outcome retryable for transport failures).
    boost::asio::awaitable<call_result> call(std::string method, nlohmann::json args, std::string token,
                                             call_options opts = {});

    // One-line notices (retries, dropped connections) go here; none when unset. The lines never
    // contain a token. Set it before the first call.
    void on_log(log_sink sink);

    // Cancels in-flight calls and retry waits, and closes every connection (used at shutdown).
    // Later calls fail at once with "client closed".
    void close();

private:
    std::shared_ptr<detail::web_client_state> impl_;  // shared with running calls: a destroyed client
                                                      // cannot leave them dangling
};

}  // namespace ib::bot
