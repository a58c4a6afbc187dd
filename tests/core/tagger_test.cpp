// Tagger tests: the figures (precision/recall/F1 per tag on the tuning corpora, cross-validated,
// and on the held-out set, which fails the suite below the bar), the check that the committed
// model is what the trainer makes of the committed data, then one block per tag asserting what
// fires and why, then robustness. The model's parts (tokeniser, constructions, explanations)
// are tested in tagging_test.cpp.
#include "core/tagger.hpp"
#include "core/tagging/model.hpp"
#include "tools/tagger/training.hpp"
#include "tests/support/files.hpp"

#include <doctest/doctest.h>

#include <array>
#include <ctime>
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
// Held-out sets 1-8 judged rounds 1-10 (set 1 five models, set 2 rounds 4-5, set 3 round 5, set 4
// round 6, set 5 round 7, set 6 round 8, set 7 round 9, set 8 round 10) and were retired into tuning
// (sets 1-3 in round 6, set 4 in round 7, set 5 in round 8, set 6 in round 9, set 7 in round 10,
// set 8 in round 11): the model
// trains on them now, so they no longer
// say how it does on a writer it never read (the left-out figures in README "Tagging" and the next
// held-out set do). Each keeps a floor per tag (k_model_tag_order) so a change that makes the
// tagger worse on them still turns red: the current model's fitted figures rounded down to 0.01 (a
// perfect 1.000 floored at 0.99, so one changed line does not turn it red). Their held-out figures
// are in README "Tagging".
struct retired_set {
    const char* file;
    const char* title;
    std::array<double, k_model_tags> floor;
};
constexpr std::array<retired_set, 8> k_retired = {{
    // Round 7 lowered two floors (README "Tagging"): set 1 command 0.99 -> 0.97 (five code spans
    // holding an error string or a log line read as commands) and set 3 action 0.98 -> 0.97.
    // Round 8 lowered set 2 command 0.99 -> 0.98 (F1 0.989: three false commands, one missed).
    {"tagging-heldout.jsonl", "tagging-heldout.jsonl (set 1, retired into tuning in round 6: fitted)", {0.99, 0.97, 0.99, 0.99}},
    {"tagging-heldout2.jsonl", "tagging-heldout2.jsonl (set 2, retired into tuning in round 6: fitted)", {0.99, 0.98, 0.98, 0.99}},
    {"tagging-heldout3.jsonl", "tagging-heldout3.jsonl (set 3, retired into tuning in round 6: fitted)", {0.99, 0.99, 0.97, 0.99}},
    {"tagging-heldout4.jsonl", "tagging-heldout4.jsonl (set 4, retired into tuning in round 7: fitted)", {0.99, 0.99, 0.98, 0.99}},
    {"tagging-heldout5.jsonl", "tagging-heldout5.jsonl (set 5, retired into tuning in round 8: fitted)", {0.99, 0.98, 0.97, 0.99}},
    // Round 11 lowered set 6 and set 7 command 0.99 -> 0.98 (F1 0.989 and 0.990: 3 false commands
    // each, none missed): with set 8 in tuning the command threshold fell from -0.6 to -1.1.
    {"tagging-heldout6.jsonl", "tagging-heldout6.jsonl (set 6, retired into tuning in round 9: fitted)", {0.99, 0.98, 0.97, 0.98}},
    {"tagging-heldout7.jsonl", "tagging-heldout7.jsonl (set 7, retired into tuning in round 10: fitted)", {0.99, 0.98, 0.99, 0.99}},
    {"tagging-heldout8.jsonl", "tagging-heldout8.jsonl (set 8, retired into tuning in round 11: fitted)", {0.99, 0.99, 0.98, 0.99}},
}};

std::string name(std::size_t k) { return std::string(ib::to_string(k_model_tag_order[k])); }

// With `against_target`, each row also says whether its F1 meets issue 16's target.
void print_table(const std::string& title, std::size_t n, const training::scores& s, bool against_target = false) {
    std::printf("\n%s (%zu messages)\n  %-11s %9s %9s %9s %5s %5s %5s\n", title.c_str(), n, "tag", "precision",
                "recall", "F1", "tp", "fp", "fn");
    for (std::size_t k = 0; k < k_model_tags; ++k) {
        std::printf("  %-11s %9.3f %9.3f %9.3f %5d %5d %5d", name(k).c_str(), s[k].precision(), s[k].recall(),
                    s[k].f1(), s[k].tp, s[k].fp, s[k].fn);
        if (against_target)
            std::printf("  %s F1 %.2f", s[k].f1() >= k_heldout_f1 ? "meets target" : "below target", k_heldout_f1);
        std::printf("\n");
    }
    std::fflush(stdout);
}

// What tag_message (the model, as the bot runs it) gives each example, scored. With
// `show_misses` the disagreements are listed too: only ever for the tuning corpora.
training::scores figures(const std::string& title, const std::vector<training::example>& data, bool show_misses,
                         bool against_target = false) {
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
    print_table(title, data.size(), s, against_target);
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

// Why `text` got `t` (tag_hit::rule), or "" when the tag is absent.
std::string rule(std::string_view text, tag t) {
    for (const auto& h : tag_message(text))
        if (h.tag == t) return h.rule;
    return {};
}

// Whether `text` got `t`, explained as the model explains it: "model:<tag>(<features>)".
bool tagged(std::string_view text, tag t) {
    const std::string why = rule(text, t);
    const std::string prefix = "model:" + std::string(ib::to_string(t)) + "(";
    return why.rfind(prefix, 0) == 0 && why.size() > prefix.size() + 1 && why.back() == ')';
}

std::vector<tag> tags_of(std::string_view text) {
    std::vector<tag> out;
    for (const auto& h : tag_message(text)) out.push_back(h.tag);
    return out;
}

// CPU time this thread spent in f, in milliseconds: a bound on the tagger's work that holds on a
// loaded machine (ctest -j, other builds), where wall time also counts time spent preempted.
double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

template <class F>
double millis(F&& f) {
    const double t0 = thread_cpu_ms();
    f();
    return thread_cpu_ms() - t0;
}

}  // namespace

// Linear time on huge input: a quadratic scan of 200-500 KB takes seconds. Under ASan (the
// sanitizer pass, beside other suites on 2 cores) the same linear work took 62 ms in CI.
#if defined(__SANITIZE_ADDRESS__)
constexpr double k_linear_budget_ms = 250.0;
#else
constexpr double k_linear_budget_ms = 50.0;
#endif

TEST_SUITE("tagger") {

TEST_CASE("figures: tuning corpora, as fitted and cross-validated") {
    // As fitted: the tagger was trained on these, so this shows what it learned, not how it
    // generalises; the cross-validated figure below is the one tuned for.
    const auto data = k_source / "tests" / "data";
    figures("tagging-train.jsonl (training, fitted)", training::load_corpus(data / "tagging-train.jsonl"), true);
    figures("tagging-train2.jsonl (training, fitted)", training::load_corpus(data / "tagging-train2.jsonl"), true);
    figures("tagging-train3.jsonl (training, fitted)", training::load_corpus(data / "tagging-train3.jsonl"), true);
    figures("tagging-train4.jsonl (training, fitted)", training::load_corpus(data / "tagging-train4.jsonl"), true);
    figures("tagging-train5.jsonl (training, fitted)", training::load_corpus(data / "tagging-train5.jsonl"), true);
    figures("tagging-train6.jsonl (training, fitted)", training::load_corpus(data / "tagging-train6.jsonl"), true);
    figures("tagging-train7.jsonl (training, fitted)", training::load_corpus(data / "tagging-train7.jsonl"), true);
    figures("tagging-cases.jsonl (training, fitted)", training::load_corpus(data / "tagging-cases.jsonl"), true);
    figures("shared tagging-corpus.jsonl (training, fitted)",
            training::load_corpus(k_shared / "data" / "tagging-corpus.jsonl",
                                  training::load_relabels(data / "tagging-corpus-relabels.jsonl")),
            true);
    const auto& r = trainer_run();
    print_table("cross-validated on the tuning corpora (10 folds by situation)", r.oof.size(), r.cv);
    for (std::size_t k = 0; k < k_model_tags; ++k) {
        INFO("tag " << name(k));
        CHECK(r.cv[k].f1() >= k_cv_floor_f1);
    }
}

TEST_CASE("the committed model is what the trainer makes of the committed data") {
    const std::string expected = training::generate_source(trainer_run().model, training::committed_provenance());
    const std::string committed = ib::test::slurp(k_source / "core" / "tagging" / "model_weights.cpp");
    // On a mismatch: the data, the features or the trainer changed without regenerating, or the
    // file was edited by hand. Run `build/train-tagger --write` and commit the result.
    CHECK_MESSAGE(committed == expected, "core/tagging/model_weights.cpp is stale: run build/train-tagger --write");
}

// Held-out sets 1-7 against their floors, after the tuning corpora cross-validated. They judged
// rounds 1-9 and were retired into tuning, so what they print now is fitted, not held out; only
// their totals are printed here (their misses are in the trainer's --misses).
TEST_CASE("figures: retired held-out sets 1-8: a floor per tag") {
    const auto& r = trainer_run();
    print_table("cross-validated on the tuning corpora (10 folds by situation)", r.oof.size(), r.cv, true);
    for (const auto& set : k_retired) {
        const auto s = figures(set.title, training::load_corpus(k_source / "tests" / "data" / set.file), false);
        for (std::size_t k = 0; k < k_model_tags; ++k) {
            INFO(set.file << ", tag " << name(k) << ": F1 " << s[k].f1() << ", floor " << set.floor[k]);
            // 1e-9 absorbs the rounding of an F1 that is exactly its floor (94 tp, 5 fp, 7 fn: 0.94).
            CHECK(s[k].f1() + 1e-9 >= set.floor[k]);
        }
    }
}

// Held-out set 9, written during round 11 by a helper who reads only the definitions
// (/work/team/data/definitions.md), never the code or another corpus. It stayed outside the
// repository until the round-11 model was frozen (0875a8c); the lead then copied it to
// tests/data/tagging-heldout9.jsonl and measured the frozen model once: F1 0.969 / 0.992 / 0.949 /
// 0.937, every tag at issue 16's target. The table says "meets target" or "below target" per tag;
// the floors are the measured figures rounded down to 0.01 (none below the target), so the tagger
// cannot get worse on text it never trained on. (Set 8 judged round 10 once: F1 0.926 / 0.988 /
// 0.924 / 0.917, hypothesis, action and status below the target; it is a retired set above now.)
// Without the file nothing is held out, and this test says so.
constexpr std::array<double, k_model_tags> k_heldout9_floor = {0.96, 0.99, 0.94, 0.93};

TEST_CASE("figures: held-out set 9 (tagging-heldout9.jsonl): issue 16's target, and a floor") {
    const auto path = k_source / "tests" / "data" / "tagging-heldout9.jsonl";
    if (!std::filesystem::exists(path)) {
        std::printf("\ntagging-heldout9.jsonl (held out, set 9): not in the repository yet; nothing is held out "
                    "until the lead copies it in after the round-11 freeze\n");
        std::fflush(stdout);
        return;
    }
    const auto s = figures("tagging-heldout9.jsonl (held out, set 9: the target, measured once)",
                           training::load_corpus(path), false, true);
    for (std::size_t k = 0; k < k_model_tags; ++k) {
        INFO("tag " << name(k) << ": held-out F1 " << s[k].f1() << ", floor " << k_heldout9_floor[k]
                    << " (target " << k_heldout_f1 << ")");
        CHECK(s[k].f1() >= k_heldout9_floor[k]);
    }
}

TEST_CASE("hypothesis: a hedge introducing an explanation") {
    using T = tag;
    for (const char* text : {
             "looks like the queue consumer crashed",
             "I think the cron double-fires since the DST change",
             "i think its the dns cache on the bastion",
             "could it be the WAF rule?",
             "probably a surge in logins from the west coast",
             "the errors are probably coming from old clients",
             "might be a noisy neighbour on that hypervisor",
             "my theory: the deploy changed the default timeout",
             "hypothesis: the health check path changed",
             "I wonder whether it's the sidecar injection",
             "could the TLS handshake be timing out?",
             "I\u2019m fairly sure it\u2019s the expired intermediate cert",
             "pretty sure the 502s come from the idle timeout",
             // A hedge closing its clause qualifies what came before it.
             "the timing suggests the cache warmup, maybe",
         }) {
        INFO(std::string(text));
        CHECK(tagged(text, T::hypothesis));
    }
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
    CHECK(tagged("```\nsudo tail -f /var/log/nginx/error.log\n```", T::command));
    CHECK(tagged("`df -h` on db-3 shows 100%", T::command));
    CHECK(tagged("$ dig +short api.acme.io", T::command));
    CHECK(tagged("root@db-1:~# df -h /var", T::command));
    CHECK(tagged("deploy@bastion:~$ ssh ingest-3", T::command));
    CHECK(tagged("cathy#: top", T::command));
    CHECK(tagged("mysql> SHOW FULL PROCESSLIST;", T::command));
    CHECK(tagged("mysql&gt; SHOW FULL PROCESSLIST;", T::command));  // Slack-escaped
    CHECK(tagged("SELECT count(*) FROM jobs WHERE state = 'stuck';", T::command));
    CHECK(tagged("UPDATE flags SET enabled = false WHERE name = 'x';", T::command));
    CHECK(tagged("kubectl logs deploy/payments --since=15m", T::command));
    CHECK(tagged("docker ps on that host shows restarts", T::command));
    CHECK(tagged("traceroute to 10.4.2.15 dies at hop 2", T::command));
    CHECK(tagged("top on worker-5: load average 48", T::command));
    CHECK(tagged("sudo systemctl restart pgbouncer", T::command));
    CHECK(tagged("grep for 'timeout' in the api logs", T::command));
    CHECK(tagged("ps aux | grep java", T::command));

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
    CHECK(tagged("I'll roll back checkout", T::action));
    CHECK(tagged("I'm going to restart the ingest workers", T::action));
    CHECK(tagged("im gonna cordon the bad node", T::action));
    CHECK(tagged("Let me bounce the pods on node-3", T::action));
    CHECK(tagged("I have her number and can loop her in", T::action));
    CHECK(tagged("about to promote the replica", T::action));
    CHECK(tagged("I'm ready to deploy that change", T::action));
    CHECK(tagged("I'll hold on asking the network team", T::action));
    CHECK(tagged("I'm almost done restarting the server", T::action));
    CHECK(tagged("we're rolling the fix out region by region", T::action));
    CHECK(tagged("paging the database on-call", T::action));
    CHECK(tagged("I think the deploy broke it, rolling back now", T::action));
    CHECK(tagged("rolled back to 3.2.1", T::action));
    CHECK(tagged("just force-pushed the revert", T::action));
    CHECK(tagged("aws ec2 modify-instance-attribute --instance-id i-0abc --instance-type m5.2xlarge", T::action));
    CHECK(tagged("gracefully stopped and started the web services", T::action));
    CHECK(tagged("I found a rogue process and I killed it", T::action));
    CHECK(tagged("I did a full cluster support bundle", T::action));
    CHECK(tagged("I've drained node-7 and cordoned it", T::action));
    // Round 9: "on it" is the writer taking the job (set 6's writer labelled it `action`, and the
    // corpora now agree); "working on it" reads the same way. Until round 8 both were asserted untagged.
    CHECK(tagged("on it", T::action));
    CHECK(tagged("working on it", T::action));

    SUBCASE("not acting on the system or the response") {
        for (const char* text : {
                 "I'm going to read the backscroll first",
                 "I'm going to grab lunch, back in 20",
                 "I'll keep an eye on the error graphs",
                 "Will do",
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
                 "I'm on a customer call but I'm here for backup",  // a known miss until round 5
             }) {
            INFO(std::string(text));
            CHECK(rule(text, T::action).empty());
        }
    }

    SUBCASE("a pasted command acts only when it changes the system; a state report does not act") {
        for (const char* text : {
                 "$ kubectl rollout restart deploy/api -n payments",
                 "restarting the ingest workers now",
             }) {
            INFO(std::string(text));
            CHECK(tagged(text, T::action));
        }
        for (const char* text : {
                 "$ kubectl get pods -n payments -o wide",
                 "`dig +short api.acme.io @8.8.8.8`",
                 "SELECT count(*) FROM orders WHERE status = 'failed';",
                 "curl -I https://shop.acme.io/health",
             }) {
            INFO(std::string(text));
            CHECK(tagged(text, T::command));
            CHECK(rule(text, T::action).empty());
        }
        for (const char* text : {"latency normal now", "db is back", "queue drained, consumers caught up"}) {
            INFO(std::string(text));
            CHECK(tags_of(text).empty());
        }
    }
}

TEST_CASE("status: customer and stakeholder communication") {
    using T = tag;
    CHECK(tagged("the status page has been updated", T::status));
    CHECK(tagged("resolved on <https://status.acme.io|statuspage>", T::status));
    CHECK(tagged("support has 30+ tickets about double charges", T::status));
    CHECK(tagged("Zendesk queue is at 120", T::status));
    CHECK(tagged("people are talking about us on Twitter", T::status));
    CHECK(tagged("leadership wants an update every 30 minutes", T::status));
    CHECK(tagged("I'll work on messaging to send to other teams", T::status));
    CHECK(tagged("comms: next external update in 30 min", T::status));
    CHECK(tagged("posting the customer update now", T::status));
    // What customers say, relayed into the room, is status too (tests/data/README.md).
    CHECK(tagged("customers in APAC are saying the app is blank", T::status));
    // Known misses until round 6 (README "Tagging"; round 7 lost two of them again, and round 8
    // got one back: its status threshold is -0.5; round 10 lost "I'll be comms lead" again, a known
    // miss below):
    CHECK(tagged("12 new tickets from enterprise customers", T::status));

    SUBCASE("the words without the communication") {
        for (const char* text : {
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
    CHECK(tags_of("customers are reporting timeouts, probably the same LB issue") ==
          std::vector<tag>{T::hypothesis, T::status});
    CHECK(tags_of("I'll ping the support lead") == std::vector<tag>{T::status});
    // A known miss of round 7 (its status), got again in round 8, lost again in round 10 (its
    // status is a known miss below).
    CHECK(tagged("restarted the workers with `systemctl restart celery` and support says tickets stopped",
                 T::command));
    CHECK(tagged("restarted the workers with `systemctl restart celery` and support says tickets stopped",
                 T::action));
    // Two code spans, two intents: still one hit per tag.
    const auto hits = tag_message("I'll run `df -h` then I'll run `du -sh /var`");
    CHECK(hits.size() == 2);
    CHECK(tags_of("looks like it crashed. looks like it crashed again") ==
          std::vector<tag>{T::hypothesis});
}

TEST_CASE("known misses: printed, not asserted") {
    // Cases the model does not get yet (most of them the hand-written rules got), listed as known
    // misses in the README ("Tagging"). They are printed so that a change that fixes one shows it
    // (then move it to the tag's own test case and assert it); asserting them here would make the
    // suite red for a documented gap.
    struct known {
        const char* text;
        tag t;
        bool want;
    };
    const known misses[] = {
        {"ran htop on the box, java at 400%", tag::command, true},
        {"delete from sessions where created_at < now()", tag::command, true},
        // Round 6 lost these two (round 5 got them): a tool's verb in prose, a comms intent with the
        // audience as a pronoun. (Round 7 got the third again, now asserted under "hypothesis".)
        {"grepping the ingress logs for 499s", tag::command, true},
        {"we may want to let them know it takes hours", tag::status, true},
        // Round 7 lost three (round 6 got them): its status threshold rose from -1.0 to 0.1
        // log-odds, chosen on the cross-validated scores, and short comms lines fall just below it.
        // Round 8 (threshold -0.5) got two back, now asserted under "status" and "multi-tag".
        {"forwarding from <#C42|support>", tag::status, true},
        // Round 10 lost four (round 9 got them; README "Tagging"): two lines that name an operation
        // without doing one now score just over the action threshold (-0.5, round 9's -0.4), a
        // short comms line just under the status threshold (-0.5), and the status of a line that
        // acts and relays support's word in one clause.
        {"I restarted nothing, just looked", tag::action, false},
        {"I'll take a look at the dashboards", tag::action, false},
        {"I'll be comms lead", tag::status, true},
        {"restarted the workers with `systemctl restart celery` and support says tickets stopped", tag::status, true},
        // Round 11 lost one (a known miss of round 6, got again in round 7): a hedged cause aimed at
        // "your" change scores just under the hypothesis threshold once set 8 trains the model
        // ("… the change is amplifying …" is still asserted under "Slack markup is opaque").
        {"<@U02ABCD7|bob> I think your change is amplifying the load", tag::hypothesis, true},
    };
    int still = 0;
    for (const auto& m : misses) {
        const bool got = !rule(m.text, m.t).empty();
        if (got != m.want) ++still;
        const std::string line = std::string(got == m.want ? "now right: " : "still missed: ") +
                                 (m.want ? "+" : "-") + std::string(ib::to_string(m.t)) + " | " + m.text;
        MESSAGE(line);
    }
    MESSAGE(still << " of " << std::size(misses) << " known misses remain");
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
    CHECK(tagged("<@U024BE7LH> I'll handle the rollback", T::action));
    CHECK(tagged("<@U02ABCD7|bob> I think the change is amplifying the load", T::hypothesis));
    // Words inside link labels and targets are not prose.
    CHECK(tag_message("see <https://wiki/restart-runbook|I'll restart the pods>").empty());
    CHECK(tag_message("<#C1|customers-reporting> <@U9|support> <!here>").empty());
    CHECK(tagged("curl -sv <https://api.acme.io/healthz> returns 503", T::command));
    // Unterminated or malformed markup does not swallow the rest.
    CHECK(tagged("<@U1 I'll restart the api", T::action));
    CHECK(tagged("a < b and I'll restart the api", T::action));
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
        CHECK(tagged(std::string("I'll\0restart the api", 20), tag::action));
    }
    SUBCASE("500 KB message returns quickly and judges a prefix") {
        std::string big = "I think the cache is broken. ";
        while (big.size() < 500 * 1024) big += "a a a the the i'll could be `x` <@U1> ";
        big += "customers are reporting errors";  // beyond the judged prefix
        std::vector<ib::tag_hit> hits;
        const double ms = millis([&] { hits = tag_message(big); });
        MESSAGE("500 KB message tagged in " << ms << " ms");
        CHECK(ms < k_linear_budget_ms);
        CHECK(tagged(big, tag::hypothesis));
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
            CHECK(ms < k_linear_budget_ms);
        }
    }
    SUBCASE("pure: same input, same output") {
        const std::string text = "users are complaining on Twitter, I'm writing the status page update";
        CHECK(tag_message(text) == tag_message(text));
    }
}

}  // TEST_SUITE("tagger")
