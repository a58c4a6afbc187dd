#include "bot/app/fault_injection.hpp"

#include "core/time.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace ib::bot::faults {

namespace {
bool armed(std::string_view point) {
    const char* file = std::getenv("IB_FAULTS_FILE");
    if (file == nullptr || *file == '\0') return false;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (line == point) return true;
    return false;
}
}  // namespace

void at(std::string_view point) {
    if (armed(point)) throw std::runtime_error(std::string(point) + ": injected fault");
}

void delay_at(std::string_view point, std::chrono::milliseconds d) {
    if (armed(point)) std::this_thread::sleep_for(d);
}

std::optional<std::chrono::milliseconds> commit_deadline() {
    const char* v = std::getenv("IB_FAULT_COMMIT_DEADLINE");
    if (v == nullptr || *v == '\0') return std::nullopt;
    const auto d = parse_duration(v);
    if (!d) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

}  // namespace ib::bot::faults
