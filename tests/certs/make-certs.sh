#!/usr/bin/env bash
# Regenerates the TLS test certificates used by the Slack simulator tests.
# Everything here is for tests only: the private keys are committed on purpose.
#   ca.pem/ca.key                 test CA ("incident-bot test CA")
#   server.pem/server.key         signed by ca, SANs 127.0.0.1 + localhost
#   other-ca.pem/other-ca.key     an unrelated CA
#   other-server.pem/.key         signed by other-ca, SANs 127.0.0.1 + localhost (bot must refuse: unknown CA)
#   wronghost.pem/.key            signed by ca, SAN wrong.example only (bot must refuse: host mismatch)
# Validity: 100 years. Usage: tests/certs/make-certs.sh (writes next to itself).
set -euo pipefail
cd "$(dirname "$0")"

days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# make_ca NAME SUBJECT: self-signed CA certificate NAME.pem with key NAME.key
make_ca() {
  openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days "$days" \
    -keyout "$1.key" -out "$1.pem" -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
}

# make_leaf NAME CA CN SANS: server certificate NAME.pem/NAME.key signed by CA.pem/CA.key
make_leaf() {
  local name=$1 ca=$2 cn=$3 sans=$4
  openssl req -new -newkey rsa:2048 -nodes -sha256 \
    -keyout "$name.key" -out "$tmp/$name.csr" -subj "/O=incident-bot tests/CN=$cn" 2>/dev/null
  cat > "$tmp/$name.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$sans
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
EXT
  openssl x509 -req -in "$tmp/$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
    -CAserial "$tmp/$ca.srl" -days "$days" -sha256 -extfile "$tmp/$name.ext" -out "$name.pem" 2>/dev/null
}

make_ca ca "/O=incident-bot tests/CN=incident-bot test CA"
make_ca other-ca "/O=someone else/CN=unrelated test CA"
make_leaf server ca 127.0.0.1 "IP:127.0.0.1,DNS:localhost"
make_leaf other-server other-ca 127.0.0.1 "IP:127.0.0.1,DNS:localhost"
make_leaf wronghost ca wrong.example "DNS:wrong.example"
chmod 644 ./*.key ./*.pem

# Sanity: the good chain verifies, the others do not verify against ca.pem for 127.0.0.1.
openssl verify -CAfile ca.pem -verify_ip 127.0.0.1 server.pem >/dev/null
if openssl verify -CAfile ca.pem other-server.pem >/dev/null 2>&1 ||
   openssl verify -CAfile ca.pem -verify_ip 127.0.0.1 wronghost.pem >/dev/null 2>&1; then
  echo "make-certs.sh: a certificate that must be refused verifies" >&2
  exit 1
fi
echo "test certificates written to $(pwd)"
