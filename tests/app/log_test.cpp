// Redaction of secrets from every line the bot writes (bot/log).
#include "bot/log.hpp"

#include <doctest/doctest.h>

#include <string>

using ib::bot::add_secret;
using ib::bot::redact;

TEST_SUITE("log") {

TEST_CASE("every Slack token form is redacted, in any case, wherever it starts") {
    for (const char* prefix : {"xoxa-", "xoxb-", "xoxc-", "xoxd-", "xoxe-", "xoxp-", "xoxr-", "xoxs-", "xapp-"}) {
        const std::string token = std::string(prefix) + "1234567890-0987654321-AbCdEfGhIjKl";
        INFO(token);
        CHECK(redact(token) == std::string(prefix) + "***");
        CHECK(redact("token=" + token + "&x=1") == "token=" + std::string(prefix) + "***&x=1");
    }
    // Upper or mixed case is still a token; the placeholder says which kind, in lower case.
    CHECK(redact("XOXB-123-456-abc") == "xoxb-***");
    CHECK(redact("Xapp-1-A0-1-secret") == "xapp-***");
    // Inside a word or right after an encoded space: no boundary is needed.
    CHECK(redact("Authorization: Bearer%20xoxb-123-abc") == "Authorization: Bearer%20xoxb-***");
    CHECK(redact("prefixxoxp-123-abc suffix") == "prefixxoxp-*** suffix");
    CHECK(redact("a1xapp-9-Z") == "a1xapp-***");
    // Two in one line, and one at the very end.
    CHECK(redact("xoxb-1 then xoxe-2") == "xoxb-*** then xoxe-***");
    CHECK(redact("ends with xoxr-") == "ends with xoxr-***");
    // Not tokens: other prefixes, and a prefix cut short.
    CHECK(redact("xoxz-123 xox xapp xoxb") == "xoxz-123 xox xapp xoxb");
    // Control characters never split a line.
    CHECK(redact("a\nb\tc\x7f") == "a?b?c?");
}

TEST_CASE("configured secrets are redacted verbatim, whatever they look like") {
    const std::string odd = "not-a-slack-shape-9f8e7d6c";
    CHECK(redact("echoed: " + odd + ".") == "echoed: " + odd + ".");
    add_secret(odd);
    CHECK(redact("echoed: " + odd + ".") == "echoed: <redacted>.");
    CHECK(redact(odd + odd) == "<redacted><redacted>");
    // A secret inside a longer one: the longer goes whole.
    add_secret("9f8e7d6c-inner");
    add_secret("outer-9f8e7d6c-inner-x");
    CHECK(redact("[outer-9f8e7d6c-inner-x]") == "[<redacted>]");
    // Too short to be a real secret: ignored rather than blanking ordinary words.
    add_secret("abc");
    CHECK(redact("abc") == "abc");
}

}  // TEST_SUITE
