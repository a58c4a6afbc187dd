// Capped exponential backoff with jitter, as a pure function. The caller supplies the
// uniform random value, so core holds no RNG and tests can pin the jitter exactly.
#pragma once

#include <algorithm>
#include <chrono>

namespace ib {

struct backoff_policy {
    std::chrono::milliseconds base{1000};  // delay after the first failure (before jitter)
    std::chrono::milliseconds cap{30000};  // no delay is ever longer than this
    double jitter_fraction = 0.2;          // share of the delay that is randomised, in [0, 1]
};

// Delay to wait after `attempt` consecutive failures (1 = the first failure; values below 1
// count as 1). The un-jittered delay is base * 2^(attempt-1), capped at `cap`; jitter then
// scales it into [raw * (1 - jitter_fraction), raw], using `random01` (uniform in [0, 1),
// out-of-range values are clamped). The result is therefore never above `cap` and never
// negative. Spreading the delays downwards keeps many restarting bots from reconnecting in step.
inline std::chrono::milliseconds next_delay(int attempt, double random01, const backoff_policy& p = {}) {
    using std::chrono::milliseconds;
    const milliseconds base = std::max(p.base, milliseconds{0});
    const milliseconds cap = std::max(p.cap, milliseconds{0});
    // Double until the cap is reached: at most ~63 rounds whatever `attempt` is, and no overflow.
    milliseconds raw = std::min(base, cap);
    for (int i = 1; i < attempt && raw < cap && raw.count() > 0; ++i) raw = std::min(raw * 2, cap);
    const double jitter = std::clamp(p.jitter_fraction, 0.0, 1.0);
    const double u = std::clamp(random01, 0.0, 1.0);
    const double scale = 1.0 - jitter + jitter * u;
    const auto scaled = static_cast<milliseconds::rep>(static_cast<double>(raw.count()) * scale);
    return std::clamp(milliseconds{scaled}, milliseconds{0}, cap);
}

}  // namespace ib
