#include "ops_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <regex>
#include <sstream>

namespace ib::test {

std::optional<http_reply> http_get(unsigned short port, const std::string& target, int timeout_ms) {
    return http_request(port, "GET", target, {}, {}, timeout_ms);
}

std::string http_reply::header(const std::string& name) const {
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    const auto from = at + 4 + name.size();
    return head.substr(from, head.find("\r\n", from) - from);
}

std::optional<http_reply> http_request(unsigned short port, const std::string& method, const std::string& target,
                                       const std::vector<std::string>& headers, const std::string& request_body,
                                       int timeout_ms) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return std::nullopt;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    std::string raw;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
        for (const auto& h : headers) req += h + "\r\n";
        if (!request_body.empty()) req += "Content-Length: " + std::to_string(request_body.size()) + "\r\n";
        req += "\r\n" + request_body;
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[16384];
            for (;;) {
                const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0) break;
                raw.append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    ::close(fd);
    const auto head_end = raw.find("\r\n\r\n");
    if (!raw.starts_with("HTTP/1.1 ") || head_end == std::string::npos) return std::nullopt;
    http_reply r;
    r.status = std::atoi(raw.c_str() + 9);
    r.body = raw.substr(head_end + 4);
    std::string head = raw.substr(0, head_end);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.head = head;
    if (head.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
        // Chunked (Prometheus's larger answers): size line, data, CRLF, until a 0 size.
        std::string body;
        std::size_t pos = 0;
        for (;;) {
            const auto eol = r.body.find("\r\n", pos);
            if (eol == std::string::npos) return std::nullopt;
            const std::size_t size = std::strtoul(r.body.c_str() + pos, nullptr, 16);
            if (size == 0) break;
            body += r.body.substr(eol + 2, size);
            pos = eol + 2 + size + 2;
        }
        r.body = std::move(body);
    }
    return r;
}

std::map<std::string, double> parse_metrics(const std::string& exposition) {
    std::map<std::string, double> out;
    std::istringstream in(exposition);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        if (space == std::string::npos) continue;
        out[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
    }
    return out;
}

unsigned short free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    socklen_t len = sizeof addr;
    unsigned short port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

unsigned short listen_port_in(const std::string& log) {
    static const std::regex re(R"(on http://127\.0\.0\.1:([0-9]+)/)");
    std::smatch m;
    if (!std::regex_search(log, m, re)) return 0;
    return static_cast<unsigned short>(std::stoi(m[1].str()));
}

}  // namespace ib::test
