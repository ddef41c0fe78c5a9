#!/usr/bin/env bash
# Builds a minimal Go builder image from the host's Go installation, for
# machines that cannot pull the public golang image (no registry access).
#
#   test/containers/go-toolchain-image.sh [ENGINE] [TAG]
#
# ENGINE defaults to podman, TAG to localhost/go-toolchain:local. The image
# holds GOROOT at /usr/local/go, the CA certificates, an empty /tmp and a
# static busybox as /bin/sh; pass it to the Dockerfile with
# --build-arg GO_IMAGE=TAG (make images GO_IMAGE=TAG).
set -euo pipefail
engine=${1:-podman}
tag=${2:-localhost/go-toolchain:local}
goroot=$(go env GOROOT)
gover=$(go env GOVERSION)

if "$engine" image exists "$tag" 2>/dev/null; then
	have=$("$engine" image inspect --format '{{index .Config.Labels "go.version"}}' "$tag" 2>/dev/null || true)
	if [ "$have" = "$gover" ]; then
		echo "go-toolchain image: $tag ($gover) already present"
		exit 0
	fi
fi
busybox=/bin/busybox # static: from busybox-static
[ -x "$busybox" ] || { echo "go-toolchain image: $busybox is needed (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/tmp" "$work/root/root"
chmod 1777 "$work/root/tmp"
cp "$busybox" "$work/root/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$work/root/bin/$a"
done
tar -C "$work/root" -cf "$work/image.tar" .
# GOROOT goes to /usr/local/go whatever its path on the host.
tar -C / -rf "$work/image.tar" --transform "s,^${goroot#/},usr/local/go," "${goroot#/}"
tar -C / -rf "$work/image.tar" etc/ssl/certs usr/share/ca-certificates
"$engine" import --quiet \
	--change 'ENV PATH=/usr/local/go/bin:/usr/bin:/bin' \
	--change 'ENV HOME=/root' \
	--change 'ENV GOTOOLCHAIN=local' \
	--change "LABEL go.version=$gover" \
	"$work/image.tar" "$tag" >/dev/null
echo "go-toolchain image: built $tag ($gover) from $goroot"
