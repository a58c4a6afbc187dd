#include "bot/transport/tls.hpp"

#include <boost/asio/ssl/context.hpp>

#include <openssl/ssl.h>

namespace ib::bot {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_client_tls_context() {
    // TLS_client_method: negotiate the best version both sides support...
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);

    // ...but never below TLS 1.2, which Slack requires anyway (slack-protocol.md §4).
    // (ssl::context::tlsv12_client would pin the maximum to 1.2 as well, ruling out TLS 1.3.)
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);

    // Refuse any peer whose chain does not lead to a trusted root. The trust store is the
    // system one unless SSL_CERT_FILE / SSL_CERT_DIR say otherwise.
    ctx->set_verify_mode(ssl::verify_peer);
    ctx->set_default_verify_paths();
    return ctx;
}

}  // namespace ib::bot
