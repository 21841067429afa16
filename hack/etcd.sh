#!/usr/bin/env bash
# Start a local etcd for development, in the foreground (Ctrl-C stops it).
#   hack/etcd.sh [1|3] [--tls DIR]   one member on 127.0.0.1:2379, or three on 2379/22379/32379
# --tls DIR: clients speak https and must present a certificate of DIR's CA (etcd's --client-cert-auth). Missing
# files are made with `drover tls` (a CA, a serving certificate for etcd, a client certificate for drover server);
# use a directory of its own (the file names are drover tls's defaults).
# Data lives under .data/etcd/ in the repository (kept across runs; delete it to start empty).
# The backend quota is raised to 8 GiB: etcd's 2 GiB default fills up in million-allocation runs.
# Env: DROVER_ETCD_BIN (binary, default etcd on PATH), DROVER_ETCD_DATA (data root, default <repo>/.data/etcd),
# DROVER_ETCD_BASE_PORT (client ports BASE, BASE+2, BASE+4 and peer ports one above each, instead of the defaults).
# (Not ETCD_*: etcd reads every ETCD_* variable as one of its own flags.)
set -euo pipefail

members="${1:-1}"
tls_dir=""
if [[ "${2:-}" == "--tls" ]]; then tls_dir="${3:?usage: $0 [1|3] [--tls DIR]}"; fi
if [[ "$members" != 1 && "$members" != 3 ]] || [[ -n "${2:-}" && -z "$tls_dir" ]]; then
  echo "usage: $0 [1|3] [--tls DIR]" >&2
  exit 2
fi
etcd_bin="${DROVER_ETCD_BIN:-$(command -v etcd || true)}"
if [[ -z "$etcd_bin" ]]; then
  echo "etcd not found: apt-get install etcd-server (or set DROVER_ETCD_BIN=/path/to/etcd)" >&2
  exit 1
fi
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DROVER_ETCD_DATA:-$repo/.data/etcd}"
mkdir -p "$data"

client_ports=(2379 22379 32379)
peer_ports=(2380 22380 32380)
if [[ -n "${DROVER_ETCD_BASE_PORT:-}" ]]; then
  b="$DROVER_ETCD_BASE_PORT"
  client_ports=("$b" "$((b + 2))" "$((b + 4))")
  peer_ports=("$((b + 1))" "$((b + 3))" "$((b + 5))")
fi
scheme=http
tls_flags=()
curl_tls=()
drover_tls=""
if [[ -n "$tls_dir" ]]; then
  mkdir -p "$tls_dir"
  tls_dir="$(cd "$tls_dir" && pwd)"
  drover=(node "$repo/cmd/drover/bin.js")
  [[ -f "$tls_dir/drover-ca.pem" ]] || "${drover[@]}" tls ca create --out-dir "$tls_dir" --common-name drover-etcd-ca
  tls_ca=(--ca "$tls_dir/drover-ca.pem" --ca-key "$tls_dir/drover-ca-key.pem" --out-dir "$tls_dir")
  [[ -f "$tls_dir/drover-server.pem" ]] || "${drover[@]}" tls cert create server --name etcd "${tls_ca[@]}"
  [[ -f "$tls_dir/drover-client-drover-apiserver.pem" ]] || "${drover[@]}" tls cert create client --name drover-apiserver "${tls_ca[@]}"
  scheme=https
  tls_flags=(--cert-file "$tls_dir/drover-server.pem" --key-file "$tls_dir/drover-server-key.pem" --client-cert-auth --trusted-ca-file "$tls_dir/drover-ca.pem")
  curl_tls=(--cacert "$tls_dir/drover-ca.pem" --cert "$tls_dir/drover-client-drover-apiserver.pem" --key "$tls_dir/drover-client-drover-apiserver-key.pem")
  drover_tls=" --etcd-cafile $tls_dir/drover-ca.pem --etcd-certfile $tls_dir/drover-client-drover-apiserver.pem --etcd-keyfile $tls_dir/drover-client-drover-apiserver-key.pem"
fi
cluster=""
endpoints=""
for ((i = 0; i < members; i++)); do
  cluster+="${cluster:+,}m$i=http://127.0.0.1:${peer_ports[$i]}"
  endpoints+="${endpoints:+,}$scheme://127.0.0.1:${client_ports[$i]}"
done

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

for ((i = 0; i < members; i++)); do
  # A data dir that already holds a member rejoins it; --initial-* flags only matter the first time.
  "$etcd_bin" \
    --name "m$i" \
    --data-dir "$data/m$i" \
    --listen-client-urls "$scheme://127.0.0.1:${client_ports[$i]}" \
    --advertise-client-urls "$scheme://127.0.0.1:${client_ports[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${peer_ports[$i]}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${peer_ports[$i]}" \
    --initial-cluster "$cluster" \
    --initial-cluster-state new \
    --initial-cluster-token "drover-dev-$members" \
    --quota-backend-bytes 8589934592 \
    --logger zap --log-outputs "$data/m$i.log" "${tls_flags[@]}" &
  pids+=("$!")
done

for ((i = 0; i < members; i++)); do
  for _ in $(seq 1 100); do
    if curl -fsS "${curl_tls[@]}" "$scheme://127.0.0.1:${client_ports[$i]}/health" 2>/dev/null | grep -q '"true"'; then break; fi
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "etcd member m$i exited; see $data/m$i.log" >&2
      exit 1
    fi
    sleep 0.1
  done
done

echo "etcd ($members member(s)) ready; data in $data, logs in $data/m*.log"
echo "endpoints: $endpoints"
echo "drover:    drover server --etcd-endpoints $endpoints$drover_tls"
wait -n "${pids[@]}"
echo "an etcd member exited; stopping" >&2
