// The chat lines the burst posts (bench/driver.cpp) and the tagger micro-benchmark times
// (bench/tagger_bench.cpp): varied so the tagger does its real work.
#pragma once

#include <array>
#include <string_view>

namespace ib::bench {

inline constexpr std::array<std::string_view, 8> k_burst_lines = {
    "I think the connection pool on payments-db is exhausted, pool_wait is at 4s",
    "`kubectl rollout restart deploy/payments-api`",
    "Error rate is back to 0.4%, keeping an eye on it",
    "Maybe it's the deploy from 14:05? It touched the retry settings",
    "p99 latency on the gateway is 2.3s, normally 180ms",
    "Rolling back payments-api to v2024.11.3",
    "Looking at the dashboards now",
    "Could be the new index migration holding locks",
};

}  // namespace ib::bench
