// The ops HTTP server (bot/ops/http_server) on a loopback port: the three endpoints against a
// service status set by the test, errors, keep-alive, a busy port, and a stop with a client
// still connected.
#include "bot/ops/http_server.hpp"
#include "bot/ops/metrics.hpp"
#include "bot/ops/status.hpp"
#include "tests/e2e/ops_client.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>

using ib::bot::ops::http_server;
using ib::bot::ops::service_status;
using ib::test::http_get;
using namespace std::chrono_literals;

namespace {

// A raw client connection: several requests on one socket, or one left open.
struct raw_client {
    int fd = -1;
    explicit raw_client(unsigned short port) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~raw_client() { ::close(fd); }
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;
    // Sends `request` and reads until the response's body (Content-Length) is complete.
    std::string exchange(const std::string& request) {
        REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
        std::string in;
        char buf[4096];
        for (;;) {
            const auto head = in.find("\r\n\r\n");
            if (head != std::string::npos) {
                const auto cl = in.find("Content-Length: ");
                const std::size_t len = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
                if (in.size() >= head + 4 + len) return in;
            }
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return in;
            in.append(buf, static_cast<std::size_t>(n));
        }
    }
};

}  // namespace

TEST_SUITE("ops_server") {

TEST_CASE("/healthz, /readyz and /metrics answer from the service status and the registry") {
    auto& status = service_status::get();
    http_server server(*ib::bot::ops::parse_listen_address("127.0.0.1:0"));
    const unsigned short port = server.port();
    REQUIRE(port != 0);

    // GET target: the status code and the body, as one string to compare.
    const auto get = [&](const std::string& target) {
        const auto r = http_get(port, target);
        return r ? std::to_string(r->status) + " " + r->body : std::string("no answer");
    };
    status.heartbeat(service_status::clock::now());
    CHECK(get("/healthz") == "200 ok\n");
    status.heartbeat(service_status::clock::now() - 20s);  // the event loop stopped answering
    CHECK(get("/healthz") == "503 the event loop has not answered for 20 s\n");
    status.heartbeat(service_status::clock::now());

    status.set_slack(false, "not connected to Slack: reconnecting after refresh_requested");
    CHECK(get("/readyz") == "503 not connected to Slack: reconnecting after refresh_requested\n");
    status.set_slack(true, "ok");
    status.set_storage(false, "disk I/O error");
    CHECK(get("/readyz?verbose=1") == "503 the database does not accept writes: disk I/O error\n");
    status.set_storage(true, "");
    CHECK(get("/readyz") == "200 ok\n");

    ib::bot::ops::metrics::get().reminders_posted.Increment();
    const auto r = http_get(port, "/metrics");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.find("# TYPE incident_bot_reminders_posted_total counter\n") != std::string::npos);
    CHECK(r->body.find("# TYPE incident_bot_ack_latency_seconds histogram\n") != std::string::npos);
    const auto samples = ib::test::parse_metrics(r->body);
    CHECK(samples.at("incident_bot_reminders_posted_total") >= 1);
    CHECK(samples.count(R"(incident_bot_ack_latency_seconds_bucket{le="+Inf"})") == 1);

    CHECK(get("/").starts_with("404 "));
    status.set_slack(false, "not connected to Slack yet");
}

TEST_CASE("keep-alive, other methods, HEAD, and a stop while a client is still connected") {
    http_server server(*ib::bot::ops::parse_listen_address("127.0.0.1:0"));
    const unsigned short port = server.port();
    raw_client c(port);
    const std::string first = c.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(first.starts_with("HTTP/1.1 "));
    const std::string second = c.exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    CHECK(second.starts_with("HTTP/1.1 405 "));
    CHECK(second.find("Allow: GET, HEAD") != std::string::npos);
    const std::string head = c.exchange("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(head.starts_with("HTTP/1.1 200 "));
    // A second server cannot take the port: one line.
    try {
        http_server again(*ib::bot::ops::parse_listen_address("127.0.0.1:" + std::to_string(port)));
        FAIL("bound a busy port");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use");
    }
    // `c` is still connected and idle: stop does not wait for it.
    const auto t0 = std::chrono::steady_clock::now();
    server.stop();
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    server.stop();  // idempotent
    CHECK(!http_get(port, "/healthz", 500));
}

}  // TEST_SUITE ops_server
