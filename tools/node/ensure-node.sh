#!/usr/bin/env bash
# Prints the folder holding the node's own binaries (containerd, containerd-shim-runc-v2,
# ctr, coredns, pause), building whichever are missing from Go modules first, after
# installing the Debian packages the node needs (runc, CNI plugins, buildah, umoci,
# iptables, conntrack) when they are missing. kubelet, kube-proxy and kube-scheduler come
# from tools/k8s/ensure-binaries.sh (the same pinned k8s.io/kubernetes modules).
#
#   VMCP_NODE_CACHE=DIR   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmcp-status/node)
#
# Installing packages needs root (apt-get). Progress goes to stderr; the only line on
# stdout is the folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"

# Debian packages: command → package.
declare -A packages=(
  [runc]=runc
  [/usr/lib/cni/bridge]=containernetworking-plugins
  [buildah]=buildah
  [umoci]=umoci
  [iptables]=iptables
  [conntrack]=conntrack
  [ip]=iproute2
  [openssl]=openssl
)
missing_packages=()
for cmd in "${!packages[@]}"; do
  if [[ $cmd == /* ]]; then [ -x "$cmd" ] || missing_packages+=("${packages[$cmd]}")
  else command -v "$cmd" >/dev/null 2>&1 || missing_packages+=("${packages[$cmd]}"); fi
done
if [ ${#missing_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-node: the node needs these Debian packages: ${missing_packages[*]} (run as root, or install them: apt-get install -y ${missing_packages[*]})" >&2
    exit 1
  fi
  echo "ensure-node: installing ${missing_packages[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >&2
fi

. "$here/../k8s/go-env.sh"
cache_root=${VMCP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcp-status/node}
dest="$cache_root/containerd-$CONTAINERD_VERSION-coredns-$COREDNS_VERSION"
binaries=(containerd containerd-shim-runc-v2 ctr coredns pause)
have_all() { for b in "${binaries[@]}"; do [ -x "$dest/$b" ] || return 1; done; }
if have_all; then echo "$dest"; exit 0; fi

mkdir -p "$dest"
exec 9>"$dest/.build.lock"
flock 9
if have_all; then echo "$dest"; exit 0; fi

tmp=$(mktemp -d "$dest/.build.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
build() { # name module-dir package [env...]
  local name=$1 dir=$2 pkg=$3; shift 3
  [ -x "$dest/$name" ] && return 0
  local start; start=$(date +%s)
  echo "ensure-node: building $name ($pkg) with $("$GO" version | cut -d' ' -f3) into $dest ..." >&2
  (cd "$here/$dir" && env "$@" "$GO" build -trimpath -ldflags "-s -w" -o "$tmp/$name" "$pkg")
  mv "$tmp/$name" "$dest/$name"
  echo "ensure-node: built $name in $(( $(date +%s) - start ))s" >&2
}
build containerd containerd github.com/containerd/containerd/v2/cmd/containerd
build containerd-shim-runc-v2 containerd github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 CGO_ENABLED=0
build ctr containerd github.com/containerd/containerd/v2/cmd/ctr
build coredns coredns github.com/coredns/coredns CGO_ENABLED=0
build pause pause . CGO_ENABLED=0
echo "$dest"
