// tag-lines: the tags the compiled-in tagger gives each line of stdin, and why.
//
//   echo "bet it's the LB again" | build/tag-lines
//   hypothesis  model:hypothesis(hedge+explanation, bet it's, [hedge])  | bet it's the LB again
#include "core/tagger.hpp"

#include <cstdio>
#include <iostream>
#include <string>

int main() {
    std::string line;
    while (std::getline(std::cin, line)) {
        std::string tags, why;
        for (const auto& h : ib::tag_message(line)) {
            tags += (tags.empty() ? "" : ",") + std::string(ib::to_string(h.tag));
            why += (why.empty() ? "" : "; ") + h.rule;
        }
        std::printf("%-30s %-70s | %s\n", tags.empty() ? "-" : tags.c_str(), why.c_str(), line.c_str());
    }
    return 0;
}
