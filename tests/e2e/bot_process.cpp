#include "bot_process.hpp"
#include "tests/support/files.hpp"

#include "core/commands.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace ib::test {
namespace {

int decode(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

std::string temp_path(const std::string& stem) {
    static int counter = 0;
    return (std::filesystem::temp_directory_path() /
            (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter)))
        .string();
}

bot_process::bot_process(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env)
    : out_path_(temp_path("ib-out")), err_path_(temp_path("ib-err")) {
    // Build argv and envp before fork: only async-signal-safe calls after it.
    std::vector<std::string> argv_s{binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const auto eq = kv.find('=');
        if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) merged[k] = v;
    std::vector<std::string> env_s;
    for (const auto& [k, v] : merged) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    const int out_fd = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot create output files");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) ::dup2(null_fd, 0);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(out_fd);
    ::close(err_fd);
}

bot_process::~bot_process() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds{5});
    }
    std::filesystem::remove(out_path_);
    std::filesystem::remove(err_path_);
}

bool bot_process::running() {
    if (exit_code_) return false;
    int status = 0;
    const int r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exit_code_ = decode(status);
        return false;
    }
    return r == 0;
}

void bot_process::signal(int sig) {
    if (running()) ::kill(pid_, sig);
}

std::optional<int> bot_process::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return exit_code_;
}

std::string bot_process::log() const { return slurp(err_path_); }
std::string bot_process::output() const { return slurp(out_path_); }

run_result run_to_end(const std::string& binary, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout) {
    bot_process p(binary, args, env);
    run_result r;
    const auto code = p.wait(timeout);
    r.exit_code = code ? *code : -1;
    r.out = p.output();
    r.err = p.log();
    return r;
}

// ---- bot_fixture -------------------------------------------------------------------------

const std::string bot_fixture::app_token = sim::simulator_options{}.app_token;
const std::string bot_fixture::bot_token = sim::simulator_options{}.bot_token;
const std::string bot_fixture::alice = "U0ALICE";
const std::string bot_fixture::bob = "U0BOB";
const std::string bot_fixture::carol = "U0CAROL";

bool has_sanitizer_report(const std::string& log) {
    // Each sanitizer ends its report with a SUMMARY line (LeakSanitizer's says AddressSanitizer).
    return log.find("SUMMARY: AddressSanitizer") != std::string::npos ||
           log.find("SUMMARY: UndefinedBehaviorSanitizer") != std::string::npos;
}

bot_fixture::bot_fixture(sim::simulator_options o) : slack(std::move(o)), db(temp_path("ib-e2e") + ".db") {
    slack.start();
    general = slack.create_channel("general", alice);
}

bot_fixture::~bot_fixture() {
    if (bot) {
        bot->signal(SIGKILL);
        bot->wait(std::chrono::seconds{5});
    }
    retire_bot();
    // Tokens never reach a log, whatever the test did. (The part after the prefix too: the
    // log redacts "xoxb-…" to "xoxb-***", and the secret must not leak in another shape.)
    const std::string logs = all_logs();
    for (const std::string& secret : {app_token, bot_token, app_token.substr(5), bot_token.substr(5)})
        CHECK_MESSAGE(logs.find(secret) == std::string::npos, "a token part (" << secret << ") is in the bot's log");
    CHECK_MESSAGE(!has_sanitizer_report(logs), "a sanitizer report is in the bot's log:\n" << logs);
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db + suffix);
}

void bot_fixture::retire_bot() {
    if (!bot) return;
    old_logs_.push_back(bot->log() + bot->output());
    bot.reset();
}

std::map<std::string, std::string> bot_fixture::env() const {
    return {{"SLACK_API_URL", slack.api_url()}, {"SLACK_APP_TOKEN", app_token}, {"SLACK_BOT_TOKEN", bot_token}};
}

void bot_fixture::start_bot(std::vector<std::string> extra, std::map<std::string, std::string> more_env,
                            bool wait_connected) {
    retire_bot();
    std::vector<std::string> args{"run", "--db", db};
    args.insert(args.end(), extra.begin(), extra.end());
    auto e = env();
    for (auto& [k, v] : more_env) e[k] = v;
    const auto before = slack.connections_opened();
    bot = std::make_unique<bot_process>(binary, args, e);
    if (!wait_connected) return;
    REQUIRE_MESSAGE(slack.wait_for([&] { return slack.connections_opened() > before && slack.open_connections() > 0; },
                                   std::chrono::seconds{20}),
                    "the bot did not connect; its log:\n" << bot->log());
}

void bot_fixture::kill_bot() {
    REQUIRE(bot);
    bot->signal(SIGKILL);
    const auto code = bot->wait(std::chrono::seconds{10});
    REQUIRE_MESSAGE(code == 128 + SIGKILL, "the bot did not die of SIGKILL");
    retire_bot();
}

std::optional<int> bot_fixture::stop_bot(int sig, std::chrono::milliseconds timeout) {
    REQUIRE(bot);
    bot->signal(sig);
    auto code = bot->wait(timeout);
    if (!code) {
        bot->signal(SIGKILL);
        bot->wait(std::chrono::seconds{5});
    }
    retire_bot();
    return code;
}

std::string bot_fixture::all_logs() const {
    std::string out = bot ? bot->log() + bot->output() : std::string();
    for (const auto& l : old_logs_) out += l;
    return out;
}

std::size_t bot_fixture::count_log_lines(const std::vector<std::string>& needles) const {
    const std::string log = bot ? bot->log() : (old_logs_.empty() ? std::string() : old_logs_.back());
    std::size_t n = 0, start = 0;
    while (start < log.size()) {
        auto end = log.find('\n', start);
        if (end == std::string::npos) end = log.size();
        const std::string_view line(log.data() + start, end - start);
        bool all = true;
        for (const auto& needle : needles) all = all && line.find(needle) != std::string_view::npos;
        if (all) ++n;
        start = end + 1;
    }
    return n;
}

std::string bot_fixture::command(const std::string& channel, const std::string& user, const std::string& text) {
    const auto id = slack.slash_command(channel, user, text);
    const auto a = slack.wait_ack(id, std::chrono::seconds{10});
    REQUIRE_MESSAGE(a, "no ack for '/incident " << text.substr(0, 80) << "'; log:\n" << all_logs());
    REQUIRE(a->payload);
    CHECK((*a->payload)["response_type"] == "ephemeral");
    return a->payload->value("text", std::string());
}

std::string bot_fixture::declare(const std::string& title_and_sev, const std::string& title) {
    const auto reply = command(general, alice, "start " + title_and_sev);
    CHECK(reply.find("Incident declared") != std::string::npos);
    const auto ch = slack.channel_by_name(today_channel(title));
    REQUIRE_MESSAGE(ch, "no channel #" << today_channel(title) << "; reply: " << reply);
    REQUIRE(slack.wait_for([&] { return !slack.posted_messages(ch->id).empty(); }, std::chrono::seconds{10}));
    return ch->id;
}

nlohmann::json bot_fixture::export_json(const std::string& incident) const {
    const auto r = run_to_end(IB_BOT_BINARY, {"export", "--db", db, "--incident", incident, "--format", "json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), "export is not valid JSON");
    return j;
}

std::string today_channel(const std::string& title) {
    return channel_name_for(title, std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
}

std::vector<nlohmann::json> entries(const nlohmann::json& exported, const std::string& kind) {
    std::vector<nlohmann::json> out;
    for (const auto& e : exported["timeline"])
        if (e["kind"] == kind) out.push_back(e);
    return out;
}

std::optional<std::string> event_text(const nlohmann::json& envelope) {
    if (!envelope.is_object() || envelope.value("type", "") != "events_api") return std::nullopt;
    const auto p = envelope.find("payload");
    if (p == envelope.end() || !p->is_object()) return std::nullopt;
    const auto e = p->find("event");
    if (e == p->end() || !e->is_object()) return std::nullopt;
    const auto t = e->find("text");
    if (t == e->end() || !t->is_string()) return std::nullopt;
    return t->get<std::string>();
}

}  // namespace ib::test
