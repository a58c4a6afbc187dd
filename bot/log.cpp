#include "bot/log.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <vector>

namespace ib::bot {
namespace {

std::atomic<log_level> g_level{log_level::info};
std::atomic<log_format> g_format{log_format::text};
std::mutex g_write;

bool token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

std::string_view level_name(log_level l) {
    switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    }
    return "?";
}

// "2026-11-21T14:43:23Z" for text lines; JSON lines add milliseconds.
std::string timestamp(log_format format) {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = stamp;
    if (format == log_format::json) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
        char frac[8];
        std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms));
        out += frac;
    }
    return out + "Z";
}

std::mutex g_secrets_mutex;
std::vector<std::string> g_secrets;  // longest first, so a secret inside another goes with it

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The Slack token prefix that starts at text[i] (any case), or "".
std::string_view token_prefix_at(std::string_view text, std::size_t i) {
    static constexpr std::string_view prefixes[] = {"xoxa-", "xoxb-", "xoxc-", "xoxd-", "xoxe-",
                                                    "xoxp-", "xoxr-", "xoxs-", "xapp-"};
    if (text.size() - i < 5 || (text[i] != 'x' && text[i] != 'X')) return {};
    for (std::string_view p : prefixes) {
        std::size_t k = 0;
        while (k < p.size() && lower(text[i + k]) == p[k]) ++k;
        if (k == p.size()) return p;
    }
    return {};
}

}  // namespace

void set_log_level(log_level level) { g_level = level; }
bool log_enabled(log_level level) { return level >= g_level.load(); }
void set_log_format(log_format format) { g_format = format; }
log_format current_log_format() { return g_format.load(); }

void add_secret(std::string_view secret) {
    if (secret.size() < 8) return;
    std::lock_guard lock(g_secrets_mutex);
    if (std::find(g_secrets.begin(), g_secrets.end(), secret) != g_secrets.end()) return;
    g_secrets.emplace_back(secret);
    std::sort(g_secrets.begin(), g_secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string redact(std::string_view text) {
    // The configured secrets first, verbatim: they need not look like Slack tokens.
    std::string unsecret;
    {
        std::lock_guard lock(g_secrets_mutex);
        if (!g_secrets.empty()) {
            unsecret = std::string(text);
            for (const auto& secret : g_secrets)
                for (auto pos = unsecret.find(secret); pos != std::string::npos; pos = unsecret.find(secret, pos))
                    unsecret.replace(pos, secret.size(), "<redacted>");
            text = unsecret;
        }
    }
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (const std::string_view p = token_prefix_at(text, i); !p.empty()) {
            out += p;  // the prefix says which token it was, in lower case
            out += "***";
            i += p.size();
            while (i < text.size() && token_char(text[i])) ++i;
            continue;
        }
        const char c = text[i++];
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    }
    return out;
}

std::string format_record(log_format format, std::string_view time, log_level level, std::string_view component,
                          std::string_view message, std::span<const log_field> fields) {
    if (format == log_format::json) {
        // nlohmann escapes; invalid UTF-8 (a message quoting what a peer sent) is replaced, so
        // every line stays valid JSON.
        nlohmann::ordered_json j;
        j["time"] = time;
        j["level"] = level_name(level);
        j["component"] = redact(component);
        j["msg"] = redact(message);
        for (const auto& f : fields) {
            std::string key = redact(f.key);
            if (key == "time" || key == "level" || key == "component" || key == "msg") key = "field_" + key;
            j[key] = redact(f.value);
        }
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    std::string line;
    line.reserve(message.size() + 64);
    line += time;
    line += ' ';
    const std::string_view name = level_name(level);
    line += name;
    line.append(5 - std::min<std::size_t>(5, name.size()), ' ');  // "info " and "warn " line up with "error"
    line += ' ';
    line += redact(component);
    line += ": ";
    line += redact(message);
    for (const auto& f : fields) {
        line += ' ';
        line += redact(f.key);
        line += '=';
        line += redact(f.value);
    }
    return line;
}

void log(log_level level, std::string_view component, std::string_view message, log_fields fields) {
    log_with_fields(level, component, message, std::span<const log_field>(fields.begin(), fields.size()));
}

void log_with_fields(log_level level, std::string_view component, std::string_view message,
                     std::span<const log_field> fields) {
    if (!log_enabled(level)) return;
    const log_format format = g_format.load();
    std::string line = format_record(format, timestamp(format), level, component, message, fields);
    line += '\n';
    std::lock_guard lock(g_write);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace ib::bot
