// The command rules: code, shell and REPL prompts, SQL statements, CLI tools used as commands.
#include "core/tagger/rules.hpp"

#include <string>

namespace ib::tagger {
namespace {

bool line_start(const view& v, std::size_t i) { return i == 0 || v.t[i].gap >= sep_line; }

// A line-initial shell or REPL prompt: "$ ", "root@db-1:~#", "cathy#:", "mysql>", "postgres=#".
std::optional<std::string> prompt_at(const view& v, std::size_t i) {
    if (!line_start(v, i) || v.t[i].kind != tk::word) return std::nullopt;
    const bool more = i + 1 < v.size() && v.t[i + 1].gap < sep_line;
    if (!more) return std::nullopt;
    const sv f = v.t[i].full;
    if (f == "$" || f == "%") return std::string("prompt:$");
    if (f.size() < 2) return std::nullopt;
    for (char c : f)
        if (!is_alnum(c) && c != '_' && c != '-' && c != '.' && c != '@' && c != ':' &&
            c != '~' && c != '/' && c != '#' && c != '$' && c != '>' && c != '=')
            return std::nullopt;
    const std::size_t at = f.find('@');
    const char last = f.back();
    if (at != sv::npos && at > 0 && (last == '#' || last == '$')) return std::string("prompt:user@host");
    if (ends_with(f, "#:") || ends_with(f, "$:") || ends_with(f, "=#") || ends_with(f, "=>"))
        return std::string(last == '>' ? "prompt:repl>" : "prompt:host#");
    if (last == '#' || last == '$' || last == '>') {
        // A bare "name#" / "name>" only when a command follows it ("mysql> SHOW …").
        if (!is_alnum(f[0])) return std::nullopt;
        const sv next = v.w(i + 1);
        if (in(k_tools, next) || in(k_sql_heads, next))
            return std::string(last == '>' ? "prompt:repl>" : "prompt:host#");
    }
    return std::nullopt;
}

// Position where a command may begin: clause start, after a prompt, after a run verb or sudo.
bool command_position(const view& v, std::size_t i) {
    if (clause_start(v, i, false)) return true;
    if (i == 0) return true;
    const sv prev = v.w(i - 1);
    return in(k_run_verbs, prev) || prev == "sudo" || prompt_at(v, i - 1).has_value();
}

std::optional<std::string> sql_at(const view& v, std::size_t i) {
    const sv w = v.w(i);
    if (!in(k_sql_heads, w)) return std::nullopt;
    if (!command_position(v, i)) return std::nullopt;
    const bool caps = v.t[i].orig.size() > 1 && v.t[i].orig[0] >= 'A' && v.t[i].orig[0] <= 'Z' &&
                      v.t[i].orig[1] >= 'A' && v.t[i].orig[1] <= 'Z';
    auto ident = [&](std::size_t k) {
        const sv x = v.w(k);
        return !x.empty() && !in(k_determiners, x) && x != "my" && x != "it" && x != "them";
    };
    if (w == "select") {
        bool signal = caps;
        for (std::size_t k = i + 1; k < v.size() && k < i + window; ++k) {
            if (v.t[k].gap >= sep_clause) break;
            const sv x = v.w(k);
            if (x == "*" || x == "count" || x == "distinct" || v.t[k].gap == sep_comma) signal = true;
            if (x == "from" && k + 1 < v.size() && v.t[k + 1].gap < sep_clause) {
                for (std::size_t m = k + 1; m < v.size() && m < k + window && !signal; ++m) {
                    if (v.t[m].gap >= sep_clause) break;
                    const sv y = v.w(m);
                    signal = y == "where" || y == "limit" || y == "join" || y == "group" ||
                             y == "order" || v.t[m].question;
                }
                if (signal || (k + 1 < v.size() && v.t[k + 1].gap == sep_none && v.w(k + 1).find('_') != sv::npos))
                    return std::string("sql:select");
                return std::nullopt;
            }
        }
        return std::nullopt;
    }
    if (w == "update" && v.joined(i + 1) && ident(i + 1) && v.joined(i + 2) && v.w(i + 2) == "set")
        return std::string("sql:update");
    if (w == "delete" && v.joined(i + 1) && v.w(i + 1) == "from" && v.joined(i + 2) && ident(i + 2))
        return std::string("sql:delete");
    if (w == "insert" && v.joined(i + 1) && v.w(i + 1) == "into" && v.joined(i + 2) && ident(i + 2))
        return std::string("sql:insert");
    if (w == "show" && v.joined(i + 1)) {
        std::size_t k = i + 1;
        if (v.w(k) == "full" && v.joined(k + 1)) ++k;
        const sv x = v.w(k);
        if (x == "processlist" || x == "tables" || x == "databases" || x == "grants" ||
            x == "variables" || x == "slave" || x == "replica" || x == "engine")
            return std::string("sql:show");
    }
    if (w == "explain" && v.joined(i + 1) && (v.w(i + 1) == "analyze" || v.w(i + 1) == "select"))
        return std::string("sql:explain");
    if ((w == "alter" || w == "create" || w == "drop" || w == "truncate") && v.joined(i + 1)) {
        const sv x = v.w(i + 1);
        if ((x == "table" || x == "index" || x == "database") && v.joined(i + 2) && ident(i + 2) &&
            (caps || w == "alter" || w == "truncate"))
            return std::string("sql:ddl");
    }
    return std::nullopt;
}

// A known tool used as something run: at a command position with arguments, a subcommand,
// "on <host>", or on its own for tools that need no arguments; anywhere when flags follow.
std::optional<std::string> cli_at(const view& v, std::size_t i) {
    sv tool = v.w(i);
    // grep doubles as a verb: "grep for X in …", "grepping the logs for 499s".
    if (tool == "grepping" || tool == "grepped") return std::string("cli:grep");
    if (!in(k_tools, tool)) return std::nullopt;
    const bool positioned = command_position(v, i);
    std::size_t a = i + 1;  // first argument
    if (tool == "sudo") {
        if (!v.joined(a)) return std::nullopt;
        if (in(k_tools, v.w(a)) && v.w(a) != "sudo") {
            tool = v.w(a);
            ++a;
        } else if (positioned && arg_like(v.t[a])) {
            return std::string("cli:sudo");
        } else {
            return std::nullopt;
        }
    }
    const std::string name = "cli:" + std::string(tool);
    const bool has_arg = a < v.size() && v.t[a].gap < sep_clause;
    // A tool after a run verb or a shell pipe is run whatever follows it.
    const bool after_run_verb =
        (i > 0 && in(k_run_verbs, v.w(i - 1)) && v.joined(i)) || v.t[i].after_pipe;

    if (!positioned) {
        // Mid-sentence only with unmistakable flags: "check with kubectl -n x get pods".
        if (has_arg && v.joined(a) && arg_like(v.t[a]) && !v.t[a].low.empty() && v.t[a].low[0] == '-')
            return name;
        if (has_arg && in(k_subcommand_tools, tool) && in(k_subcommands, v.w(a)) &&
            a + 1 < v.size() && v.joined(a + 1) && arg_like(v.t[a + 1]))
            return name;
        return std::nullopt;
    }
    if (!has_arg) {
        if (after_run_verb || (in(k_bare_tools, tool) && line_start(v, i)) ||
            (in(k_bare_tools, tool) && i > 0 && prompt_at(v, i - 1)))
            return name;
        return std::nullopt;
    }
    if (tool == "grep" && (v.w(a) == "for" || v.w(a) == "through")) return name;
    if (after_run_verb && !in(k_prose_breakers, v.w(a))) return name;
    if (in(k_subcommand_tools, tool) && v.joined(a) && in(k_subcommands, v.w(a))) return name;
    // Arguments within the next few tokens, unless prose intervenes ("ping me", "top of the hour").
    for (std::size_t k = a; k < v.size() && k < a + 4; ++k) {
        if (k > a && v.t[k].gap >= sep_clause) break;
        if (in(k_prose_breakers, v.w(k))) break;
        if (arg_like(v.t[k])) return name;
        if (k == a && v.t[k].gap == sep_colon) break;
    }
    // "top on worker-5:"
    if (in(k_bare_tools, tool) && v.joined(a) && v.t[a].gap == sep_none) {
        const sv p = v.w(a);
        if ((p == "on" || p == "at") && a + 1 < v.size() && host_like(v.w(a + 1))) return name;
    }
    if (in(k_bare_tools, tool) && v.t[a].gap == sep_colon) return name;
    return std::nullopt;
}

}  // namespace

std::optional<tag_hit> command_rule(const view& v) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v.t[i].kind == tk::code_block) return tag_hit{tag::command, "code-block"};
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v.t[i].kind == tk::code_span) return tag_hit{tag::command, "code-span"};
    for (std::size_t i = 0; i < v.size(); ++i)
        if (auto p = prompt_at(v, i)) return tag_hit{tag::command, *p};
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (auto s = sql_at(v, i)) return tag_hit{tag::command, *s};
        if (auto c = cli_at(v, i)) return tag_hit{tag::command, *c};
    }
    return std::nullopt;
}

}  // namespace ib::tagger
