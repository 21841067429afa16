#!/usr/bin/env bash
# Start a private Docker daemon for Drover's docker driver, in the background, and wait until it answers.
#   hack/dockerd.sh          start (a no-op when it already answers); prints the socket
#   hack/dockerd.sh stop     stop the one started here (pidfile)
#   hack/dockerd.sh status   exit 0 when it answers
# Its own socket, data root, exec root and pidfile, so it never touches a system dockerd's state:
#   DROVER_DOCKER_SOCK  (default /run/drover-docker.sock)
#   DROVER_DOCKER_DATA  (default /var/lib/drover-docker: images survive restarts)
#   DROVER_DOCKER_RUN   (default /run/drover-docker: exec root, pidfile, log, lock)
# Installs Debian's docker.io when dockerd is missing (needs root, as dockerd itself does).
# Networking: the defaults (bridge docker0 + iptables) work on these machines and give port mappings; when the
# daemon cannot set them up it is restarted with --iptables=false --bridge=none (containers then have no
# network and published ports do not work; the script says so).
set -euo pipefail

sock="${DROVER_DOCKER_SOCK:-/run/drover-docker.sock}"
data="${DROVER_DOCKER_DATA:-/var/lib/drover-docker}"
run="${DROVER_DOCKER_RUN:-/run/drover-docker}"
pidfile="$run/dockerd.pid"
log="$run/dockerd.log"

answers() { curl -fsS --max-time 2 --unix-socket "$sock" http://docker/_ping >/dev/null 2>&1; }

stop() {
  if [[ -f "$pidfile" ]]; then
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile" "$run/started-by"
}

case "${1:-start}" in
  stop) stop; exit 0 ;;
  status) answers; exit $? ;;
  start) ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac

mkdir -p "$run" "$data"
# One starter at a time: CI's background start and a test's start may race.
exec 9>"$run/lock"
flock 9

if answers; then
  echo "dockerd already answers on $sock"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "dockerd not found; installing Debian's docker.io" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi

launch() {
  rm -f "$sock" "$pidfile"
  # setsid: the daemon outlives this script and the shell that ran it.
  setsid dockerd \
    --host "unix://$sock" \
    --data-root "$data" \
    --exec-root "$run/exec" \
    --pidfile "$pidfile" \
    "$@" >"$log" 2>&1 </dev/null 9>&- &
  local pid=$!
  for _ in $(seq 1 300); do
    if answers; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  return 1
}

if launch; then
  echo "dockerd ready on $sock (data $data, log $log)"
elif launch --iptables=false --bridge=none; then
  echo "dockerd ready on $sock WITHOUT networking (--iptables=false --bridge=none): published ports will not work; see $log" >&2
else
  echo "dockerd did not start; last lines of $log:" >&2
  tail -20 "$log" >&2
  exit 1
fi
# Who started it: test support stops only a daemon that tests started.
echo "${DROVER_DOCKER_STARTED_BY:-hack}" >"$run/started-by"
echo "use: DOCKER_HOST=unix://$sock docker ps   |   drover agent --docker-socket $sock"
