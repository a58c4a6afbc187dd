// Reading a whole file in tests: the bot's logs, a lock file, a committed source file.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ib::test {

// The file's bytes; empty when it cannot be opened.
inline std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace ib::test
