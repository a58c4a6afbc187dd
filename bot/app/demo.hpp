// `incident-bot demo`: runs the real bot against the bundled Slack simulator and replays a sample
// incident (J. Hand, Post-Incident Reviews, ch. 6: the login page is down, an unknown process is
// at 92% CPU, the status page is updated, service is restored), then prints the timeline and the
// summary. No Slack workspace needed.
#pragma once

#include <iosfwd>
#include <string>

namespace ib::bot {

struct demo_options {
    std::string db_path;  // empty: a fresh file in the temp directory
    bool quiet = false;   // no bot log lines on stderr
};

// Returns the exit code (0 when the whole story was recorded and summarised).
int run_demo(const demo_options& opts, std::ostream& out);

}  // namespace ib::bot
