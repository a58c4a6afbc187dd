// Command-line front end: parses arguments, dispatches to the subcommands and turns every
// failure into one line on stderr and a non-zero exit code.
//   0  success
//   1  the command failed (database unreadable, incident not found, Slack refused the tokens…)
//   2  usage error (unknown command or flag, missing or malformed value)
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ib::cli {

int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ib::cli
