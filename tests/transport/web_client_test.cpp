// web_client against a scripted local HTTP(S) server on the same io_context: request shape,
// keep-alive reuse, the retry policy (429, 5xx, dropped connections, idempotent or not),
// TLS verification with the test CA, token hygiene and concurrent calls.
#include "bot/transport/tls.hpp"
#include "bot/transport/web_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <exception>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using std::chrono::milliseconds;
using ib::bot::call_options;
using ib::bot::call_result;
using ib::bot::web_client;
using ib::slack::api_outcome;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
const std::string token = "xoxb-1234-5678-SECRETtokenVALUE";

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::string fixture(const std::string& name) { return read_text(std::string(IB_SHARED_DIR) + "/slack-fixtures/" + name); }
std::string cert(const std::string& name) { return std::string(IB_CERTS_DIR) + "/" + name; }

// ---- scripted server ---------------------------------------------------------------------

// What the server does with one request.
struct reply {
    unsigned status = 200;
    std::string body = R"({"ok":true})";
    std::vector<std::pair<std::string, std::string>> headers{};
    bool drop = false;         // read the request, then close without answering
    bool close_after = false;  // answer, then close (without a Connection: close header)
    milliseconds delay{0};     // wait this long before answering
};

struct seen_request {
    std::string verb, target, host, authorization, content_type, body;
};

struct fake_slack {
    // tls_ctx null: plain HTTP.
    fake_slack(net::io_context& ioc, std::shared_ptr<ssl::context> tls_ctx = nullptr)
        : acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)),
          tls(std::move(tls_ctx)),
          port_(acceptor.local_endpoint().port()) {}

    unsigned short port() const { return port_; }  // still known after stop()
    std::string url(const std::string& host = "127.0.0.1") const {
        return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(port()) + "/api/";
    }
    reply next_reply() {
        if (script.empty()) return fallback;
        reply r = std::move(script.front());
        script.pop_front();
        return r;
    }
    // Ends the accept loop and every session, so io_context::run can return.
    void stop() {
        acceptor.close();
        for (beast::tcp_stream* s : sessions) s->close();
        for (net::steady_timer* t : timers) t->cancel();
    }

    tcp::acceptor acceptor;
    std::shared_ptr<ssl::context> tls;
    std::deque<reply> script;  // replies in order; then `fallback`
    reply fallback;
    std::vector<seen_request> requests;
    int accepts = 0;
    int failed_handshakes = 0;
    std::string last_sni;
    std::unordered_set<beast::tcp_stream*> sessions;
    std::unordered_set<net::steady_timer*> timers;

private:
    unsigned short port_;
};

std::shared_ptr<ssl::context> server_tls(const std::string& name) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->use_certificate_chain_file(cert(name + ".pem"));
    ctx->use_private_key_file(cert(name + ".key"), ssl::context::pem);
    return ctx;
}

template <class T>
struct registered {
    registered(std::unordered_set<T*>& s, T* p) : set(s), ptr(p) { set.insert(ptr); }
    ~registered() { set.erase(ptr); }
    registered(const registered&) = delete;
    registered& operator=(const registered&) = delete;
    std::unordered_set<T*>& set;
    T* ptr;
};

template <class Stream>
net::awaitable<void> serve_requests(fake_slack* s, Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
        // Read the next request on this connection; the client closing it ends the session.
        http::request<http::string_body> req;
        auto [read_ec, n] = co_await http::async_read(stream, buffer, req, use_tuple);
        if (read_ec) co_return;
        s->requests.push_back({std::string(req.method_string()), std::string(req.target()),
                               std::string(req[http::field::host]), std::string(req[http::field::authorization]),
                               std::string(req[http::field::content_type]), req.body()});

        const reply r = s->next_reply();
        if (r.delay.count() > 0) {
            net::steady_timer timer(stream.get_executor(), r.delay);
            registered<net::steady_timer> reg(s->timers, &timer);
            co_await timer.async_wait(use_tuple);
        }
        if (r.drop) co_return;  // the socket closes with the stream: the request got no answer

        http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
        res.set(http::field::content_type, "application/json; charset=utf-8");
        for (const auto& [name, value] : r.headers) res.set(name, value);
        res.keep_alive(req.keep_alive());
        res.body() = r.body;
        res.prepare_payload();
        auto [write_ec, written] = co_await http::async_write(stream, res, use_tuple);
        if (write_ec || r.close_after || !res.keep_alive()) co_return;
    }
}

net::awaitable<void> serve(fake_slack* s, tcp::socket socket) {
    if (s->tls) {
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *s->tls);
        registered<beast::tcp_stream> reg(s->sessions, &beast::get_lowest_layer(stream));
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
        if (ec) {
            ++s->failed_handshakes;
            co_return;
        }
        const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        s->last_sni = sni != nullptr ? sni : "";
        co_await serve_requests(s, stream);
    } else {
        beast::tcp_stream stream(std::move(socket));
        registered<beast::tcp_stream> reg(s->sessions, &stream);
        co_await serve_requests(s, stream);
    }
}

void rethrow(std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
}

net::awaitable<void> accept_loop(fake_slack* s) {
    for (;;) {
        auto [ec, socket] = co_await s->acceptor.async_accept(use_tuple);
        if (ec) co_return;
        ++s->accepts;
        auto session = serve(s, std::move(socket));
        net::co_spawn(s->acceptor.get_executor(), std::move(session), rethrow);
    }
}

// ---- client-side coroutines (named functions with by-value parameters, no capturing lambdas) --

struct call_spec {
    std::string method = "chat.postMessage";
    json args = {{"channel", "C123ABC456"}, {"text", "hello"}};
    call_options opts{};
    milliseconds pause_before{0};
};

call_options fast_retries(bool idempotent = true) {
    call_options o;
    o.idempotent = idempotent;
    o.backoff.base = milliseconds{10};
    o.backoff.cap = milliseconds{50};
    return o;
}

net::awaitable<void> pause(milliseconds d) {
    net::steady_timer timer(co_await net::this_coro::executor, d);
    co_await timer.async_wait(use_tuple);
}

// Runs the calls one after the other, appending each result to *out.
net::awaitable<void> call_sequence(web_client* client, std::vector<call_spec> specs, std::vector<call_result>* out) {
    for (auto& spec : specs) {
        if (spec.pause_before.count() > 0) co_await pause(spec.pause_before);
        auto op = client->call(spec.method, spec.args, token, spec.opts);
        call_result r = co_await std::move(op);
        out->push_back(std::move(r));
    }
}

net::awaitable<void> close_later(web_client* client, milliseconds after) {
    co_await pause(after);
    client->close();
}

// Spawns the server and the client-side coroutines; stops the server once they all finished.
void run(net::io_context& ioc, fake_slack& srv, std::vector<net::awaitable<void>> client_side) {
    net::co_spawn(ioc, accept_loop(&srv), rethrow);
    std::size_t remaining = client_side.size();
    std::exception_ptr failure;
    for (auto& a : client_side) {
        net::co_spawn(ioc, std::move(a), [&](std::exception_ptr e) {
            if (e && !failure) failure = e;
            if (--remaining == 0) srv.stop();
        });
    }
    ioc.run_for(std::chrono::seconds{30});
    REQUIRE_MESSAGE(remaining == 0, "client coroutines did not finish");
    if (failure) std::rethrow_exception(failure);
}

// One run of `specs` in sequence against `srv`, with the log lines collected.
struct session_result {
    std::vector<call_result> results;
    std::vector<std::string> log;
};
session_result run_sequence(net::io_context& ioc, fake_slack& srv, std::vector<call_spec> specs,
                            std::shared_ptr<ssl::context> client_tls = nullptr, const std::string& host = "127.0.0.1") {
    session_result out;
    web_client client(ioc.get_executor(), srv.url(host), std::move(client_tls));
    client.on_log([&out](std::string_view line) { out.log.emplace_back(line); });
    std::vector<net::awaitable<void>> side;
    side.push_back(call_sequence(&client, std::move(specs), &out.results));
    run(ioc, srv, std::move(side));
    // Token hygiene holds for every call in every test.
    for (const auto& r : out.results) CHECK(r.error.find(token) == std::string::npos);
    for (const auto& line : out.log) CHECK(line.find(token) == std::string::npos);
    return out;
}

// The client's trust store: only the test CA. OpenSSL reads these when the context is made.
std::shared_ptr<ssl::context> trusting_test_ca() {
    ::setenv("SSL_CERT_FILE", cert("ca.pem").c_str(), 1);
    ::setenv("SSL_CERT_DIR", IB_CERTS_DIR "/no-such-dir", 1);
    return ib::bot::make_client_tls_context();
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

// ---- tests -------------------------------------------------------------------------------

TEST_SUITE("transport") {

TEST_CASE("a call POSTs JSON to <api_url><method> with the bearer token and returns the parsed body") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.fallback.body = fixture("web-api-chat.postMessage-ok.json");

    call_spec spec;
    spec.args = {{"channel", "C123ABC456"}, {"text", "Incident declared: db \"primary\" ✓"}};
    const auto out = run_sequence(ioc, srv, {spec});

    REQUIRE(out.results.size() == 1);
    const call_result& r = out.results[0];
    CHECK(r.outcome == api_outcome::ok);
    CHECK(r.response.ok);
    CHECK(r.error.empty());
    CHECK(r.attempts == 1);
    CHECK(r.response.body.at("ts") == "1503435956.000247");

    REQUIRE(srv.requests.size() == 1);
    const seen_request& req = srv.requests[0];
    CHECK(req.verb == "POST");
    CHECK(req.target == "/api/chat.postMessage");
    CHECK(req.host == "127.0.0.1:" + std::to_string(srv.port()));
    CHECK(req.authorization == "Bearer " + token);
    CHECK(req.content_type == "application/json; charset=utf-8");
    CHECK(json::parse(req.body) == spec.args);
    CHECK(out.log.empty());
}

TEST_CASE("keep-alive: consecutive calls share one connection") {
    net::io_context ioc;
    fake_slack srv(ioc);
    const auto out = run_sequence(ioc, srv, {call_spec{}, call_spec{.method = "auth.test", .args = json::object()}});
    REQUIRE(out.results.size() == 2);
    CHECK(out.results[0].outcome == api_outcome::ok);
    CHECK(out.results[1].outcome == api_outcome::ok);
    CHECK(srv.requests.size() == 2);
    CHECK(srv.requests[1].target == "/api/auth.test");
    CHECK(srv.accepts == 1);
}

TEST_CASE("HTTP 429 waits Retry-After, then retries (even a non-idempotent call)") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.script.push_back({.status = 429, .body = fixture("web-api-error-ratelimited-429-body.json"),
                          .headers = {{"Retry-After", "1"}}});

    const auto start = std::chrono::steady_clock::now();
    const auto out = run_sequence(ioc, srv, {call_spec{.opts = call_options{.idempotent = false}}});
    const auto elapsed = std::chrono::steady_clock::now() - start;

    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].outcome == api_outcome::ok);
    CHECK(out.results[0].attempts == 2);
    CHECK(srv.requests.size() == 2);
    CHECK(elapsed >= milliseconds{950});
    CHECK(elapsed < milliseconds{3000});
    REQUIRE(out.log.size() == 1);
    CHECK(out.log[0] == "chat.postMessage: HTTP 429, retrying in 1s (attempt 2/4)");
}

TEST_CASE("a Retry-After beyond max_retry_wait is returned at once") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.script.push_back({.status = 429, .body = R"({"ok":false,"error":"ratelimited"})", .headers = {{"Retry-After", "300"}}});
    const auto out = run_sequence(ioc, srv, {call_spec{}});
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].outcome == api_outcome::rate_limited);
    CHECK(out.results[0].response.retry_after == std::chrono::seconds{300});
    CHECK(out.results[0].attempts == 1);
    CHECK(srv.requests.size() == 1);
}

TEST_CASE("5xx is retried with backoff for idempotent calls") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.script.push_back({.status = 500, .body = "<html>oops</html>"});
    srv.script.push_back({.status = 503, .body = R"({"ok":false,"error":"service_unavailable"})"});
    const auto out = run_sequence(ioc, srv, {call_spec{.method = "users.info", .opts = fast_retries()}});
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].outcome == api_outcome::ok);
    CHECK(out.results[0].attempts == 3);
    CHECK(srv.requests.size() == 3);
    REQUIRE(out.log.size() == 2);
    CHECK(out.log[0].starts_with("users.info: HTTP 500, retrying in "));
    CHECK(out.log[1].starts_with("users.info: HTTP 503, retrying in "));
    CHECK(contains(out.log[1], "(attempt 3/4)"));
}

TEST_CASE("retries stop after max_attempts") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.fallback = {.status = 200, .body = R"({"ok":false,"error":"internal_error"})"};
    auto opts = fast_retries();
    opts.max_attempts = 3;
    const auto out = run_sequence(ioc, srv, {call_spec{.opts = opts}});
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].outcome == api_outcome::retryable);
    CHECK(out.results[0].error == "internal_error");
    CHECK(out.results[0].attempts == 3);
    CHECK(srv.requests.size() == 3);
}

TEST_CASE("non-idempotent calls are not retried once the request may have been processed") {
    net::io_context ioc;
    fake_slack srv(ioc);

    SUBCASE("HTTP 500") {
        srv.script.push_back({.status = 500, .body = R"({"ok":false,"error":"internal_error"})"});
        const auto out = run_sequence(ioc, srv, {call_spec{.opts = fast_retries(false)}});
        REQUIRE(out.results.size() == 1);
        CHECK(out.results[0].outcome == api_outcome::failed);  // not `retryable`: a retry could post twice
        CHECK(out.results[0].response.outcome == api_outcome::retryable);
        CHECK(out.results[0].error == "internal_error");
        CHECK(out.results[0].attempts == 1);
        CHECK(srv.requests.size() == 1);
    }
    SUBCASE("connection dropped after the request was sent") {
        srv.script.push_back({.drop = true});
        const auto out = run_sequence(ioc, srv, {call_spec{.opts = fast_retries(false)}});
        REQUIRE(out.results.size() == 1);
        CHECK(out.results[0].outcome == api_outcome::failed);
        CHECK(contains(out.results[0].error, "connection closed before any response"));
        CHECK(contains(out.results[0].error, "may have been processed"));
        CHECK(out.results[0].attempts == 1);
        CHECK(srv.requests.size() == 1);
    }
}

TEST_CASE("idempotent calls retry a dropped connection") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.script.push_back({.drop = true});
    const auto out = run_sequence(ioc, srv, {call_spec{.opts = fast_retries()}});
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].outcome == api_outcome::ok);
    CHECK(out.results[0].attempts == 2);
    CHECK(srv.requests.size() == 2);
    CHECK(srv.accepts == 2);
}

TEST_CASE("a keep-alive connection the server closed is not used for the next call") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.script.push_back({.close_after = true});  // answer, then hang up silently
    const auto out = run_sequence(ioc, srv,
                                  {call_spec{}, call_spec{.opts = call_options{.idempotent = false},
                                                          .pause_before = milliseconds{100}}});
    REQUIRE(out.results.size() == 2);
    CHECK(out.results[1].outcome == api_outcome::ok);
    CHECK(out.results[1].attempts == 1);
    CHECK(srv.requests.size() == 2);
    CHECK(srv.accepts == 2);
}

TEST_CASE("non-idempotent calls reuse only a recently used connection") {
    net::io_context ioc;
    fake_slack srv(ioc);
    const call_options unsafe{.idempotent = false};
    const auto out = run_sequence(ioc, srv,
                                  {call_spec{.opts = unsafe},                                        // new connection
                                   call_spec{.opts = unsafe},                                        // reused at once
                                   call_spec{.opts = unsafe, .pause_before = milliseconds{2300}},    // idle too long: new
                                   call_spec{.opts = call_options{}}});                              // reuses the newest
    REQUIRE(out.results.size() == 4);
    for (const auto& r : out.results) CHECK(r.outcome == api_outcome::ok);
    CHECK(srv.requests.size() == 4);
    CHECK(srv.accepts == 2);
}

TEST_CASE("auth errors are returned at once") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.fallback.body = fixture("web-api-auth.test-error-invalid_auth.json");
    const auto out = run_sequence(ioc, srv, {call_spec{.method = "auth.test", .args = json::object()}});
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].outcome == api_outcome::auth_fatal);
    CHECK(out.results[0].error == "invalid_auth");
    CHECK(out.results[0].attempts == 1);
    CHECK(srv.requests.size() == 1);
    CHECK(out.log.empty());
}

TEST_CASE("method errors are returned at once with the parsed body") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.fallback.body = fixture("web-api-conversations.create-error-name_taken.json");
    const auto out = run_sequence(ioc, srv, {call_spec{.method = "conversations.create", .args = {{"name", "inc-1"}}}});
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].outcome == api_outcome::failed);
    CHECK(out.results[0].error == "name_taken");
    CHECK(out.results[0].attempts == 1);
}

TEST_CASE("the token never appears in errors or log lines") {
    net::io_context ioc;
    fake_slack srv(ioc);

    SUBCASE("a server that echoes the token back") {
        srv.script.push_back({.status = 500, .body = R"({"ok":false,"error":"bad )" + token + R"("})"});
        srv.fallback.body = R"({"ok":false,"error":"invalid_auth )" + token + R"("})";
        const auto out = run_sequence(ioc, srv, {call_spec{.opts = fast_retries()}});
        REQUIRE(out.results.size() == 1);
        CHECK(contains(out.results[0].error, "<redacted>"));
        CHECK(out.log.size() == 1);
        // run_sequence checked error and log lines for the token.
    }
    SUBCASE("connection refused, retried") {
        // A port nothing listens on: take a free one and close it again.
        tcp::acceptor probe(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        const auto port = probe.local_endpoint().port();
        probe.close();

        call_result r;
        std::vector<std::string> log;
        web_client client(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(port) + "/api/", nullptr);
        client.on_log([&log](std::string_view line) { log.emplace_back(line); });
        std::vector<call_result> results;
        auto opts = fast_retries(false);  // a failure to connect is safe to retry, even for a post
        opts.max_attempts = 2;
        std::vector<net::awaitable<void>> side;
        side.push_back(call_sequence(&client, {call_spec{.opts = opts}}, &results));
        run(ioc, srv, std::move(side));

        REQUIRE(results.size() == 1);
        CHECK(results[0].outcome == api_outcome::retryable);
        CHECK(results[0].attempts == 2);
        CHECK(results[0].error == "connecting to 127.0.0.1:" + std::to_string(port) + " failed: Connection refused");
        REQUIRE(log.size() == 1);
        CHECK(contains(log[0], "chat.postMessage: connecting to 127.0.0.1:"));
        CHECK(contains(log[0], "(attempt 2/2)"));
        CHECK(log[0].find(token) == std::string::npos);
        CHECK(results[0].error.find(token) == std::string::npos);
    }
}

TEST_CASE("the whole request/response has a deadline") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.script.push_back({.delay = milliseconds{3000}});
    auto opts = fast_retries();
    opts.timeout = milliseconds{200};
    opts.max_attempts = 1;
    const auto start = std::chrono::steady_clock::now();
    const auto out = run_sequence(ioc, srv, {call_spec{.opts = opts}});
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].outcome == api_outcome::retryable);
    CHECK(out.results[0].error == "reading the response failed: timed out after 200ms");
    CHECK(std::chrono::steady_clock::now() - start < milliseconds{2000});
}

TEST_CASE("close() ends a call waiting out a rate limit") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.fallback = {.status = 429, .body = R"({"ok":false,"error":"ratelimited"})", .headers = {{"Retry-After", "30"}}};
    web_client client(ioc.get_executor(), srv.url(), nullptr);
    std::vector<call_result> results;
    std::vector<net::awaitable<void>> side;
    side.push_back(call_sequence(&client, {call_spec{}}, &results));
    side.push_back(close_later(&client, milliseconds{200}));
    const auto start = std::chrono::steady_clock::now();
    run(ioc, srv, std::move(side));
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == api_outcome::retryable);
    CHECK(results[0].error == "client closed");
    CHECK(std::chrono::steady_clock::now() - start < milliseconds{5000});
}

TEST_CASE("five concurrent calls all succeed over at most four connections") {
    net::io_context ioc;
    fake_slack srv(ioc);
    srv.fallback.delay = milliseconds{50};  // keep the calls overlapping
    web_client client(ioc.get_executor(), srv.url(), nullptr);
    std::vector<std::vector<call_result>> results(5);
    std::vector<net::awaitable<void>> side;
    for (int i = 0; i < 5; ++i) {
        call_spec spec;
        spec.args = {{"channel", "C1"}, {"text", "message " + std::to_string(i)}};
        side.push_back(call_sequence(&client, {spec}, &results[static_cast<std::size_t>(i)]));
    }
    run(ioc, srv, std::move(side));
    for (const auto& r : results) {
        REQUIRE(r.size() == 1);
        CHECK(r[0].outcome == api_outcome::ok);
        CHECK(r[0].attempts == 1);
    }
    CHECK(srv.requests.size() == 5);
    CHECK(srv.accepts >= 2);
    CHECK(srv.accepts <= 4);
}

TEST_CASE("unusable api_url is refused") {
    net::io_context ioc;
    const auto ex = ioc.get_executor();
    CHECK_THROWS_AS(web_client(ex, "ftp://slack.com/api/", nullptr), std::invalid_argument);
    CHECK_THROWS_AS(web_client(ex, "slack.com/api/", nullptr), std::invalid_argument);
    CHECK_THROWS_AS(web_client(ex, "https:///api/", nullptr), std::invalid_argument);
    CHECK_THROWS_AS(web_client(ex, "http://127.0.0.1:99999/api/", nullptr), std::invalid_argument);
    CHECK_THROWS_AS(web_client(ex, "https://slack.com/api/", nullptr), std::invalid_argument);  // no TLS context
    CHECK_NOTHROW(web_client(ex, "http://[::1]:8080/api", nullptr));
}

// ---- TLS ---------------------------------------------------------------------------------

TEST_CASE("TLS: a server certificate from the test CA is accepted when SSL_CERT_FILE names it") {
    net::io_context ioc;
    fake_slack srv(ioc, server_tls("server"));
    auto client_tls = trusting_test_ca();

    SUBCASE("by address") {
        const auto out = run_sequence(ioc, srv, {call_spec{}, call_spec{}}, client_tls);
        REQUIRE(out.results.size() == 2);
        CHECK(out.results[0].outcome == api_outcome::ok);
        CHECK(out.results[1].outcome == api_outcome::ok);
        CHECK(srv.accepts == 1);  // keep-alive over TLS too
        CHECK(srv.last_sni.empty());  // no SNI for an address literal
    }
    SUBCASE("by name, with SNI") {
        const auto out = run_sequence(ioc, srv, {call_spec{}}, client_tls, "localhost");
        REQUIRE(out.results.size() == 1);
        CHECK(out.results[0].outcome == api_outcome::ok);
        CHECK(srv.last_sni == "localhost");
        CHECK(srv.requests.at(0).host == "localhost:" + std::to_string(srv.port()));
    }
}

TEST_CASE("TLS: a certificate from another CA is refused, without retries") {
    net::io_context ioc;
    fake_slack srv(ioc, server_tls("other-server"));
    const auto out = run_sequence(ioc, srv, {call_spec{.opts = fast_retries()}}, trusting_test_ca());
    REQUIRE(out.results.size() == 1);
    const call_result& r = out.results[0];
    CHECK(r.outcome == api_outcome::failed);
    CHECK(r.attempts == 1);
    INFO(r.error);
    CHECK(r.error.starts_with("TLS handshake with 127.0.0.1:" + std::to_string(srv.port()) +
                              " failed: certificate verify failed ("));
    CHECK(srv.requests.empty());
}

TEST_CASE("TLS: a certificate for another host is refused") {
    net::io_context ioc;
    fake_slack srv(ioc, server_tls("wronghost"));
    auto client_tls = trusting_test_ca();

    SUBCASE("by address") {
        const auto out = run_sequence(ioc, srv, {call_spec{.opts = fast_retries()}}, client_tls);
        REQUIRE(out.results.size() == 1);
        INFO(out.results[0].error);
        CHECK(out.results[0].outcome == api_outcome::failed);
        CHECK(contains(out.results[0].error, "certificate verify failed (IP address mismatch)"));
    }
    SUBCASE("by name") {
        const auto out = run_sequence(ioc, srv, {call_spec{.opts = fast_retries()}}, client_tls, "localhost");
        REQUIRE(out.results.size() == 1);
        INFO(out.results[0].error);
        CHECK(out.results[0].outcome == api_outcome::failed);
        CHECK(contains(out.results[0].error, "certificate verify failed (hostname mismatch)"));
    }
    CHECK(srv.requests.empty());
}

}  // TEST_SUITE
