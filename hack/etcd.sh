#!/usr/bin/env bash
# Start a local etcd for development, in the foreground (Ctrl-C stops it).
#   hack/etcd.sh [1|3]   one member on 127.0.0.1:2379, or three on 2379/22379/32379
# Data lives under .data/etcd/ in the repository (kept across runs; delete it to start empty).
# The backend quota is raised to 8 GiB: etcd's 2 GiB default fills up in million-allocation runs.
# Env: DROVER_ETCD_BIN (binary, default etcd on PATH), DROVER_ETCD_DATA (data root, default <repo>/.data/etcd).
# (Not ETCD_*: etcd reads every ETCD_* variable as one of its own flags.)
set -euo pipefail

members="${1:-1}"
if [[ "$members" != 1 && "$members" != 3 ]]; then
  echo "usage: $0 [1|3]" >&2
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
cluster=""
endpoints=""
for ((i = 0; i < members; i++)); do
  cluster+="${cluster:+,}m$i=http://127.0.0.1:${peer_ports[$i]}"
  endpoints+="${endpoints:+,}http://127.0.0.1:${client_ports[$i]}"
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
    --listen-client-urls "http://127.0.0.1:${client_ports[$i]}" \
    --advertise-client-urls "http://127.0.0.1:${client_ports[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${peer_ports[$i]}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${peer_ports[$i]}" \
    --initial-cluster "$cluster" \
    --initial-cluster-state new \
    --initial-cluster-token "drover-dev-$members" \
    --quota-backend-bytes 8589934592 \
    --logger zap --log-outputs "$data/m$i.log" &
  pids+=("$!")
done

for ((i = 0; i < members; i++)); do
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:${client_ports[$i]}/health" 2>/dev/null | grep -q '"true"'; then break; fi
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "etcd member m$i exited; see $data/m$i.log" >&2
      exit 1
    fi
    sleep 0.1
  done
done

echo "etcd ($members member(s)) ready; data in $data, logs in $data/m*.log"
echo "endpoints: $endpoints"
echo "drover:    drover server --etcd-endpoints $endpoints"
wait -n "${pids[@]}"
echo "an etcd member exited; stopping" >&2
