#include "bot/transport/socket_mode.hpp"

#include "bot/log.hpp"
#include "bot/ops/metrics.hpp"
#include "bot/ops/status.hpp"
#include "bot/transport/web_client.hpp"
#include "bot/use_tuple.hpp"
#include "core/slack/supervisor.hpp"
#include "core/url.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <random>
#include <variant>

namespace ib::bot {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using slack::supervisor;

namespace {

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

std::string describe(const boost::system::error_code& ec) {
    std::string s = ec.message();
    // OpenSSL errors carry the useful part (e.g. "certificate verify failed") in the reason.
    if (ec.category() == net::error::get_ssl_category()) {
        if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value())))
            s = reason;
    }
    return s;
}

// One WebSocket connection: the stream, its read buffer and the single writer's queue.
// Beast allows one outstanding write per stream, so every frame we send (acks) goes through
// the queue and one writer coroutine.
struct ws_connection final : frame_sink {
    std::variant<std::unique_ptr<plain_ws>, std::unique_ptr<tls_ws>> ws;
    beast::flat_buffer buffer;
    std::deque<std::string> outbox;
    net::steady_timer wake;
    bool open = true;
    bool hello_overdue = false;  // the hello deadline closed the socket

    explicit ws_connection(net::any_io_executor ex) : wake(ex) {}

    bool send(std::string text) override {
        if (!open) return false;
        outbox.push_back(std::move(text));
        wake.cancel();  // the writer may be idle, waiting on the timer
        return true;
    }

    // Runs `f` on whichever stream type this connection has.
    template <class F>
    decltype(auto) visit(F&& f) {
        return std::visit([&](auto& p) -> decltype(auto) { return f(*p); }, ws);
    }

    void shut() {
        open = false;
        wake.cancel();
        visit([](auto& s) {
            beast::error_code ignored;
            beast::get_lowest_layer(s).socket().close(ignored);
        });
    }
};

// Writes queued frames one at a time until the connection ends.
template <class Stream>
net::awaitable<void> write_loop(std::shared_ptr<ws_connection> c, Stream& ws) {
    for (;;) {
        if (!c->open) co_return;
        if (c->outbox.empty()) {
            c->wake.expires_at(net::steady_timer::time_point::max());
            auto [ec] = co_await c->wake.async_wait(use_tuple);
            (void)ec;  // cancelled by send() or shut(): look again
            continue;
        }
        std::string frame = std::move(c->outbox.front());
        c->outbox.pop_front();
        ws.text(true);
        auto [ec, n] = co_await ws.async_write(net::buffer(frame), use_tuple);
        (void)n;
        if (ec) {
            log_warn("socket", "write failed: " + describe(ec));
            c->open = false;  // the reader sees the broken socket too and reports it
            co_return;
        }
    }
}

}  // namespace

struct socket_mode_client::impl : std::enable_shared_from_this<impl> {
    net::any_io_executor ex;
    web_client& api;
    std::shared_ptr<ssl::context> tls;
    socket_mode_options opts;
    frame_handler on_frame;
    link_handler on_link;
    supervisor fsm;
    std::shared_ptr<ws_connection> conn;
    net::steady_timer backoff_timer;
    net::steady_timer resume_timer;  // wakes the reader paused by pause_reading()
    bool paused = false;
    std::mt19937_64 rng{std::random_device{}()};
    bool stopping = false;
    std::size_t opened = 0;

    impl(net::any_io_executor e, web_client& a, std::shared_ptr<ssl::context> t, socket_mode_options o, frame_handler h)
        : ex(e), api(a), tls(std::move(t)), opts(std::move(o)), on_frame(std::move(h)),
          fsm(opts.backoff, std::chrono::seconds{60}, opts.hello_timeout),
          backoff_timer(e), resume_timer(e) {}

    double random01() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

    // apps.connections.open -> opened{url} / open_failed.
    net::awaitable<supervisor::event> call_open() {
        call_options o;
        o.max_attempts = 1;  // the supervisor owns the retry policy for this call
        // Named arguments: GCC 12 mishandles temporaries inside co_await expressions (bug 98401).
        std::string method = "apps.connections.open", token = opts.app_token;
        nlohmann::json no_args = nlohmann::json::object();
        auto r = co_await api.call(std::move(method), std::move(no_args), std::move(token), o);
        if (r.outcome == slack::api_outcome::ok && r.response.body.contains("url") &&
            r.response.body["url"].is_string())
            co_return supervisor::opened{r.response.body["url"].get<std::string>()};
        co_return supervisor::open_failed{r.outcome, r.error, r.response.retry_after};
    }

    // TCP (+ TLS) + WebSocket handshake to `url` -> connected / io_error.
    net::awaitable<supervisor::event> connect(std::string url) {
        const auto u = parse_url(url);
        if (!u || (u->scheme != "ws" && u->scheme != "wss"))
            co_return supervisor::io_error{"apps.connections.open returned an unusable URL"};
        const std::string where = u->host + ":" + u->port;

        // Resolve the host named in the URL.
        tcp::resolver resolver(ex);
        auto [rec, endpoints] = co_await resolver.async_resolve(u->host, u->port, use_tuple);
        if (rec) co_return supervisor::io_error{"resolving " + u->host + " failed: " + describe(rec)};

        auto c = std::make_shared<ws_connection>(ex);
        if (u->tls()) {
            auto ws = std::make_unique<tls_ws>(ex, *tls);
            // SNI: many hosts need the name in the ClientHello to pick the right certificate.
            // (SSL_set_tlsext_host_name spelled out: the macro's C cast trips -Wold-style-cast.)
            if (!SSL_ctrl(ws->next_layer().native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                          const_cast<char*>(u->host.c_str())))
                co_return supervisor::io_error{"setting SNI for " + u->host + " failed"};
            // Verify that the certificate names the host we asked for, not just any trusted one.
            ws->next_layer().set_verify_callback(ssl::host_name_verification(u->host));
            c->ws = std::move(ws);
        } else {
            c->ws = std::make_unique<plain_ws>(ex);
        }
        conn = c;  // stop() can now close it

        // Connect (TCP), bounded by the handshake timeout.
        auto& lowest = c->visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); });
        lowest.expires_after(opts.handshake_timeout);
        auto [cec, ep] = co_await lowest.async_connect(endpoints, use_tuple);
        (void)ep;
        if (cec) co_return supervisor::io_error{"connecting to " + where + " failed: " + describe(cec)};
        // Acks are small frames written one by one: with Nagle on, each waits for the TCP ACK of
        // the previous one (up to Linux's 40 ms delayed ACK) before it leaves. Best effort.
        beast::error_code nodelay_ec;
        lowest.socket().set_option(tcp::no_delay(true), nodelay_ec);

        // TLS handshake (wss only).
        if (auto* s = std::get_if<std::unique_ptr<tls_ws>>(&c->ws)) {
            lowest.expires_after(opts.handshake_timeout);
            auto [hec] = co_await (*s)->next_layer().async_handshake(ssl::stream_base::client, use_tuple);
            if (hec) co_return supervisor::io_error{"TLS handshake with " + where + " failed: " + describe(hec)};
        }

        // From here the WebSocket's own timeouts apply: Beast's suggested client settings turn
        // idle detection off, so set it explicitly, with keep-alive pings at half the idle time.
        lowest.expires_never();
        const std::string host_header = u->host_header();
        const std::string target = u->target;
        const auto max_frame = opts.max_frame_bytes;
        const websocket::stream_base::timeout timeouts{opts.handshake_timeout, opts.idle_timeout, true};
        auto handshake_op = c->visit([&](auto& s) -> net::awaitable<beast::error_code> {
            return handshake(s, timeouts, max_frame, host_header, target);
        });
        beast::error_code wec = co_await std::move(handshake_op);
        if (wec) co_return supervisor::io_error{"WebSocket handshake with " + where + " failed: " + describe(wec)};

        ++opened;
        // The single writer for this connection.
        c->visit([&](auto& s) { net::co_spawn(ex, write_loop(c, s), net::detached); });
        co_return supervisor::connected{};
    }

    template <class Stream>
    static net::awaitable<beast::error_code> handshake(Stream& s, websocket::stream_base::timeout timeouts,
                                                       std::size_t max_frame, std::string host, std::string target) {
        s.set_option(timeouts);
        // Beast refuses larger messages itself; the parser applies the exact limit, so a
        // slightly larger frame is reported as a bad frame rather than dropping the socket.
        s.read_message_max(max_frame * 2);
        s.set_option(websocket::stream_base::decorator(
            [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "incident-bot"); }));
        auto [ec] = co_await s.async_handshake(host, target, use_tuple);
        co_return ec;
    }

    // Reads frames, handing each to the application, until one the supervisor must see.
    template <class Stream>
    static net::awaitable<supervisor::event> read_frames(std::shared_ptr<impl> self, std::shared_ptr<ws_connection> c,
                                                         Stream& s) {
        for (;;) {
            if (self->paused) {
                while (self->paused && !self->stopping && c->open) {
                    self->resume_timer.expires_at(net::steady_timer::time_point::max());
                    auto [wec] = co_await self->resume_timer.async_wait(use_tuple);
                    (void)wec;  // cancelled by resume_reading() or stop(): look again
                }
                if (self->stopping || !c->open)
                    co_return supervisor::io_error{"the connection ended while reading was paused"};
            }
            c->buffer.clear();
            auto [ec, n] = co_await s.async_read(c->buffer, use_tuple);
            if (ec) {
                if (ec == websocket::error::closed)
                    co_return supervisor::io_error{"Slack closed the connection (" +
                                                   std::string(s.reason().reason.c_str()) + ")"};
                if (ec == beast::error::timeout)
                    co_return supervisor::io_error{"no frames or pongs for " +
                                                   std::to_string(self->opts.idle_timeout.count()) +
                                                   " ms: the connection is dead"};
                co_return supervisor::io_error{"read failed: " + describe(ec)};
            }
            if (!s.got_text()) {
                log_warn("socket", "ignoring a binary frame of " + std::to_string(n) + " bytes");
                continue;
            }
            const auto data = c->buffer.cdata();
            slack::frame f = slack::parse_frame(
                std::string_view(static_cast<const char*>(data.data()), data.size()), self->opts.max_frame_bytes);
            if (const auto* h = std::get_if<slack::hello>(&f)) {
                if (self->opts.on_hello) self->opts.on_hello(*h);
                co_return supervisor::hello{};
            }
            if (auto* d = std::get_if<slack::disconnect>(&f)) co_return supervisor::disconnect{d->reason};
            if (std::holds_alternative<slack::events_api>(f)) ops::metrics::get().events_received.Increment();
            self->on_frame(std::move(f), c);
        }
    }

    // Closes the current connection: politely (close frame) when asked, else just the socket.
    net::awaitable<void> close_connection(bool polite) {
        auto c = std::exchange(conn, nullptr);
        if (!c) co_return;
        if (polite && c->open) {
            c->open = false;
            c->wake.cancel();
            auto close_op = c->visit([](auto& s) -> net::awaitable<beast::error_code> { return close_ws(s); });
            beast::error_code ec = co_await std::move(close_op);
            if (ec) log_debug("socket", "close: " + describe(ec));
        }
        c->shut();
    }

    void close_in_background() {
        auto c = std::exchange(conn, nullptr);
        if (!c) return;
        if (!c->open) {
            c->shut();
            return;
        }
        c->open = false;
        c->wake.cancel();
        c->visit([c](auto& s) { s.async_close(websocket::close_code::normal, [c](beast::error_code) { c->shut(); }); });
    }

    template <class Stream>
    static net::awaitable<beast::error_code> close_ws(Stream& s) {
        auto [ec] = co_await s.async_close(websocket::close_code::normal, use_tuple);
        co_return ec;
    }

    // Reads until hello, a disconnect or an error. With a `hello_deadline`, a timer closes the
    // socket if hello has not come by then (the read fails) -> no_hello.
    net::awaitable<supervisor::event> read(std::chrono::milliseconds hello_deadline) {
        auto c = conn;
        if (!c) co_return supervisor::io_error{"no connection"};
        auto self = shared_from_this();
        std::shared_ptr<net::steady_timer> deadline;
        if (hello_deadline.count() > 0) {
            deadline = std::make_shared<net::steady_timer>(ex);
            deadline->expires_after(hello_deadline);
            deadline->async_wait([c](const boost::system::error_code& ec) {
                if (ec || !c->open) return;  // cancelled: hello came, or the socket is gone anyway
                c->hello_overdue = true;
                c->shut();
            });
        }
        auto read_op = c->visit([&](auto& s) -> net::awaitable<supervisor::event> { return read_frames(self, c, s); });
        supervisor::event ev = co_await std::move(read_op);
        if (deadline) deadline->cancel();
        if (c->hello_overdue) co_return supervisor::no_hello{};
        co_return ev;
    }

    net::awaitable<supervisor::event> wait(std::chrono::milliseconds delay) {
        backoff_timer.expires_after(delay);
        auto [ec] = co_await backoff_timer.async_wait(use_tuple);
        (void)ec;  // cancelled by stop(): the loop sees `stopping`
        co_return supervisor::timer_fired{};
    }

    // Publishes what the supervisor just decided: the connected gauge, reconnects by reason,
    // and the line /readyz shows while not live.
    bool was_live = false;
    void publish(const supervisor::action& act) {
        auto& m = ops::metrics::get();
        if (!act.reconnect_reason.empty()) m.count_reconnect(act.reconnect_reason);
        const bool live = fsm.current() == supervisor::state::live;
        if (live == was_live && act.reconnect_reason.empty() && act.type != supervisor::action_type::stop) return;
        was_live = live;
        m.socket_connected.Set(live ? 1 : 0);
        std::string why;
        if (act.type == supervisor::action_type::stop)
            why = "not connected to Slack: stopped (" + act.reason + ")";
        else if (!act.reconnect_reason.empty())
            why = "not connected to Slack: reconnecting after " + std::string(act.reconnect_reason);
        ops::service_status::get().set_slack(live, live ? std::string("ok") : why);
    }

    // Why the live connection ended, from the event that ended it.
    static std::string why_down(const supervisor::event& ev) {
        if (const auto* d = std::get_if<supervisor::disconnect>(&ev)) return std::string(slack::to_string(d->reason));
        if (const auto* e = std::get_if<supervisor::io_error>(&ev)) return e->description;
        if (std::holds_alternative<supervisor::stop_requested>(ev)) return "stopping";
        return "connection ended";
    }

    net::awaitable<int> run() {
        auto self = shared_from_this();  // keep alive across suspensions
        supervisor::event ev = supervisor::start{};
        for (;;) {
            if (stopping) ev = supervisor::stop_requested{};
            const bool live_before = fsm.current() == supervisor::state::live;
            const supervisor::action act = fsm.resume(ev, std::chrono::steady_clock::now(), random01());
            publish(act);
            if (!act.log.empty()) {
                if (act.reconnect_reason.empty()) log_info("socket", act.log);
                else log_info("socket", act.log, {{"reason", act.reconnect_reason}});
            }
            if (const bool live = fsm.current() == supervisor::state::live; live != live_before && on_link)
                on_link(link_change{live, live ? std::string() : why_down(ev)});
            switch (act.type) {
            case supervisor::action_type::call_open:
                co_await close_connection(false);  // whatever is left of a failed connection
                ev = co_await call_open();
                break;
            case supervisor::action_type::close_and_reopen:
                // Slack asked for a new connection: open it at once and let the old one close
                // in the background (frames still arriving there are not acked, so Slack
                // redelivers them on the new one).
                close_in_background();
                ev = co_await call_open();
                break;
            case supervisor::action_type::connect: {
                std::string url = act.url;
                ev = co_await connect(std::move(url));
                break;
            }
            case supervisor::action_type::read:
                ev = co_await read(act.delay);
                break;
            case supervisor::action_type::wait:
                co_await close_connection(false);
                ev = co_await wait(act.delay);
                break;
            case supervisor::action_type::stop:
                co_await close_connection(true);
                if (act.exit_code != 0) log_error("socket", act.reason);
                co_return act.exit_code;
            case supervisor::action_type::none:
                // Nothing to do for that event: should not happen with this driver; don't spin.
                log_warn("socket", "unexpected event in state " + std::string(slack::to_string(fsm.current())));
                ev = co_await wait(std::chrono::seconds{1});
                break;
            }
        }
    }
};

socket_mode_client::socket_mode_client(net::any_io_executor ex, web_client& api, std::shared_ptr<ssl::context> tls,
                                       socket_mode_options opts, frame_handler on_frame)
    : impl_(std::make_shared<impl>(ex, api, std::move(tls), std::move(opts), std::move(on_frame))) {}

socket_mode_client::~socket_mode_client() = default;

net::awaitable<int> socket_mode_client::run() { return impl_->run(); }

void socket_mode_client::stop() {
    impl_->stopping = true;
    impl_->backoff_timer.cancel();
    impl_->resume_timer.cancel();
    impl_->api.close();  // an apps.connections.open in flight ends now
    // A clean close: the pending read completes once Slack answers the close frame (or the
    // handshake timeout passes), and run() then returns.
    impl_->close_in_background();
}

std::size_t socket_mode_client::connections_opened() const { return impl_->opened; }

void socket_mode_client::on_link(link_handler h) { impl_->on_link = std::move(h); }

void socket_mode_client::pause_reading() { impl_->paused = true; }

void socket_mode_client::resume_reading() {
    impl_->paused = false;
    impl_->resume_timer.cancel();
}

bool socket_mode_client::reading_paused() const { return impl_->paused; }

}  // namespace ib::bot
