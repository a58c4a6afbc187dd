// Scoring and explaining with the compiled-in linear model (see model.hpp).
#include "core/tagging/model.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ib::tagging {

const weight_row* find(const model_data& m, std::uint32_t id) {
    if (m.keys.empty() || id == 0) return nullptr;
    const std::size_t mask = m.keys.size() - 1;
    for (std::size_t s = id & mask;; s = (s + 1) & mask) {
        const std::uint32_t k = m.keys[s];
        if (k == id) return &m.weights[s];
        if (k == 0) return nullptr;
    }
}

namespace {

// The weights of each feature of a message, looked up once (the first k_cached of them kept in a
// fixed buffer, the rest looked up again when asked).
class weights_of {
public:
    weights_of(const model_data& m, std::span<const feature> features) : m_(m), features_(features) {
        for (std::size_t i = 0; i < features.size() && i < k_cached; ++i) cached_[i] = find(m, features[i].id);
    }
    const weight_row* operator[](std::size_t i) const { return i < k_cached ? cached_[i] : find(m_, features_[i].id); }
    std::size_t size() const { return features_.size(); }

private:
    static constexpr std::size_t k_cached = 256;
    const model_data& m_;
    std::span<const feature> features_;
    std::array<const weight_row*, k_cached> cached_;
};

std::array<float, k_model_tags> score_clauses(const model_data& m, const tokens& toks,
                                              std::span<const feature> features, const weights_of& rows,
                                              std::uint8_t clause_tags) {
    std::array<std::array<std::int64_t, k_model_tags>, k_clauses> sums{};  // 64-bit: no overflow on any input
    std::array<std::int64_t, k_model_tags> wide{};
    std::array<std::uint16_t, k_clauses> size{};
    std::size_t clauses = 0;
    for (std::size_t i = 0; i < features.size(); ++i) {
        const std::uint8_t c = clause_of(toks, features[i]);
        if (c != k_whole_message) {
            ++size[c];
            clauses = std::max<std::size_t>(clauses, c + 1u);
        }
        const weight_row* r = rows[i];
        if (!r) continue;
        auto& into = c == k_whole_message ? wide : sums[c];
        for (std::size_t k = 0; k < k_model_tags; ++k) into[k] += (*r)[k];
    }
    std::array<float, k_model_tags> best{};
    for (std::size_t k = 0; k < k_model_tags; ++k) {
        std::int64_t whole = wide[k];
        for (std::size_t c = 0; c < clauses; ++c) whole += sums[c][k];
        best[k] = m.bias[k] + static_cast<float>(whole) * m.scale;
        if ((clause_tags >> k & 1u) == 0 || clauses < 2) continue;  // one clause is the whole message
        for (std::size_t c = 0; c < clauses; ++c)
            if (size[c] >= k_min_clause_features)
                best[k] = std::max(best[k], m.bias[k] + static_cast<float>(sums[c][k] + wide[k]) * m.scale);
    }
    return best;
}

std::string explain(const tokens& toks, std::span<const feature> features, const weights_of& rows, std::size_t k) {
    // The strongest few contributions in favour, then their names without repeats.
    struct contribution {
        std::int16_t w;
        std::size_t index;
    };
    constexpr std::size_t k_keep = 8;
    std::array<contribution, k_keep> top{};
    std::size_t kept = 0;
    for (std::size_t i = 0; i < features.size(); ++i) {
        const weight_row* r = rows[i];
        if (!r || (*r)[k] <= 0) continue;
        // Insertion into the short list, strongest first.
        if (kept < k_keep)
            ++kept;
        else if ((*r)[k] <= top[kept - 1].w)
            continue;
        std::size_t j = kept - 1;
        for (; j > 0 && top[j - 1].w < (*r)[k]; --j) top[j] = top[j - 1];
        top[j] = {(*r)[k], i};
    }
    std::string out = "model:" + std::string(to_string(k_model_tag_order[k])) + "(";
    std::array<std::string, 3> names;
    std::size_t named = 0;
    for (std::size_t j = 0; j < kept && named < names.size(); ++j) {
        std::string name = describe(toks, features[top[j].index]);
        if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(named), name) !=
            names.begin() + static_cast<std::ptrdiff_t>(named))
            continue;
        if (named > 0) out += ", ";
        out += name;
        names[named++] = std::move(name);
    }
    return out + ")";
}

}  // namespace

std::uint8_t clause_of(const tokens& toks, const feature& f) {
    if (f.tmpl == ft_shape || f.tok >= toks.list.size()) return k_whole_message;
    return toks.list[f.tok].clause;
}

std::array<float, k_model_tags> score(const model_data& m, std::span<const feature> features) {
    std::array<std::int64_t, k_model_tags> sum{};
    for (const feature& f : features) {
        if (const weight_row* r = find(m, f.id))
            for (std::size_t k = 0; k < k_model_tags; ++k) sum[k] += (*r)[k];
    }
    std::array<float, k_model_tags> out{};
    for (std::size_t k = 0; k < k_model_tags; ++k) out[k] = m.bias[k] + static_cast<float>(sum[k]) * m.scale;
    return out;
}

std::array<float, k_model_tags> score_clauses(const model_data& m, const tokens& toks,
                                              std::span<const feature> features, std::uint8_t clause_tags) {
    return score_clauses(m, toks, features, weights_of(m, features), clause_tags);
}

std::vector<tag_hit> decide(const model_data& m, const tokens& toks, std::span<const feature> features) {
    std::vector<tag_hit> hits;
    const weights_of rows(m, features);
    const auto s = score_clauses(m, toks, features, rows, m.clause_tags);
    for (std::size_t k = 0; k < k_model_tags; ++k)
        if (s[k] > m.threshold[k]) hits.push_back({k_model_tag_order[k], explain(toks, features, rows, k)});
    return hits;
}

}  // namespace ib::tagging
