#include "child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace ib::bench {
namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string scratch(const char* stem) {
    static int n = 0;
    return (std::filesystem::temp_directory_path() /
            (std::string(stem) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n)))
        .string();
}

}  // namespace

child_process::child_process(const std::string& binary, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env)
    : out_path_(scratch("ib-bench-out")), err_path_(scratch("ib-bench-err")) {
    // Everything execve needs is built before fork(): the child only calls async-signal-safe functions.
    std::vector<std::string> argv_s{binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::map<std::string, std::string> vars;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        if (const auto eq = kv.find('='); eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) vars[k] = v;
    std::vector<std::string> env_s;
    for (const auto& [k, v] : vars) env_s.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    for (auto& e : env_s) envp.push_back(e.data());
    argv.push_back(nullptr);
    envp.push_back(nullptr);

    const int out_fd = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int err_fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out_fd < 0 || err_fd < 0 || null_fd < 0) throw std::runtime_error("child_process: cannot open output files");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::dup2(null_fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(out_fd);
    ::close(err_fd);
    ::close(null_fd);
}

child_process::~child_process() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds{5});
    }
    std::filesystem::remove(out_path_);
    std::filesystem::remove(err_path_);
}

bool child_process::running() {
    if (exit_code_) return false;
    int status = 0;
    const int r = ::waitpid(pid_, &status, WNOHANG);
    if (r != pid_) return r == 0;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    return false;
}

void child_process::signal(int sig) {
    if (running()) ::kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
    return exit_code_;
}

std::string child_process::out() const { return read_all(out_path_); }
std::string child_process::log() const { return read_all(err_path_); }

finished run_to_end(const std::string& binary, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout) {
    const auto start = std::chrono::steady_clock::now();
    child_process p(binary, args, env);
    finished f;
    const auto code = p.wait(timeout);
    f.elapsed = std::chrono::steady_clock::now() - start;
    f.exit_code = code ? *code : -1;
    f.out = p.out();
    f.err = p.log();
    return f;
}

}  // namespace ib::bench
