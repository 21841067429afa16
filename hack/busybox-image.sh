#!/usr/bin/env bash
# Import the local image drover/busybox:latest into the Drover dockerd (hack/dockerd.sh), built from Debian's
# busybox-static: no registry is reachable here, so this is the image tests and examples run.
#   hack/busybox-image.sh [--force]     (a no-op when the image exists, unless --force)
# The rootfs is /bin/busybox plus one symlink per applet (`busybox --install -s`), and the few directories
# programs expect (/tmp, /etc with passwd/group for `id`, /var/www for httpd).
# Env: DROVER_DOCKER_SOCK (default /run/drover-docker.sock), DROVER_DOCKER_RUN (default /run/drover-docker).
set -euo pipefail

sock="${DROVER_DOCKER_SOCK:-/run/drover-docker.sock}"
run="${DROVER_DOCKER_RUN:-/run/drover-docker}"
image="drover/busybox:latest"
export DOCKER_HOST="unix://$sock"

for _ in $(seq 1 300); do
  curl -fsS --max-time 2 --unix-socket "$sock" http://docker/_ping >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -fsS --max-time 2 --unix-socket "$sock" http://docker/_ping >/dev/null 2>&1; then
  echo "no dockerd answers on $sock: run hack/dockerd.sh first" >&2
  exit 1
fi

mkdir -p "$run"
exec 8>"$run/image.lock"
flock 8

if [[ "${1:-}" != --force ]] && curl -fsS --unix-socket "$sock" "http://docker/images/${image}/json" >/dev/null 2>&1; then
  echo "$image already present"
  exit 0
fi

if [[ ! -x /bin/busybox ]] || ! /bin/busybox --list >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi
if ldd /bin/busybox >/dev/null 2>&1; then
  echo "/bin/busybox is dynamically linked; install busybox-static (apt-get install busybox-static)" >&2
  exit 1
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,tmp,etc,proc,sys,dev,var/www,root}
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
chroot "$rootfs" /bin/busybox --install -s
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
echo '<html><body>drover busybox</body></html>' >"$rootfs/var/www/index.html"

# Import through the Engine API (curl): no docker CLI needed, whatever version is installed.
tar -C "$rootfs" -c . | curl -fsS --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' \
  --data-binary @- "http://docker/images/create?fromSrc=-&repo=drover/busybox&tag=latest" >/dev/null
curl -fsS --unix-socket "$sock" "http://docker/images/${image}/json" >/dev/null
echo "$image imported"
