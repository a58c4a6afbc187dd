// TLS client settings for talking to Slack (Web API over HTTPS, Socket Mode over wss://).
#pragma once

#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace ib::bot {

// A client TLS context that verifies peers against the system trust store: TLS >= 1.2,
// ssl::verify_peer, and OpenSSL's default verify paths. Those paths honour SSL_CERT_FILE /
// SSL_CERT_DIR, which is how tests and users name another CA bundle; OpenSSL reads the
// variables when this function runs, so set them before calling it.
// The host-name check and SNI are per connection: the stream that uses the context sets them.
// Throws boost::system::system_error if OpenSSL cannot create the context.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context();

}  // namespace ib::bot
