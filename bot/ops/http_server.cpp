#include "bot/ops/http_server.hpp"

#include "bot/log.hpp"
#include "bot/ops/metrics.hpp"
#include "bot/ops/status.hpp"
#include "bot/use_tuple.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <stdexcept>
#include <thread>

namespace ib::bot::ops {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto idle_timeout = std::chrono::seconds{30};
constexpr int max_sessions = 64;

// A handler's answer as Beast's response to `req`.
http::response<http::string_body> to_beast(const http::request<http::string_body>& req, ib::http::response r) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
    res.set(http::field::server, "incident-bot");
    res.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) res.insert(name, value);
    if (res.find(http::field::cache_control) == res.end()) res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(r.body);
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays the GET's
    return res;
}

ib::http::request from_beast(const http::request<http::string_body>& req) {
    ib::http::request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    if (const auto it = req.find(http::field::cookie); it != req.end()) r.cookie = std::string(it->value());
    if (const auto it = req.find(http::field::content_type); it != req.end()) r.content_type = std::string(it->value());
    r.body = req.body();
    return r;
}

}  // namespace

ib::http::response ops_response(const ib::http::request& req) {
    ib::http::response res;
    const auto text = [&](int status, std::string body) {
        res.status = status;
        res.body = std::move(body) + "\n";
    };
    std::string_view target = req.target;
    if (const auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
    if (req.method != "GET" && req.method != "HEAD") {
        text(405, "only GET and HEAD");
        res.headers.emplace_back("Allow", "GET, HEAD");
    } else if (target == "/healthz") {
        const verdict v = service_status::get().healthy(service_status::clock::now());
        text(v.ok ? 200 : 503, v.reason);
    } else if (target == "/readyz") {
        const verdict v = service_status::get().ready();
        text(v.ok ? 200 : 503, v.reason);
    } else if (target == "/metrics") {
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        res.body = metrics::get().serialize();
    } else {
        text(404, "not found (try /healthz, /readyz or /metrics)");
    }
    return res;
}

std::optional<listen_address> parse_listen_address(std::string_view text) {
    listen_address a;
    std::string_view port;
    if (text.starts_with("[")) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        a.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        a.host = std::string(text.substr(0, colon));
        if (a.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
        port = text.substr(colon + 1);
    }
    unsigned n = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (a.host.empty() || port.empty() || ec != std::errc{} || end != port.data() + port.size() || n > 65535)
        return std::nullopt;
    a.port = std::to_string(n);
    return a;
}

struct http_server::impl {
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    int sessions = 0;  // on the server thread only
    handler site;

    // One connection: requests answered in order until the peer closes or idles out.
    static net::awaitable<void> serve(impl* self, tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (;;) {
            // Read a request (small: these endpoints take no body), bounded in time.
            http::request_parser<http::string_body> parser;
            parser.header_limit(16 * 1024);
            parser.body_limit(4 * 1024);
            stream.expires_after(idle_timeout);
            auto [rec, nread] = co_await http::async_read(stream, buffer, parser, use_tuple);
            (void)nread;
            if (rec) break;
            // Answer it.
            http::response<http::string_body> res = to_beast(parser.get(), self->site(from_beast(parser.get())));
            const bool keep = res.keep_alive();
            auto [wec, nwritten] = co_await http::async_write(stream, res, use_tuple);
            (void)nwritten;
            if (wec || !keep) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        --self->sessions;
    }

    // Accepts connections until the acceptor is closed.
    static net::awaitable<void> accept_loop(impl* self) {
        for (;;) {
            auto [ec, socket] = co_await self->acceptor.async_accept(use_tuple);
            if (ec == net::error::operation_aborted || !self->acceptor.is_open()) co_return;
            if (ec) continue;  // e.g. the peer reset before accept: keep serving
            if (self->sessions >= max_sessions) continue;  // dropped: closes the socket
            ++self->sessions;
            net::co_spawn(self->ioc, serve(self, std::move(socket)), net::detached);
        }
    }
};

http_server::http_server(const listen_address& where)
    : http_server(where, ops_response, "/healthz, /readyz and /metrics") {}

http_server::http_server(const listen_address& where, handler site, std::string_view what)
    : impl_(std::make_unique<impl>()) {
    impl_->site = std::move(site);
    const std::string shown = (where.host.find(':') != std::string::npos ? "[" + where.host + "]" : where.host) + ":" +
                              where.port;
    const auto fail = [&](const std::string& why) { return std::runtime_error("cannot listen on " + shown + ": " + why); };
    beast::error_code ec;
    tcp::resolver resolver(impl_->ioc);
    const auto results = resolver.resolve(where.host, where.port, tcp::resolver::passive, ec);
    if (ec) throw fail(ec.message());
    if (results.empty()) throw fail("the name has no address");
    const tcp::endpoint ep = results.begin()->endpoint();
    auto& a = impl_->acceptor;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw fail(ec.message());
    net::co_spawn(impl_->ioc, impl::accept_loop(impl_.get()), net::detached);
    impl_->thread = std::thread([i = impl_.get()] { i->ioc.run(); });
    log_info("ops", "serving " + std::string(what) + " on http://" + shown.substr(0, shown.rfind(':')) + ":" +
                        std::to_string(port()) + "/");
}

http_server::~http_server() { stop(); }

unsigned short http_server::port() const {
    beast::error_code ec;
    const auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

void http_server::stop() {
    if (!impl_->thread.joinable()) return;
    impl_->ioc.stop();
    impl_->thread.join();
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    // Open connections' coroutine frames are destroyed with the io_context.
}

}  // namespace ib::bot::ops
