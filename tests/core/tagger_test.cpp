// Tagger tests: the figures (precision/recall/F1 per tag on the tuning corpora, cross-validated,
// and on the held-out set, which fails the suite below the bar), the check that the committed
// model is what the trainer makes of the committed data, then one block per tag asserting what
// fires and why, then robustness. The model's parts (tokeniser, constructions, explanations)
// are tested in tagging_test.cpp.
#include "core/tagger.hpp"
#include "core/tagging/model.hpp"
#include "core/tagger/hits.hpp"
#include "tools/tagger/training.hpp"

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using ib::tag;
using ib::tag_message;
namespace training = ib::tagging::training;
using ib::tagging::k_model_tag_order;
using ib::tagging::k_model_tags;

const std::filesystem::path k_source = IB_SOURCE_DIR;
const std::filesystem::path k_shared = IB_SHARED_DIR;

// The bar for the held-out set (issue 16), and a floor for the cross-validated figure that only
// a broken trainer or feature change falls through.
constexpr double k_heldout_f1 = 0.93;
constexpr double k_cv_floor_f1 = 0.88;

std::string name(std::size_t k) { return std::string(ib::to_string(k_model_tag_order[k])); }

void print_table(const std::string& title, std::size_t n, const training::scores& s) {
    std::printf("\n%s (%zu messages)\n  %-11s %9s %9s %9s %5s %5s %5s\n", title.c_str(), n, "tag", "precision",
                "recall", "F1", "tp", "fp", "fn");
    for (std::size_t k = 0; k < k_model_tags; ++k)
        std::printf("  %-11s %9.3f %9.3f %9.3f %5d %5d %5d\n", name(k).c_str(), s[k].precision(), s[k].recall(),
                    s[k].f1(), s[k].tp, s[k].fp, s[k].fn);
    std::fflush(stdout);
}

// What tag_message (rules and model, as the bot runs them) gives each example, scored. With
// `show_misses` the disagreements are listed too: only ever for the tuning corpora.
training::scores figures(const std::string& title, const std::vector<training::example>& data, bool show_misses) {
    std::vector<std::array<float, k_model_tags>> got(data.size());
    std::vector<std::string> misses;
    for (std::size_t i = 0; i < data.size(); ++i) {
        got[i].fill(-1);
        std::string why;
        for (const auto& h : tag_message(data[i].text)) {
            why += h.rule + " ";
            for (std::size_t k = 0; k < k_model_tags; ++k)
                if (h.tag == k_model_tag_order[k]) got[i][k] = 1;
        }
        std::string want;
        bool same = true;
        for (std::size_t k = 0; k < k_model_tags; ++k) {
            if (data[i].labels >> k & 1u) want += name(k) + " ";
            same = same && ((data[i].labels >> k & 1u) != 0) == (got[i][k] > 0);
        }
        if (!same) misses.push_back("  miss: \"" + data[i].text + "\" want [" + want + "] got [" + why + "]");
    }
    const std::array<float, k_model_tags> zero{};
    const auto s = training::evaluate(data, got, zero);
    print_table(title, data.size(), s);
    if (show_misses)
        for (const auto& m : misses) std::printf("%s\n", m.c_str());
    return s;
}

// The trainer's run over the tuning corpora, once per process (it takes a second or two).
const training::result& trainer_run() {
    static const training::result r =
        training::run(training::load_tuning_set(k_source, k_shared), training::committed_options());
    return r;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// What a hand-written rule says about `text` for `t` (every rule family run), or "".
std::string hand_rule(std::string_view text, tag t) {
    for (const auto& h : ib::tagger::rule_hits(text))
        if (h.tag == t) return h.rule;
    return {};
}

// The rule that produced `t` for `text`, or "" when the tag is absent.
std::string rule(std::string_view text, tag t) {
    for (const auto& h : tag_message(text))
        if (h.tag == t) return h.rule;
    return {};
}

std::vector<tag> tags_of(std::string_view text) {
    std::vector<tag> out;
    for (const auto& h : tag_message(text)) out.push_back(h.tag);
    return out;
}

template <class F>
double millis(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_SUITE("tagger") {

TEST_CASE("figures: tuning corpora, as fitted and cross-validated") {
    // As fitted: the tagger was trained on these, so this shows what it learned, not how it
    // generalises; the cross-validated figure below is the one tuned for.
    const auto data = k_source / "tests" / "data";
    figures("tagging-train.jsonl (training, fitted)", training::load_corpus(data / "tagging-train.jsonl"), true);
    figures("tagging-cases.jsonl (training, fitted)", training::load_corpus(data / "tagging-cases.jsonl"), true);
    figures("shared tagging-corpus.jsonl (training, fitted)",
            training::load_corpus(k_shared / "data" / "tagging-corpus.jsonl",
                                  training::load_relabels(data / "tagging-corpus-relabels.jsonl")),
            true);
    const auto& r = trainer_run();
    print_table("cross-validated on the three tuning corpora (10 folds by situation)", r.oof.size(), r.cv);
    for (std::size_t k = 0; k < k_model_tags; ++k) {
        INFO("tag " << name(k));
        CHECK(r.cv[k].f1() >= k_cv_floor_f1);
    }
}

TEST_CASE("the committed model is what the trainer makes of the committed data") {
    const std::string expected = training::generate_source(trainer_run().model, training::committed_provenance());
    const std::string committed = read_file(k_source / "core" / "tagging" / "model_weights.cpp");
    // On a mismatch: the data, the features or the trainer changed without regenerating, or the
    // file was edited by hand. Run `build/train-tagger --write` and commit the result.
    CHECK_MESSAGE(committed == expected, "core/tagging/model_weights.cpp is stale: run build/train-tagger --write");
}

TEST_CASE("figures: held-out set") {
    // Written independently of the training corpus and never used for tuning: only the totals
    // are printed, never the messages the tagger gets wrong.
    const auto s = figures("tagging-heldout.jsonl (held out)",
                           training::load_corpus(k_source / "tests" / "data" / "tagging-heldout.jsonl"), false);
    for (std::size_t k = 0; k < k_model_tags; ++k) {
        INFO("tag " << name(k));
        CHECK(s[k].f1() >= k_heldout_f1);
    }
}

TEST_CASE("hypothesis: a hedge introducing an explanation") {
    using T = tag;
    // The hand-written hedge rules name their phrase. The bot does not run them (the model's
    // constructions cover them: see committed_options), but they stay tested as rules.
    const std::pair<const char*, const char*> hedges[] = {
        {"looks like the queue consumer crashed", "hedge:looks like"},
        {"I think the cron double-fires since the DST change", "hedge:i think"},
        {"i think its the dns cache on the bastion", "hedge:i think"},
        {"could it be the WAF rule?", "hedge:could it be"},
        {"probably a surge in logins from the west coast", "hedge:probably"},
        {"the errors are probably coming from old clients", "hedge:probably"},
        {"might be a noisy neighbour on that hypervisor", "hedge:might be"},
        {"my theory: the deploy changed the default timeout", "hedge:my theory"},
        {"hypothesis: the health check path changed", "hedge:hypothesis"},
        {"I wonder whether it's the sidecar injection", "hedge:i wonder whether"},
        {"could the TLS handshake be timing out?", "hedge:could…be?"},
        {"I\u2019m fairly sure it\u2019s the expired intermediate cert", "hedge:fairly sure"},
        {"pretty sure the 502s come from the idle timeout", "hedge:pretty sure"},
        // A hedge closing its clause qualifies what came before it.
        {"the timing suggests the cache warmup, maybe", "hedge:maybe"},
    };
    for (const auto& [text, name] : hedges) {
        INFO(std::string(text));
        CHECK(hand_rule(text, T::hypothesis) == name);
        // And the tagger, which decides with the model, tags it too.
        CHECK(!rule(text, T::hypothesis).empty());
    }
    CHECK(hand_rule("possibly, let's see", T::hypothesis).empty());
    CHECK(rule("possibly, let's see", T::hypothesis).empty());

    SUBCASE("not an explanation: personal state, proposal, estimate, verdict, request") {
        for (const char* text : {
                 "I think I need coffee before I can read more graphs",
                 "I think we should schedule the review for Monday",
                 "I think so",
                 "maybe later, I'm in a meeting",
                 "probably around 4pm before we have an RCA",
                 "might be a while before I get to a laptop",
                 "sounds good, go for it",
                 "seems fine to me",
                 "looks like a plan",
                 "probably not, the timing doesn't line up",
                 "Maybe we should get the DB team in here",
                 "we should probably restart the cache",
                 "Could you temporarily disable these jobs?",
                 "I think your hunch about the pool size is right",
                 "looks like everyone's here, let's start",
             }) {
            INFO(std::string(text));
            CHECK(rule(text, T::hypothesis).empty());
        }
    }
    SUBCASE("a statement of fact is not tentative") {
        CHECK(rule("root cause was the expired cert", T::hypothesis).empty());
        CHECK(rule("the graphs for eu-west look weird", T::hypothesis).empty());
    }
}

TEST_CASE("command: code, prompts, SQL, tools used as commands") {
    using T = tag;
    CHECK(rule("```\nsudo tail -f /var/log/nginx/error.log\n```", T::command) == "code-block");
    CHECK(rule("`df -h` on db-3 shows 100%", T::command) == "code-span");
    CHECK(rule("$ dig +short api.acme.io", T::command) == "prompt:$");
    CHECK(rule("root@db-1:~# df -h /var", T::command) == "prompt:user@host");
    CHECK(rule("deploy@bastion:~$ ssh ingest-3", T::command) == "prompt:user@host");
    CHECK(rule("cathy#: top", T::command) == "prompt:host#");
    CHECK(rule("mysql> SHOW FULL PROCESSLIST;", T::command) == "prompt:repl>");
    CHECK(rule("mysql&gt; SHOW FULL PROCESSLIST;", T::command) == "prompt:repl>");  // Slack-escaped
    CHECK(rule("SELECT count(*) FROM jobs WHERE state = 'stuck';", T::command) == "sql:select");
    CHECK(rule("UPDATE flags SET enabled = false WHERE name = 'x';", T::command) == "sql:update");
    CHECK(rule("delete from sessions where created_at < now()", T::command) == "sql:delete");
    CHECK(rule("kubectl logs deploy/payments --since=15m", T::command) == "cli:kubectl");
    CHECK(rule("docker ps on that host shows restarts", T::command) == "cli:docker");
    CHECK(rule("traceroute to 10.4.2.15 dies at hop 2", T::command) == "cli:traceroute");
    CHECK(rule("top on worker-5: load average 48", T::command) == "cli:top");
    CHECK(rule("sudo systemctl restart pgbouncer", T::command) == "cli:systemctl");
    CHECK(rule("grep for 'timeout' in the api logs", T::command) == "cli:grep");
    CHECK(rule("grepping the ingress logs for 499s", T::command) == "cli:grep");
    CHECK(rule("ran htop on the box, java at 400%", T::command) == "cli:htop");
    CHECK(rule("ps aux | grep java", T::command) == "cli:grep");

    SUBCASE("tools mentioned, preferred or used as English words") {
        for (const char* text : {
                 "I like htop a little better. It's easier to read.",
                 "the runbook mentions kubectl but not the namespace",
                 "who has ssh access to the bastion?",
                 "curl isn't installed in the distroless image",
                 "git is down too?",
                 "top of the hour is when the batch jobs start",
                 "less traffic than usual",
                 "cat pictures incoming",
                 "ping me if you need anything",
                 "dig into the logs when you can?",
                 "Select the 'prod' workspace in the dropdown",
                 "delete that last message, wrong channel",
                 "we use terraform for all of this",
             }) {
            INFO(std::string(text));
            CHECK(rule(text, T::command).empty());
        }
    }
}

TEST_CASE("action: intent, progress or a completed operation by the writer") {
    using T = tag;
    CHECK(rule("I'll roll back checkout", T::action) == "intent:i'll+verb");
    CHECK(rule("I'm going to restart the ingest workers", T::action) == "intent:going to+verb");
    CHECK(rule("im gonna cordon the bad node", T::action) == "intent:gonna+verb");
    CHECK(rule("Let me bounce the pods on node-3", T::action) == "intent:let me+verb");
    CHECK(rule("I have her number and can loop her in", T::action) == "intent:can+verb");
    CHECK(rule("about to promote the replica", T::action) == "intent:about to+verb");
    CHECK(rule("I'm ready to deploy that change", T::action) == "intent:ready to+verb");
    CHECK(rule("I'll hold on asking the network team", T::action) == "intent:i'll+verb");
    CHECK(rule("I'm almost done restarting the server", T::action) == "progressive:i'm+verb");
    CHECK(rule("we're rolling the fix out region by region", T::action) == "progressive:we're+verb");
    CHECK(rule("paging the database on-call", T::action) == "gerund:verb-ing");
    CHECK(rule("I think the deploy broke it, rolling back now", T::action) == "gerund:verb-ing");
    CHECK(rule("rolled back to 3.2.1", T::action) == "done:verb-ed");
    CHECK(rule("gracefully stopped and started the web services", T::action) == "done:verb-ed");
    CHECK(rule("just force-pushed the revert", T::action) == "done:verb-ed");
    CHECK(rule("I found a rogue process and I killed it", T::action) == "done:i+verb-ed");
    CHECK(rule("I did a full cluster support bundle", T::action) == "done:i+verb-ed");
    CHECK(rule("I've drained node-7 and cordoned it", T::action) == "done:i+verb-ed");

    SUBCASE("not acting on the system or the response") {
        for (const char* text : {
                 "I'm going to read the backscroll first",
                 "I'm going to grab lunch, back in 20",
                 "I'll take a look at the dashboards",
                 "I'll keep an eye on the error graphs",
                 "I'm on a customer call but I'm here for backup",
                 "Will do",
                 "working on it",
                 "can someone restart the ingest workers?",
                 "should we roll back?",
                 "has anyone tried restarting it?",
                 "restarting didn't help last time",
                 "started seeing errors around 13:50",
                 "restarted at 14:10 by the autoscaler",
                 "the failover failed to complete",
                 "posted an update on the status page",
                 "Adding <#C0123|inc-2291> for context",
                 "I'll let you know when I'm back",
                 "running low on disk on db-2",
                 "I restarted nothing, just looked",
             }) {
            INFO(std::string(text));
            CHECK(rule(text, T::action).empty());
        }
    }
}

TEST_CASE("status: customer and stakeholder communication") {
    using T = tag;
    CHECK(rule("the status page has been updated", T::status) == "status:status page");
    CHECK(rule("resolved on <https://status.acme.io|statuspage>", T::status) == "status:status page");
    CHECK(!rule("12 new tickets from enterprise customers", T::status).empty());
    CHECK(rule("support has 30+ tickets about double charges", T::status) == "status:support");
    CHECK(rule("Zendesk queue is at 120", T::status) == "status:support");
    CHECK(rule("forwarding from <#C42|support>", T::status) == "status:support");
    CHECK(rule("people are talking about us on Twitter", T::status) == "status:social");
    CHECK(rule("leadership wants an update every 30 minutes", T::status) == "status:stakeholders");
    CHECK(rule("we may want to let them know it takes hours", T::status) == "status:comms");
    CHECK(rule("I'll work on messaging to send to other teams", T::status) == "status:comms");
    CHECK(rule("comms: next external update in 30 min", T::status) == "status:comms");
    CHECK(!rule("posting the customer update now", T::status).empty());

    SUBCASE("the words without the communication") {
        for (const char* text : {
                 // symptoms customers reported, relayed as evidence (tests/data/README.md)
                 "customers in APAC are saying the app is blank",
                 "getting lots of complaints about messages",
                 "status of the rollback?",
                 "the customer_id column is null",
                 "the user service is returning 500s",
                 "support for TLS 1.0 was removed",
                 "the ticket for the follow-up is INC-4412",
                 "I'll open a ticket with Google support.",
                 "Most of those users are on the west coast",
                 "I'm on a customer call for 20 minutes",
                 "I'll let you know when I'm back at my desk",
             }) {
            INFO(std::string(text));
            CHECK(rule(text, T::status).empty());
        }
    }
}

TEST_CASE("multi-tag messages: one hit per tag, in tag order") {
    using T = tag;
    CHECK(tags_of("running `terraform plan` against prod to see the drift") ==
          std::vector<tag>{T::command, T::action});
    // Telling people, even planned, is status alone (tests/data/README.md).
    CHECK(tags_of("I'll take care of updating the status page again") == std::vector<tag>{T::status});
    CHECK(tags_of("maybe it's the cert; I'll renew it with `certbot renew --force-renewal`") ==
          std::vector<tag>{T::hypothesis, T::command, T::action});
    CHECK(tags_of("restarted the workers with `systemctl restart celery` and support says tickets "
                  "stopped") == std::vector<tag>{T::command, T::action, T::status});
    CHECK(tags_of("customers are reporting timeouts, probably the same LB issue") ==
          std::vector<tag>{T::hypothesis});
    CHECK(tags_of("I'll ping the support lead") == std::vector<tag>{T::status});
    // Two code spans, two intents: still one hit per tag.
    const auto hits = tag_message("I'll run `df -h` then I'll run `du -sh /var`");
    CHECK(hits.size() == 2);
    CHECK(tags_of("looks like it crashed. looks like it crashed again") ==
          std::vector<tag>{T::hypothesis});
}

TEST_CASE("empty, whitespace and chatter carry no tags") {
    for (const char* text : {"", " ", "\n\t \r\n", "lol", "+1", ":fire: :fire:", "\xF0\x9F\x98\xAC",
                             "ack", "thanks all", "error rate back to normal"}) {
        INFO(text);
        CHECK(tag_message(text).empty());
    }
}

TEST_CASE("Slack markup is opaque") {
    using T = tag;
    // A mention in front does not hide the clause start.
    CHECK(rule("<@U024BE7LH> I'll handle the rollback", T::action) == "intent:i'll+verb");
    CHECK(!rule("<@U02ABCD7|bob> I think your change is amplifying the load", T::hypothesis).empty());
    // Words inside link labels and targets are not prose.
    CHECK(tag_message("see <https://wiki/restart-runbook|I'll restart the pods>").empty());
    CHECK(tag_message("<#C1|customers-reporting> <@U9|support> <!here>").empty());
    CHECK(rule("curl -sv <https://api.acme.io/healthz> returns 503", T::command) == "cli:curl");
    // Unterminated or malformed markup does not swallow the rest.
    CHECK(rule("<@U1 I'll restart the api", T::action) == "intent:i'll+verb");
    CHECK(rule("a < b and I'll restart the api", T::action) == "intent:i'll+verb");
}

TEST_CASE("robustness: any bytes, bounded time") {
    SUBCASE("invalid UTF-8, NULs and control characters") {
        std::string nasty = "I\xE2\x80 think \xFF\xFE the \x00" "cache\x01\x02 is\x7f broken \xC2";
        nasty += std::string("\0\0\0", 3) + "`unterminated ``` <@ <https://x|" + "\xE2\x80";
        CHECK_NOTHROW(tag_message(nasty));
        std::string all;
        for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
        for (int k = 0; k < 4; ++k) all += all;
        CHECK_NOTHROW(tag_message(all));
        // A NUL is spacing, not an end of string.
        CHECK(rule(std::string("I'll\0restart the api", 20), tag::action) == "intent:i'll+verb");
    }
    SUBCASE("500 KB message returns quickly and judges a prefix") {
        std::string big = "I think the cache is broken. ";
        while (big.size() < 500 * 1024) big += "a a a the the i'll could be `x` <@U1> ";
        big += "customers are reporting errors";  // beyond the judged prefix
        std::vector<ib::tag_hit> hits;
        const double ms = millis([&] { hits = tag_message(big); });
        MESSAGE("500 KB message tagged in " << ms << " ms");
        CHECK(ms < 50.0);
        CHECK(!rule(big, tag::hypothesis).empty());
        CHECK(rule(big, tag::status).empty());
    }
    SUBCASE("pathological repetitions") {
        for (const std::string& unit : {std::string("<"), std::string("`"), std::string("```"),
                                        std::string("&gt;"), std::string("\xE2\x80\x99"),
                                        std::string("?"), std::string("a ")}) {
            std::string s;
            while (s.size() < 200 * 1024) s += unit;
            const double ms = millis([&] { (void)tag_message(s); });
            INFO("unit " << unit << " took " << ms << " ms");
            CHECK(ms < 50.0);
        }
    }
    SUBCASE("pure: same input, same output") {
        const std::string text = "users are complaining on Twitter, I'm writing the status page update";
        CHECK(tag_message(text) == tag_message(text));
    }
}

}  // TEST_SUITE("tagger")
