#include "bot/app/fault_injection.hpp"

#include "core/time.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace ib::bot::faults {

void at(std::string_view point) {
    const char* file = std::getenv("IB_FAULTS_FILE");
    if (file == nullptr || *file == '\0') return;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (line == point) throw std::runtime_error(std::string(point) + ": injected fault");
}

std::optional<std::chrono::milliseconds> commit_deadline() {
    const char* v = std::getenv("IB_FAULT_COMMIT_DEADLINE");
    if (v == nullptr || *v == '\0') return std::nullopt;
    const auto d = parse_duration(v);
    if (!d) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

}  // namespace ib::bot::faults
