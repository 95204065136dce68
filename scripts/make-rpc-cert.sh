#!/usr/bin/env bash
# Makes (or renews) the TLS certificate of a hospital's medchain RPC with OpenSSL, signed by a
# CA that this script keeps in DIR and reuses. Apps trust DIR/ca.pem (`medchain --ca-file`).
#
#   scripts/make-rpc-cert.sh DIR NAME [HOST…]
#
# Writes DIR/ca.pem and DIR/ca.key (on the first run only), then DIR/NAME.pem (the certificate,
# valid 397 days) and DIR/NAME.key (its key, mode 0600), for the host names and IP addresses
# HOST… (default: localhost 127.0.0.1). Each file is written beside its place and renamed into
# it, so a node that reads them (it looks every second) never sees half a file: running the
# script again rotates the certificate without a restart. A hospital with its own CA signs
# DIR/NAME.csr with it instead and puts the answer in DIR/NAME.pem.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
dir=$1 name=$2
shift 2
hosts=("$@")
[ ${#hosts[@]} -gt 0 ] || hosts=(localhost 127.0.0.1)
command -v openssl >/dev/null || { echo "make-rpc-cert: openssl is not installed" >&2; exit 1; }
umask 077
mkdir -p "$dir"

if [ ! -s "$dir/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=medchain RPC CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  chmod 644 "$dir/ca.pem"
  echo "make-rpc-cert: new CA $dir/ca.pem (keep $dir/ca.key offline)" >&2
fi

san=""
for host in "${hosts[@]}"; do
  if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then san+="IP:$host,"; else san+="DNS:$host,"; fi
done
extensions=$(mktemp)
trap 'rm -f "$extensions" "$dir/$name.key.new" "$dir/$name.pem.new"' EXIT
printf '%s\n' "subjectAltName=${san%,}" "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$extensions"

openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
  -keyout "$dir/$name.key.new" -out "$dir/$name.csr" 2>/dev/null
openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 397 -extfile "$extensions" -out "$dir/$name.pem.new" 2>/dev/null
chmod 644 "$dir/$name.pem.new"
# The key first: a node that reloads in between sees the old certificate with the new key,
# refuses that pair and keeps serving the old one until the certificate follows.
mv "$dir/$name.key.new" "$dir/$name.key"
mv "$dir/$name.pem.new" "$dir/$name.pem"
echo "make-rpc-cert: $dir/$name.pem for ${hosts[*]}, key $dir/$name.key" >&2
