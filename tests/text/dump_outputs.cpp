// Writes every export of every hostile record (hostile_record.hpp) into a directory, for
// check_outputs.py to read back with real parsers: <name>.json, .md, .csv, .svg, and
// cases.json ({name: {"typed": …, "slack": …}}, invalid UTF-8 replaced).
#include "hostile_record.hpp"

#include "core/svg.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: dump_outputs DIR\n";
        return 2;
    }
    const std::string dir = argv[1];
    const auto write = [&](const std::string& name, const std::string& body) {
        std::ofstream f(dir + "/" + name, std::ios::binary);
        f << body;
        return static_cast<bool>(f);
    };
    nlohmann::json cases = nlohmann::json::object();
    for (const auto& h : ib_test::hostile_strings()) {
        const auto r = ib_test::hostile_record(h);
        if (!write(h.name + ".json", ib::export_json(r)) || !write(h.name + ".md", ib::export_markdown(r)) ||
            !write(h.name + ".csv", ib::export_csv(r)) || !write(h.name + ".svg", ib::export_svg(r))) {
            std::cerr << "cannot write into " << dir << "\n";
            return 1;
        }
        cases[h.name] = {{"typed", h.slack.empty() ? h.typed : std::string()}, {"slack", ib_test::slack_text_of(h)}};
    }
    if (!write("cases.json", cases.dump(1, ' ', false, nlohmann::json::error_handler_t::replace))) return 1;
    return 0;
}
