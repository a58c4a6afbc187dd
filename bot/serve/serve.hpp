// `incident-bot serve`: the review site (core/review/) over the ops HTTP server, reading the
// database through a read-only connection beside `run`. Blocks until SIGINT or SIGTERM.
#pragma once

#include "bot/ops/http_server.hpp"
#include "core/review/site.hpp"

#include <string>

namespace ib::bot {

struct serve_config {
    std::string db_path;
    ops::listen_address listen{"127.0.0.1", "8080"};
    review::site_options site;
};

// Opens the database read-only (throws storage_error when it cannot), starts serving, logs
// "serving the review site on http://HOST:PORT/" and returns 0 after SIGINT/SIGTERM. Throws
// std::runtime_error when it cannot listen.
int run_serve(const serve_config& cfg);

}  // namespace ib::bot
