// A child process for the benchmark: a bot (or `incident-bot export`) started with arguments and
// extra environment, its stdout and stderr going to temporary files. POSIX only.
// (tests/e2e has a richer harness tied to doctest; the bench needs only this and must not depend
// on the test framework.)
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ib::bench {

class child_process {
public:
    // Starts `binary` (a path) with `args`; `env` is added to, and overrides, this environment.
    child_process(const std::string& binary, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {});
    ~child_process();  // SIGKILL if still running, then removes the output files
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    int pid() const { return pid_; }
    bool running();
    void signal(int sig);
    // The exit code (128 + signal when killed by one); nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    std::string out() const;  // stdout so far
    std::string log() const;  // stderr so far

private:
    int pid_ = -1;
    std::optional<int> exit_code_;
    std::string out_path_, err_path_;
};

struct finished {
    int exit_code = -1;  // -1: timed out (then killed)
    std::string out, err;
    // From spawning the process to seeing it exit (its stdout went to a file); reading the
    // output back afterwards is not part of it.
    std::chrono::steady_clock::duration elapsed{};
};
finished run_to_end(const std::string& binary, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds{120});

}  // namespace ib::bench
