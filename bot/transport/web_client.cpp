#include "bot/transport/web_client.hpp"

#include "bot/ops/metrics.hpp"
#include "bot/use_tuple.hpp"
#include "core/url.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <sys/socket.h>  // recv(MSG_PEEK): is an idle keep-alive connection still open?

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <deque>
#include <optional>
#include <random>
#include <stdexcept>
#include <unordered_set>
#include <utility>
#include <vector>

// ---- Retry policy ------------------------------------------------------------------------
//
// Every call makes at most opts.max_attempts requests. After each one:
//  - ok, auth_fatal, failed: returned at once. Retrying a bad token or a bad request cannot help.
//  - rate_limited (HTTP 429, or error "ratelimited"): Slack refused the request without acting
//    on it, so it is retried for every method, idempotent or not, after Retry-After seconds
//    (30 s when the header is missing). When Retry-After exceeds opts.max_retry_wait the result
//    is returned at once instead: retrying any earlier would only be refused again.
//  - retryable (HTTP 5xx, internal_error and the other transient Slack errors): retried with
//    capped, jittered exponential backoff (opts.backoff) - for idempotent calls only.
//  - transport failure (resolve, connect, TLS handshake, timeout, connection lost): retried with
//    the same backoff, subject to the rule below. A TLS certificate verification failure is
//    not transient and is returned at once (outcome failed).
//
// Non-idempotent calls (opts.idempotent == false, e.g. chat.postMessage) must never take
// effect twice, so they are retried only when Slack certainly did not process the request:
// after a 429 / ratelimited, after a failure to resolve, connect or handshake, or after a
// failure while the request was still being written (the server then holds an incomplete
// request, which it cannot act on). Once the request is fully written, anything but a
// complete response (a 5xx, a timeout, a connection that closes before or during the
// response) may hide a processed request: the call ends there, with outcome `failed` so that
// a caller who retries on `retryable` does not post twice. The error says it may have been
// processed.
//
// The classic ambiguous case is a keep-alive connection that the server closed while it sat
// idle: the request is written into a dead socket and the read fails with no response byte.
// To keep that rare, an idle connection is probed before reuse (a pending FIN or stray bytes
// mean it is gone), connections idle longer than max_idle are dropped, and non-idempotent
// calls reuse only a connection that was busy within the last unsafe_reuse_window; otherwise
// they open a fresh one. For idempotent calls the case is harmless: they retry at once on a
// fresh connection, without a backoff delay.

namespace ib::bot {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

constexpr std::size_t max_connections = 4;                // open connections per client
constexpr std::uint64_t max_response_body = 8u << 20u;    // 8 MiB; Slack's largest replies are far smaller
constexpr std::uint32_t max_response_header = 64u << 10u; // generous: Slack sends many headers
constexpr auto max_idle = std::chrono::seconds{30};        // older idle connections are dropped
constexpr auto unsafe_reuse_window = std::chrono::seconds{2};  // non-idempotent calls: see above

// The parts of api_url the client needs.
struct endpoint {
    bool use_tls = false;
    std::string host;         // name or address, IPv6 without brackets
    std::string port;         // "443", "80" or as given
    std::string host_header;  // Host: value (port only when not the scheme's default)
    std::string base_path;    // "/api/", always ending in '/'
};

endpoint parse_api_url(std::string_view url) {
    const auto bad = [&](std::string_view why) {
        return std::invalid_argument("web_client: unusable api_url \"" + std::string(url) + "\": " + std::string(why));
    };
    const auto u = parse_url(url);
    if (!u) throw bad("not an http(s) URL with a host and a valid port");
    if (u->scheme != "http" && u->scheme != "https") throw bad("scheme must be http or https");
    if (url.find_first_of("?#") != std::string_view::npos) throw bad("query or fragment not allowed");
    endpoint ep;
    ep.use_tls = u->tls();
    ep.host = u->host;
    ep.port = u->port;
    ep.host_header = u->host_header();
    ep.base_path = u->target;
    if (ep.base_path.back() != '/') ep.base_path += '/';
    return ep;
}

// Slack method names are dotted identifiers ("chat.postMessage"); anything else could smuggle
// a different path or query into the request target.
bool valid_method(std::string_view m) {
    return !m.empty() && std::all_of(m.begin(), m.end(), [](unsigned char ch) {
        return std::isalnum(ch) != 0 || ch == '.' || ch == '_';
    });
}

// A token with control characters would split the Authorization header.
bool valid_token(std::string_view t) {
    return std::all_of(t.begin(), t.end(), [](unsigned char ch) { return ch > 0x20 && ch < 0x7f; });
}

// Retry-After as delta-seconds; Slack does not send the HTTP-date form.
std::optional<int> parse_retry_after(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    int seconds = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || seconds < 0) return std::nullopt;
    return seconds;
}

// Belt and braces: nothing this file builds contains the token, but an error text can echo
// what a server sent.
std::string redact(std::string s, std::string_view token) {
    if (token.empty()) return s;
    for (auto pos = s.find(token); pos != std::string::npos; pos = s.find(token, pos))
        s.replace(pos, token.size(), "<redacted>");
    return s;
}

std::string format_delay(milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
    if (d < milliseconds{1000}) return std::to_string(d.count()) + "ms";
    const auto tenths = (d.count() + 50) / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
}

std::string describe(const beast::error_code& ec, milliseconds timeout) {
    if (ec == beast::error::timeout) return "timed out after " + format_delay(timeout);
    if (ec == net::error::operation_aborted) return "cancelled";
    return ec.message();
}

// "certificate verify failed (self-signed certificate in certificate chain)": OpenSSL's reason
// for the failed handshake plus, when the peer's certificate was refused, the verify result.
std::string describe_tls_failure(const beast::error_code& ec, SSL* ssl, milliseconds timeout) {
    std::string what;
    if (ec.category() == net::error::get_ssl_category()) {
        const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
        what = reason != nullptr ? reason : ec.message();
    } else {
        what = describe(ec, timeout);
    }
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) what += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
    return what;
}

// ---- connections -------------------------------------------------------------------------

// One HTTP/1.1 connection: plain or TLS, with the read buffer that must stay with it.
struct connection {
    connection(std::unordered_set<connection*>& registry, const net::any_io_executor& ex, ssl::context* tls_ctx)
        : registry_(registry) {
        if (tls_ctx != nullptr)
            tls.emplace(ex, *tls_ctx);
        else
            plain.emplace(ex);
        registry_.insert(this);
    }
    ~connection() { registry_.erase(this); }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    steady_clock::time_point idle_since{};

private:
    std::unordered_set<connection*>& registry_;  // impl::open: every live connection, for close()
};

// True when an idle connection can still carry a request: the peer has sent nothing since
// the last response. A FIN (recv returns 0) or unexpected bytes (a TLS close_notify, junk)
// mean the server has given up on it. Does not block and consumes nothing.
bool idle_connection_usable(connection& c) {
    auto& socket = c.lowest().socket();
    if (!socket.is_open() || c.buffer.size() != 0) return false;
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// What one request/response exchange came to.
struct exchange_result {
    bool complete = false;  // a whole response was read
    int status = 0;
    std::string body;
    std::optional<int> retry_after;
    bool keep_alive = false;         // the connection may carry another request
    std::string error;               // transport failure description
    bool request_written = false;    // the whole request reached the socket: Slack may act on it
    bool response_started = false;   // at least one response byte arrived
    bool reused = false;             // ran on a pooled keep-alive connection
    bool verify_failed = false;      // TLS peer verification refused the server
};

}  // namespace

// ---- shared state ------------------------------------------------------------------------

struct detail::web_client_state {
    web_client_state(net::any_io_executor executor, endpoint e, std::shared_ptr<ssl::context> ctx)
        : ex(std::move(executor)), ep(std::move(e)), tls(std::move(ctx)), rng(std::random_device{}()) {}

    net::any_io_executor ex;
    endpoint ep;
    std::shared_ptr<ssl::context> tls;
    web_client::log_sink log;
    bool closed = false;
    std::minstd_rand rng;  // backoff jitter only

    std::unordered_set<connection*> open;             // declared before `idle`: outlives it
    std::vector<std::unique_ptr<connection>> idle;    // keep-alive pool, least recently used first
    std::size_t in_use = 0;                           // connection slots taken by running exchanges
    std::deque<net::steady_timer*> slot_waiters;      // exchanges waiting for a slot, FIFO
    std::unordered_set<net::steady_timer*> sleepers;  // retry waits, cancelled by close()

    void note(const std::string& line) const {
        if (log) log(line);
    }

    double random01() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

    void release_slot() {
        --in_use;
        // Wake the longest waiter; it re-checks for a free slot.
        if (!slot_waiters.empty()) {
            slot_waiters.front()->cancel();
            slot_waiters.pop_front();
        }
    }

    // The most recently used idle connection that may carry this request, or null.
    std::unique_ptr<connection> take_idle(bool idempotent) {
        const auto now = steady_clock::now();
        while (!idle.empty()) {
            const auto age = now - idle.back()->idle_since;
            // Too old for a request that must not be sent twice: open a fresh connection and
            // leave this one to idempotent calls.
            if (!idempotent && age > unsafe_reuse_window) return nullptr;
            std::unique_ptr<connection> c = std::move(idle.back());
            idle.pop_back();
            if (age <= max_idle && idle_connection_usable(*c)) return c;
            // Otherwise `c` is destroyed here, closing the socket.
        }
        return nullptr;
    }

    // Called before opening a connection: keeps open connections (in use + idle) within
    // max_connections by closing the stalest idle ones.
    void make_room() {
        while (!idle.empty() && in_use + idle.size() > max_connections) idle.erase(idle.begin());
    }

    void return_idle(std::unique_ptr<connection> c) {
        if (closed) return;
        c->lowest().expires_never();
        c->idle_since = steady_clock::now();
        if (idle.size() >= max_connections) idle.erase(idle.begin());  // drop the stalest
        idle.push_back(std::move(c));
    }

    void close_all() {
        closed = true;
        // Closing a tcp_stream cancels its pending operations: their coroutines resume with
        // operation_aborted and finish their calls.
        for (connection* c : open) c->lowest().close();
        idle.clear();
        for (net::steady_timer* t : slot_waiters) t->cancel();
        slot_waiters.clear();
        for (net::steady_timer* t : sleepers) t->cancel();
    }
};

namespace {

using impl_t = detail::web_client_state;

// Holds one of the client's connection slots, and the connection in it, for one exchange.
// On destruction a connection that can carry another request goes back to the pool.
class lease {
public:
    explicit lease(impl_t& self) : self_(self) {}
    ~lease() {
        if (conn && reusable) self_.return_idle(std::move(conn));
        conn.reset();
        self_.release_slot();
    }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;

    std::unique_ptr<connection> conn;
    bool reusable = false;

private:
    impl_t& self_;
};

// Removes a timer from a wait list when the waiting coroutine leaves (or is destroyed).
template <class Container>
struct wait_registration {
    wait_registration(Container& c, net::steady_timer* t) : list(c), timer(t) {}
    ~wait_registration() {
        if constexpr (requires { list.erase(timer); })
            list.erase(timer);
        else
            std::erase(list, timer);
    }
    wait_registration(const wait_registration&) = delete;
    wait_registration& operator=(const wait_registration&) = delete;
    Container& list;
    net::steady_timer* timer;
};

// Waits for one of the max_connections slots. False when the client was closed meanwhile.
net::awaitable<bool> acquire_slot(impl_t& self) {
    for (;;) {
        if (self.closed) co_return false;
        if (self.in_use < max_connections) {
            ++self.in_use;
            co_return true;
        }
        // All slots busy: sleep until release_slot() (or close()) cancels this timer.
        net::steady_timer wake(self.ex, net::steady_timer::time_point::max());
        self.slot_waiters.push_back(&wake);
        wait_registration registration(self.slot_waiters, &wake);
        co_await wake.async_wait(use_tuple);
    }
}

// Sleeps before a retry. False when close() cut the wait short.
net::awaitable<bool> sleep_for(impl_t& self, milliseconds delay) {
    net::steady_timer timer(self.ex);
    timer.expires_after(delay);
    self.sleepers.insert(&timer);
    wait_registration registration(self.sleepers, &timer);
    co_await timer.async_wait(use_tuple);
    co_return !self.closed;
}

// Resolves, connects and (for https) performs the TLS handshake. Null with r.error set on
// failure; nothing has been sent then, so the failure is always safe to retry.
net::awaitable<std::unique_ptr<connection>> open_connection(impl_t& self, milliseconds timeout, exchange_result& r) {
    const endpoint& ep = self.ep;
    const std::string where = ep.host + ":" + ep.port;

    // Resolve the host name (an address literal resolves at once). getaddrinfo applies its own
    // timeouts (resolv.conf) and cannot be interrupted, so no deadline here.
    tcp::resolver resolver(self.ex);
    auto [resolve_ec, addresses] = co_await resolver.async_resolve(ep.host, ep.port, use_tuple);
    if (self.closed) {
        r.error = "client closed";
        co_return nullptr;
    }
    if (resolve_ec) {
        r.error = "resolving " + ep.host + " failed: " + describe(resolve_ec, timeout);
        co_return nullptr;
    }

    auto c = std::make_unique<connection>(self.open, self.ex, self.tls.get());

    // Connect to the first address that accepts, within the deadline.
    c->lowest().expires_after(timeout);
    auto [connect_ec, peer] = co_await c->lowest().async_connect(addresses, use_tuple);
    if (connect_ec) {
        r.error = "connecting to " + where + " failed: " + describe(connect_ec, timeout);
        co_return nullptr;
    }
    // Requests are small and latency matters more than packet count.
    c->lowest().socket().set_option(tcp::no_delay(true));

    if (c->tls) {
        SSL* ssl_handle = c->tls->native_handle();
        beast::error_code not_an_address;
        net::ip::make_address(ep.host, not_an_address);
        if (not_an_address) {
            // SNI: servers that host many names (Slack's edge among them) pick the certificate
            // by it. Address literals are never sent as SNI (RFC 6066 §3).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"  // the OpenSSL macro casts to void*
            const long sni_set = SSL_set_tlsext_host_name(ssl_handle, ep.host.c_str());
#pragma GCC diagnostic pop
            if (sni_set != 1) {
                r.error = "TLS setup for " + where + " failed: cannot set SNI";
                co_return nullptr;
            }
            // Let OpenSSL check the name as well: a mismatch is then reported as
            // "hostname mismatch" rather than an unspecified verification error.
            SSL_set1_host(ssl_handle, ep.host.c_str());
        } else {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), ep.host.c_str());
        }
        // The certificate must name the host we meant to reach, not just chain to a trusted root.
        c->tls->set_verify_callback(ssl::host_name_verification(ep.host));

        // The TLS handshake, with a deadline of its own.
        c->lowest().expires_after(timeout);
        auto [handshake_ec] = co_await c->tls->async_handshake(ssl::stream_base::client, use_tuple);
        if (handshake_ec) {
            r.verify_failed = SSL_get_verify_result(ssl_handle) != X509_V_OK;
            r.error = "TLS handshake with " + where + " failed: " + describe_tls_failure(handshake_ec, ssl_handle, timeout);
            co_return nullptr;
        }
    }
    c->lowest().expires_never();
    co_return c;
}

// Writes the request and reads the response on one stream (plain or TLS).
template <class Stream>
net::awaitable<void> exchange_on(Stream& stream, connection& c, const http::request<http::string_body>& req,
                                 milliseconds timeout, exchange_result& r) {
    // One deadline covers writing the request and reading the whole response.
    c.lowest().expires_after(timeout);

    // Send the request. If this fails the server holds at most part of it and cannot act on it.
    auto [write_ec, written] = co_await http::async_write(stream, req, use_tuple);
    if (write_ec) {
        r.error = "sending the request failed: " + describe(write_ec, timeout);
        co_return;
    }
    r.request_written = true;

    // Read the response; its body is bounded so a broken peer cannot exhaust memory.
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_response_body);
    parser.header_limit(max_response_header);
    auto [read_ec, read] = co_await http::async_read(stream, c.buffer, parser, use_tuple);
    r.response_started = parser.got_some() || c.buffer.size() != 0;
    if (read_ec) {
        if (read_ec == http::error::end_of_stream)
            r.error = "connection closed before any response";
        else if (read_ec == http::error::partial_message)
            r.error = "connection closed during the response";
        else if (read_ec == http::error::body_limit)
            r.error = "response body over " + std::to_string(max_response_body >> 20u) + " MiB";
        else
            r.error = "reading the response failed: " + describe(read_ec, timeout);
        co_return;
    }

    auto& res = parser.get();
    r.complete = true;
    r.status = static_cast<int>(res.result_int());
    r.retry_after = parse_retry_after(res[http::field::retry_after]);
    // Reusable only if both sides agree and no stray bytes follow the response.
    r.keep_alive = res.keep_alive() && c.buffer.size() == 0;
    r.body = std::move(res.body());
}

// One request on a pooled or new connection.
net::awaitable<exchange_result> exchange(impl_t& self, const http::request<http::string_body>& req, bool idempotent,
                                         milliseconds timeout) {
    exchange_result r;
    // Wait for a connection slot, so no more than max_connections are open at once.
    const bool have_slot = co_await acquire_slot(self);
    if (!have_slot) {
        r.error = "client closed";
        co_return r;
    }
    lease held(self);

    // Prefer a live keep-alive connection; otherwise open one.
    held.conn = self.take_idle(idempotent);
    r.reused = held.conn != nullptr;
    if (!held.conn) {
        self.make_room();
        held.conn = co_await open_connection(self, timeout, r);
        if (!held.conn) co_return r;
    }

    connection& c = *held.conn;
    if (c.tls)
        co_await exchange_on(*c.tls, c, req, timeout, r);
    else
        co_await exchange_on(*c.plain, c, req, timeout, r);
    if (self.closed && !r.complete) r.error = "client closed";
    // A connection that failed mid-exchange is in an unknown state: the lease closes it.
    held.reusable = r.complete && r.keep_alive;
    co_return r;
}

call_result transport_failure(std::string error, slack::api_outcome outcome, int attempts) {
    call_result out;
    out.response.ok = false;
    out.response.error = error;
    out.response.outcome = outcome;
    out.outcome = outcome;
    out.error = std::move(error);
    out.attempts = attempts;
    return out;
}

// The call itself: request, classify, maybe wait and retry (see the policy at the top).
// Holds the impl by shared_ptr so a client destroyed mid-call cannot leave it dangling.
net::awaitable<call_result> run_call(std::shared_ptr<impl_t> self, std::string method, nlohmann::json args,
                                     std::string token, call_options opts) {
    using slack::api_outcome;
    if (!valid_method(method)) co_return transport_failure("invalid method name", api_outcome::failed, 0);
    if (!valid_token(token)) co_return transport_failure("token contains invalid characters", api_outcome::failed, 0);
    const int max_attempts = std::max(1, opts.max_attempts);

    // The request is the same for every attempt.
    http::request<http::string_body> req{http::verb::post, self->ep.base_path + method, 11};
    req.set(http::field::host, self->ep.host_header);
    req.set(http::field::user_agent, "incident-bot");
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.set(http::field::accept, "application/json");
    req.keep_alive(true);
    // Replace invalid UTF-8 rather than throw: a malformed character must not lose the message.
    req.body() = args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    req.prepare_payload();

    call_result out;
    for (int attempt = 1;; ++attempt) {
        if (self->closed) co_return transport_failure("client closed", api_outcome::retryable, attempt - 1);

        exchange_result r = co_await exchange(*self, req, opts.idempotent, opts.timeout);

        milliseconds delay{0};
        std::string reason;  // for the retry notice
        // Every request is counted, retries included (metric web_api_requests_total): outcome is
        // Slack's classification of the answer, or transport_error without a complete one.
        if (!r.complete) {
            // Transport failure.
            ops::metrics::get().count_web_api_request(method, "transport_error");
            out = transport_failure(redact(r.error, token), api_outcome::retryable, attempt);
            if (self->closed) co_return out;
            if (r.verify_failed) {
                // A refused certificate will not be accepted on the next try either.
                out.outcome = out.response.outcome = api_outcome::failed;
                co_return out;
            }
            if (r.request_written && !opts.idempotent) {
                out.outcome = api_outcome::failed;
                out.error += " (the request may have been processed; not retried)";
                self->note(method + ": " + out.error);
                co_return out;
            }
            if (attempt >= max_attempts) co_return out;
            // A keep-alive connection that died before answering was most likely closed by
            // the server while idle: retry at once on a fresh one.
            const bool stale = r.reused && !r.response_started;
            delay = stale ? milliseconds{0} : next_delay(attempt, self->random01(), opts.backoff);
            reason = out.error;
        } else {
            out.response = slack::parse_api_response(r.status, r.body, r.retry_after);
            ops::metrics::get().count_web_api_request(method, slack::to_string(out.response.outcome));
            out.outcome = out.response.outcome;
            out.error = redact(out.response.error, token);
            out.attempts = attempt;
            const std::string status_text =
                r.status == 200 ? out.response.error : "HTTP " + std::to_string(r.status);

            switch (out.outcome) {
            case api_outcome::ok:
            case api_outcome::auth_fatal:
            case api_outcome::failed:
                co_return out;
            case api_outcome::rate_limited:
                // Not processed by Slack, so safe to repeat for any method - but only after the
                // wait it asked for (the caller's, when it paces itself).
                if (opts.return_rate_limits) co_return out;
                if (out.response.retry_after > opts.max_retry_wait) {
                    self->note(method + ": " + status_text + ", Retry-After " +
                               std::to_string(out.response.retry_after.count()) + "s is over the " +
                               std::to_string(opts.max_retry_wait.count()) + "s limit, giving up");
                    co_return out;
                }
                if (attempt >= max_attempts) co_return out;
                delay = out.response.retry_after;
                reason = status_text;
                break;
            case api_outcome::retryable:
                if (!opts.idempotent) {
                    // A 5xx or internal_error after a complete request: Slack may have acted.
                    out.outcome = api_outcome::failed;
                    self->note(method + ": " + status_text +
                               "; the request may have been processed, not retried");
                    co_return out;
                }
                if (attempt >= max_attempts) co_return out;
                delay = next_delay(attempt, self->random01(), opts.backoff);
                reason = status_text;
                break;
            }
        }

        self->note(redact(method + ": " + reason + ", retrying in " + format_delay(delay) + " (attempt " +
                              std::to_string(attempt + 1) + "/" + std::to_string(max_attempts) + ")",
                          token));
        const bool still_open = co_await sleep_for(*self, delay);
        if (!still_open) co_return transport_failure("client closed", api_outcome::retryable, attempt);
    }
}

}  // namespace

// ---- web_client --------------------------------------------------------------------------

web_client::web_client(net::any_io_executor ex, std::string api_url, std::shared_ptr<ssl::context> tls) {
    endpoint ep = parse_api_url(api_url);
    if (ep.use_tls && !tls) throw std::invalid_argument("web_client: an https api_url needs a TLS context");
    if (!ep.use_tls) tls.reset();
    impl_ = std::make_shared<detail::web_client_state>(std::move(ex), std::move(ep), std::move(tls));
}

web_client::~web_client() { impl_->close_all(); }

net::awaitable<call_result> web_client::call(std::string method, nlohmann::json args, std::string token,
                                             call_options opts) {
    // Not a coroutine itself: the coroutine gets its own reference to the shared state.
    return run_call(impl_, std::move(method), std::move(args), std::move(token), opts);
}

void web_client::on_log(log_sink sink) { impl_->log = std::move(sink); }

void web_client::close() { impl_->close_all(); }

}  // namespace ib::bot
