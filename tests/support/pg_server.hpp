// The PostgreSQL server of a test run: the storage suite and the e2e `postgres` suite run against
// the throwaway cluster that ctest's fixture pg.start makes (scripts/pg-cluster.sh), whose URI is
// in the file IB_TEST_PG_URI_FILE names. Each test gets its own schema on it.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace ib::test {

// The server's URI; "" when no server was started for this run (the SQLite run).
inline const std::string& pg_server_uri() {
    static const std::string uri = [] {
        const char* file = std::getenv("IB_TEST_PG_URI_FILE");
        std::string out;
        if (file == nullptr || *file == '\0') return out;
        std::ifstream in(file);
        std::getline(in, out);
        if (out.empty()) throw std::runtime_error(std::string("IB_TEST_PG_URI_FILE: no URI in ") + file);
        return out;
    }();
    return uri;
}

// Runs one statement on `uri`; throws std::runtime_error with the server's first line.
inline std::string pg_exec(const std::string& uri, const std::string& sql) {
    PGconn* c = PQconnectdb(uri.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    const auto status = PQresultStatus(r);
    std::string out, why = PQresultErrorMessage(r);
    if (why.empty()) why = PQerrorMessage(c);
    if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    PQfinish(c);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        if (why.starts_with("ERROR:  ")) why.erase(0, 8);
        if (const auto nl = why.find('\n'); nl != std::string::npos) why.erase(nl);
        throw std::runtime_error(why);
    }
    return out;
}

// A new empty schema on the server: the URI of a database whose search_path is that schema.
inline std::string new_pg_database() {
    static std::atomic<int> counter{0};
    const std::string schema = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    const std::string& server = pg_server_uri();
    if (server.empty()) throw std::runtime_error("new_pg_database: no PostgreSQL server for this run");
    pg_exec(server, "CREATE SCHEMA " + schema);
    return server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + schema;
}

}  // namespace ib::test
