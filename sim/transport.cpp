// The simulator's sockets (see transport.hpp).
//
// Layout of this file:
//   1. impl: io_context, acceptor, open sessions, silence, the deadline timer
//   2. ws_session<Stream>: one WebSocket (reader, single writer, pinger)
//   3. HTTP connections, accept loop, the delivery timer, start/stop
//
// Threading: one io_context on one background thread ("io thread"). Sockets, the session table
// and the silence flag are touched only there; delivery and the backend are thread-safe.

#include "sim/transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace ib::sim::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Expected failures come back as values: (error_code, results...).
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Limits on what clients may send us.
constexpr std::size_t k_max_frame_bytes = 1 << 20;
constexpr std::uint64_t k_max_body_bytes = 1 << 20;
constexpr auto k_http_idle_timeout = 300s;
constexpr auto k_handshake_timeout = 10s;

// Logs exceptions that escape a coroutine instead of taking the io thread down.
struct report_failure {
    const char* what;
    void
    operator()(std::exception_ptr e) const
    {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            std::cerr << "slack-sim: " << what << ": " << x.what() << '\n';
        } catch (...) {
            std::cerr << "slack-sim: " << what << ": unknown exception\n";
        }
    }
};

// What the io thread knows about one WebSocket; the I/O lives in ws_session<Stream>.
struct ws_session_base : std::enable_shared_from_this<ws_session_base> {
    conn_id id_ = 0;
    std::deque<std::string> pings_;  // pings to send; they overtake envelopes
    bool writing_ = false;           // the writer coroutine is running
    bool reading_ = false;           // the reader coroutine is running
    bool closed_ = false;            // failed, dropped or zombie: writes nothing more
    bool hello_sent_ = false;

    virtual ~ws_session_base() = default;
    virtual void kick_writer() = 0;   // start the writer if writing is allowed
    virtual void start_reader() = 0;  // start the read loop (once hello may be sent)
    virtual void close_socket() = 0;  // abrupt close of the TCP connection
    virtual void cancel_io() = 0;     // abort the pending read/write (silence)
    virtual void stop_timers() = 0;
};

}  // namespace

//----------------------------------------------------------------------------------------
// 1. The transport's state

struct transport::impl {
    impl(const simulator_options& o, transport_backend& b, delivery& d)
        : opts(o), backend(b), out(d), ioc(std::make_unique<net::io_context>(1))
    {
    }

    // A WebSocket handshake completed: delivery queues hello first, then the backlog.
    void
    session_opened(const std::shared_ptr<ws_session_base>& s)
    {
        if (hello_withheld) {
            // Accepted, then silent: no hello, no frames (they wait for another connection); its
            // reads answer pings, so only a deadline on hello tells the client something is wrong.
            s->id_ = out.open_without_hello();
            sessions[s->id_] = s;
            s->start_reader();
            return;
        }
        s->id_ = out.open(steady::now());
        sessions[s->id_] = s;
        // While silent the connection stays mute (no hello, no reads) until set_silent(false).
        if (!silent)
            s->start_reader();
        s->kick_writer();
    }

    // A WebSocket finished: it failed, was dropped, or (zombie) went silent mid-read. Delivery
    // moves what it left behind to another connection, or keeps it for the next one.
    void
    session_ended(const std::shared_ptr<ws_session_base>& s, bool close_socket)
    {
        if (s->closed_)
            return;
        s->closed_ = true;
        s->stop_timers();
        if (close_socket)
            s->close_socket();
        else
            zombies.push_back(s);
        sessions.erase(s->id_);
        out.closed(s->id_, steady::now());
    }

    void
    set_silent_now(bool on)
    {
        if (on == silent)
            return;
        silent = on;
        if (on) {
            // Connections being read become zombies now; cancelling the read stops Beast from
            // answering pings. The sockets stay open.
            auto open = sessions;
            for (auto& [id, s] : open) {
                if (!s->reading_)
                    continue;
                session_ended(s, false);
                s->cancel_io();
            }
            return;
        }
        // Connections cut off mid-read cannot resume: close them now, abruptly.
        for (auto& z : zombies)
            z->close_socket();
        zombies.clear();
        auto open = sessions;
        for (auto& [id, s] : open) {
            if (!s->reading_ && !s->closed_)
                s->start_reader();
            s->kick_writer();
        }
    }

    void
    drop_now()
    {
        auto open = sessions;
        for (auto& [id, s] : open)
            session_ended(s, true);
        for (auto& z : zombies)
            z->close_socket();
        zombies.clear();
    }

    // Any thread: run fn on the io thread (in order with earlier posts).
    template <class F>
    void
    post(F&& fn)
    {
        std::lock_guard lock(life_m);
        if (ioc)
            net::post(*ioc, std::forward<F>(fn));
    }

    // Any thread but the io thread: run fn there and wait for it.
    template <class F>
    void
    run_sync(F fn)
    {
        std::promise<void> done;
        auto fut = done.get_future();
        {
            std::lock_guard lock(life_m);
            if (!ioc || !running)
                return;
            net::post(*ioc, [&fn, &done] {
                fn();
                done.set_value();
            });
        }
        fut.wait();
    }

    http::response<http::string_body> handle_http(const http::request<http::string_body>& req);

    const simulator_options& opts;
    transport_backend& backend;
    delivery& out;

    // Lifecycle: ioc exists from construction (posts before start() wait in it) until stop().
    std::mutex life_m;
    std::unique_ptr<net::io_context> ioc;
    std::optional<ssl::context> tls;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<net::steady_timer> deadline_timer;
    std::thread thread;
    bool running = false;
    bool stopped = false;
    unsigned short port = 0;

    // io thread only
    std::map<conn_id, std::shared_ptr<ws_session_base>> sessions;  // open connections
    std::vector<std::shared_ptr<ws_session_base>> zombies;          // silenced mid-read, socket still open
    bool silent = false;
    bool hello_withheld = false;  // set_hello_withheld
    std::uint64_t ping_seq = 0;
};

//----------------------------------------------------------------------------------------
// 2. One WebSocket connection

namespace {

template <class Stream>
class ws_session final : public ws_session_base {
public:
    ws_session(transport::impl& t, Stream&& stream) : t_(t), ws_(std::move(stream)), ping_timer_(ws_.get_executor())
    {
    }

    // Completes the upgrade, then hands the session to delivery.
    static net::awaitable<void>
    accept(std::shared_ptr<ws_session> self, http::request<http::string_body> req)
    {
        auto& ws = self->ws_;
        // Our own pings (ping_interval) replace Beast's keep-alive; 10 s for handshake and close.
        websocket::stream_base::timeout t{};
        t.handshake_timeout = k_handshake_timeout;
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        ws.set_option(t);
        ws.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "slack-sim"); }));
        ws.read_message_max(k_max_frame_bytes);
        ws.auto_fragment(false);
        ws.text(true);

        // Answer the upgrade request we already read (101 Switching Protocols).
        auto [ec] = co_await ws.async_accept(req, use_tuple);
        if (ec)
            co_return;
        self->t_.session_opened(self);
        self->start_pinger();
    }

    void
    kick_writer() override
    {
        if (writing_ || closed_ || t_.silent)
            return;
        writing_ = true;
        auto task = write_loop(shared_self());
        net::co_spawn(ws_.get_executor(), std::move(task), report_failure{"ws writer"});
    }

    void
    start_reader() override
    {
        if (reading_ || closed_)
            return;
        reading_ = true;
        auto task = read_loop(shared_self());
        net::co_spawn(ws_.get_executor(), std::move(task), report_failure{"ws reader"});
    }

    void
    close_socket() override
    {
        // No close frame, no TLS close_notify: the peer sees the TCP connection end.
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    void
    cancel_io() override
    {
        beast::get_lowest_layer(ws_).cancel();
    }

    void
    stop_timers() override
    {
        ping_timer_.cancel();
    }

private:
    std::shared_ptr<ws_session>
    shared_self()
    {
        return std::static_pointer_cast<ws_session>(shared_from_this());
    }

    void
    start_pinger()
    {
        if (t_.opts.ping_interval.count() <= 0)
            return;
        auto task = ping_loop(shared_self());
        net::co_spawn(ws_.get_executor(), std::move(task), report_failure{"ws pinger"});
    }

    // The single writer: one outstanding write at a time; pings first, then delivery's frames
    // in its order, until delivery has nothing more for this connection.
    static net::awaitable<void>
    write_loop(std::shared_ptr<ws_session> self)
    {
        auto& t = self->t_;
        while (!self->closed_ && !t.silent) {
            beast::error_code ec;
            if (!self->pings_.empty()) {
                // A ping; the client's pong is consumed by the read loop.
                websocket::ping_data payload(self->pings_.front().c_str());
                self->pings_.pop_front();
                auto [pec] = co_await self->ws_.async_ping(payload, use_tuple);
                ec = pec;
            } else {
                auto next = t.out.next_frame(self->id_, steady::now());
                if (!next)
                    break;
                // Connected from the moment hello is handed to the socket: a client that has read
                // it must already see open_connections() count it.
                if (next->kind == frame_kind::hello) {
                    self->hello_sent_ = true;
                    t.out.hello_written(self->id_);
                }
                // One text frame per envelope.
                auto frame = std::move(next->text);
                auto buffer = net::buffer(frame);
                auto [wec, n] = co_await self->ws_.async_write(buffer, use_tuple);
                ec = wec;
                (void)n;
            }
            if (ec) {
                t.session_ended(self, !t.silent);
                break;
            }
        }
        self->writing_ = false;
    }

    // Reads acks until the connection ends. Beast answers pings while a read is pending.
    static net::awaitable<void>
    read_loop(std::shared_ptr<ws_session> self)
    {
        auto& t = self->t_;
        beast::flat_buffer buffer;
        for (;;) {
            if (self->closed_)
                break;
            if (t.silent) {
                // Silence began between two reads: become a zombie like the others.
                t.session_ended(self, false);
                break;
            }
            // Next message (text or binary); pings, pongs and close are handled inside.
            auto [ec, n] = co_await self->ws_.async_read(buffer, use_tuple);
            (void)n;
            if (ec) {
                if (ec == websocket::error::closed) {
                    auto& r = self->ws_.reason();
                    t.out.client_close(static_cast<int>(r.code), std::string(r.reason.c_str()), steady::now());
                }
                t.session_ended(self, !t.silent);
                break;
            }
            if (self->ws_.got_text())
                t.out.client_frame(beast::buffers_to_string(buffer.data()), steady::now());
            buffer.consume(buffer.size());
        }
        self->reading_ = false;
    }

    // Server-initiated pings every ping_interval (skipped while silent).
    static net::awaitable<void>
    ping_loop(std::shared_ptr<ws_session> self)
    {
        auto& t = self->t_;
        for (;;) {
            self->ping_timer_.expires_after(t.opts.ping_interval);
            auto [ec] = co_await self->ping_timer_.async_wait(use_tuple);
            if (ec || self->closed_)
                break;
            if (t.silent || !self->hello_sent_)
                continue;
            self->pings_.push_back("sim-ping-" + std::to_string(++t.ping_seq));
            self->kick_writer();
        }
    }

    transport::impl& t_;
    websocket::stream<Stream> ws_;
    net::steady_timer ping_timer_;
};

//----------------------------------------------------------------------------------------
// 3. HTTP connections, accept loop, lifecycle

// Keep-alive HTTP/1.1 on one connection; a WebSocket upgrade hands the stream over.
template <class Stream>
net::awaitable<void>
serve_http(transport::impl& t, Stream stream)
{
    beast::flat_buffer buffer;
    for (;;) {
        // Read the next request (idle keep-alive connections time out eventually).
        http::request_parser<http::string_body> parser;
        parser.body_limit(k_max_body_bytes);
        beast::get_lowest_layer(stream).expires_after(k_http_idle_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        (void)n;
        if (ec)
            break;
        auto req = parser.release();

        if (websocket::is_upgrade(req)) {
            std::string_view target(req.target().data(), req.target().size());
            if (!t.backend.take_ticket(target)) {
                // Unknown or reused ticket: refuse the upgrade.
                http::response<http::string_body> res{http::status::unauthorized, req.version()};
                res.set(http::field::server, "slack-sim");
                res.set(http::field::content_type, "application/json; charset=utf-8");
                res.body() = R"({"ok":false,"error":"invalid_ticket"})";
                res.keep_alive(false);
                res.prepare_payload();
                auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
                (void)wec;
                (void)wn;
                break;
            }
            // The WebSocket has its own timeouts from here on.
            beast::get_lowest_layer(stream).expires_never();
            auto session = std::make_shared<ws_session<Stream>>(t, std::move(stream));
            auto handshake = ws_session<Stream>::accept(session, std::move(req));
            co_await std::move(handshake);
            co_return;
        }

        // A Web API call (or response_url, or 404).
        auto res = t.handle_http(req);
        auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
        (void)wn;
        if (wec || !res.keep_alive())
            break;
    }
    // Polite end of a plain connection: send FIN. (TLS: just close; clients tolerate it.)
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void>
serve_tls(transport::impl& t, tcp::socket socket)
{
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *t.tls);
    // TLS handshake, bounded in time.
    beast::get_lowest_layer(stream).expires_after(k_handshake_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (ec)
        co_return;
    auto session = serve_http(t, std::move(stream));
    co_await std::move(session);
}

net::awaitable<void>
accept_loop(transport::impl& t)
{
    auto executor = co_await net::this_coro::executor;
    for (;;) {
        // Next TCP connection on 127.0.0.1:port.
        auto [ec, socket] = co_await t.acceptor->async_accept(use_tuple);
        if (ec) {
            if (ec == net::error::operation_aborted || !t.acceptor->is_open())
                break;
            continue;
        }
        // Small frames matter more than throughput: no Nagle delay on acks and envelopes.
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (t.tls) {
            auto task = serve_tls(t, std::move(socket));
            net::co_spawn(executor, std::move(task), report_failure{"tls connection"});
        } else {
            beast::tcp_stream stream(std::move(socket));
            auto task = serve_http(t, std::move(stream));
            net::co_spawn(executor, std::move(task), report_failure{"http connection"});
        }
    }
}

// Runs delivery's timed work (redeliveries, retries, deadlines) when it falls due. delivery's
// rearm hook cancels the wait when an earlier deadline appears.
net::awaitable<void>
deadline_loop(transport::impl& t)
{
    for (;;) {
        auto next = t.out.next_deadline();
        t.deadline_timer->expires_at(next ? *next : steady::now() + 1h);
        auto [ec] = co_await t.deadline_timer->async_wait(use_tuple);
        (void)ec;  // cancelled: a new deadline, recomputed above
        t.out.on_timer(steady::now());
    }
}

}  // namespace

http::response<http::string_body>
transport::impl::handle_http(const http::request<http::string_body>& req)
{
    auto content_type = req[http::field::content_type];
    auto authorization = req[http::field::authorization];
    auto reply = backend.http(std::string_view(req.target().data(), req.target().size()),
                              std::string_view(content_type.data(), content_type.size()),
                              std::string_view(authorization.data(), authorization.size()), req.body());
    http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
    res.set(http::field::server, "slack-sim");
    res.keep_alive(req.keep_alive());
    if (reply.retry_after >= 0)
        res.set(http::field::retry_after, std::to_string(reply.retry_after));
    res.set(http::field::content_type, reply.content_type);
    res.body() = std::move(reply.body);
    res.prepare_payload();
    return res;
}

transport::transport(const simulator_options& opts, transport_backend& backend, delivery& out)
    : impl_(std::make_unique<impl>(opts, backend, out))
{
    auto* t = impl_.get();
    delivery::hooks hooks;
    hooks.kick = [t](conn_id id) {
        t->post([t, id] {
            auto it = t->sessions.find(id);
            if (it != t->sessions.end())
                it->second->kick_writer();
        });
    };
    hooks.rearm = [t] {
        t->post([t] {
            if (t->deadline_timer)
                t->deadline_timer->cancel();
        });
    };
    out.set_hooks(std::move(hooks));
}

transport::~transport()
{
    stop();
}

void
transport::start()
{
    auto& t = *impl_;
    std::lock_guard lock(t.life_m);
    if (t.running)
        return;
    if (t.stopped || !t.ioc)
        throw std::logic_error("slack_simulator: cannot start again after stop()");
    if (t.opts.tls_cert_file.has_value() != t.opts.tls_key_file.has_value())
        throw std::invalid_argument("slack_simulator: tls_cert_file and tls_key_file go together");

    if (t.opts.tls_cert_file) {
        // TLS 1.2+ with the given PEM chain and key.
        t.tls.emplace(ssl::context::tls_server);
        t.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        t.tls->use_certificate_chain_file(*t.opts.tls_cert_file);
        t.tls->use_private_key_file(*t.opts.tls_key_file, ssl::context::pem);
    }

    // One port for HTTP and WebSocket, on loopback only.
    t.acceptor = std::make_unique<tcp::acceptor>(*t.ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    t.port = t.acceptor->local_endpoint().port();
    net::co_spawn(*t.ioc, accept_loop(t), report_failure{"accept loop"});
    t.deadline_timer = std::make_unique<net::steady_timer>(*t.ioc);
    net::co_spawn(*t.ioc, deadline_loop(t), report_failure{"delivery timer"});

    // The io thread; an exception escaping a handler is logged and the loop goes on.
    t.thread = std::thread([ctx = t.ioc.get()] {
        for (;;) {
            try {
                ctx->run();
                return;
            } catch (const std::exception& e) {
                std::cerr << "slack-sim: io thread: " << e.what() << '\n';
            }
        }
    });
    t.running = true;
}

void
transport::stop()
{
    auto& t = *impl_;
    std::unique_ptr<net::io_context> ctx;
    {
        // Stop the loop and wait for the io thread (its handlers may post: no lock here).
        std::unique_lock lock(t.life_m);
        if (!t.ioc)
            return;
        t.ioc->stop();
        lock.unlock();
        if (t.thread.joinable())
            t.thread.join();
        lock.lock();
        t.running = false;
        t.stopped = true;
        // I/O objects go before their io_context; pending coroutine frames (and the sockets
        // they own) are destroyed with it.
        t.sessions.clear();
        t.zombies.clear();
        t.acceptor.reset();
        t.deadline_timer.reset();
        ctx = std::move(t.ioc);
    }
    ctx.reset();
    t.out.stopped();
}

unsigned short
transport::port() const
{
    return impl_->port;
}

bool
transport::tls() const
{
    return impl_->opts.tls_cert_file.has_value();
}

void
transport::drop_connections()
{
    auto* t = impl_.get();
    t->run_sync([t] { t->drop_now(); });
}

void
transport::set_silent(bool on)
{
    auto* t = impl_.get();
    t->run_sync([t, on] { t->set_silent_now(on); });
}

void
transport::set_hello_withheld(bool on)
{
    auto* t = impl_.get();
    t->run_sync([t, on] { t->hello_withheld = on; });
}

}  // namespace ib::sim::detail
