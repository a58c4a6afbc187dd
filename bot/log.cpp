#include "bot/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ib::bot {
namespace {

std::atomic<log_level> g_level{log_level::info};
std::mutex g_write;

bool token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

std::string_view level_name(log_level l) {
    switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info ";
    case log_level::warn: return "warn ";
    case log_level::error: return "error";
    }
    return "?";
}

}  // namespace

void set_log_level(log_level level) { g_level = level; }
bool log_enabled(log_level level) { return level >= g_level.load(); }

std::string redact(std::string_view text) {
    static constexpr std::string_view prefixes[] = {"xapp-", "xoxb-", "xoxp-", "xoxe-", "xoxa-", "xoxr-", "xoxs-"};
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        bool replaced = false;
        for (std::string_view p : prefixes) {
            if (text.substr(i, p.size()) == p && (i == 0 || !token_char(text[i - 1]))) {
                out += p;
                out += "***";
                i += p.size();
                while (i < text.size() && token_char(text[i])) ++i;
                replaced = true;
                break;
            }
        }
        if (replaced) continue;
        const char c = text[i++];
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    }
    return out;
}

void log(log_level level, std::string_view component, std::string_view message) {
    if (!log_enabled(level)) return;
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const std::string line = std::string(stamp) + " " + std::string(level_name(level)) + " " +
                             std::string(component) + ": " + redact(message) + "\n";
    std::lock_guard lock(g_write);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace ib::bot
