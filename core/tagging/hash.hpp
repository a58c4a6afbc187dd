// The tagger's one hash: 64-bit FNV-1a over bytes, finished with a murmur3-style mix. constexpr,
// so the word-class table is built at compile time with the same function that looks words up,
// and identical on every platform, so weights trained on one machine hold on another.
#pragma once

#include <cstdint>
#include <string_view>

namespace ib::tagging {

constexpr std::uint64_t k_fnv_prime = 0x100000001b3ull;

// FNV-1a of `s`, continuing from `h` (a seed, or the hash of a previous piece).
constexpr std::uint64_t hash_bytes(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ull) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= k_fnv_prime;
    }
    return h;
}

// Avalanche: every input bit affects every output bit (murmur3's fmix64).
constexpr std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

// Order-dependent combination of two hashes ("a b" differs from "b a"). Cheap: feature ids are
// finished with mix() once (features.cpp), not at every step.
constexpr std::uint64_t combine(std::uint64_t a, std::uint64_t b) {
    return (a * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull) ^ b;
}

}  // namespace ib::tagging
