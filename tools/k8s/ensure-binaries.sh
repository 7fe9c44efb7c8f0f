#!/usr/bin/env bash
# Prints the folder holding etcd, kube-apiserver, kube-controller-manager and kubectl
# for the pinned release, building whichever are missing from Go modules first.
#
#   KUBEBUILDER_ASSETS=DIR   use the binaries in DIR instead (nothing is built)
#   VMCP_K8S_CACHE=DIR       cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmcp-status/k8s)
#
# Progress goes to stderr; the only line on stdout is the folder. A cold build takes
# many minutes on two cores; later runs find the cache and return at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"

binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl)

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  for b in "${binaries[@]}"; do
    [ -x "$KUBEBUILDER_ASSETS/$b" ] || { echo "ensure-binaries: KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no executable '$b'" >&2; exit 1; }
  done
  echo "$KUBEBUILDER_ASSETS"; exit 0
fi

cache_root=${VMCP_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcp-status/k8s}
dest="$cache_root/$K8S_VERSION"
missing=()
for b in "${binaries[@]}"; do [ -x "$dest/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$dest"; exit 0; fi

. "$here/go-env.sh"
mkdir -p "$dest"
# One build at a time per cache folder: a second caller waits for the first.
exec 9>"$dest/.build.lock"
flock 9
missing=()
for b in "${binaries[@]}"; do [ -x "$dest/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$dest"; exit 0; fi

minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
commit=$(cd "$here" && "$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"Hash": "\([0-9a-f]\{40\}\)".*/\1/p' | head -n1)
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  [ -n "$commit" ] && ldflags+=" -X $pkg.gitCommit=$commit"
done

package_of() {
  case "$1" in
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    *) echo "k8s.io/kubernetes/cmd/$1" ;;
  esac
}

tmp=$(mktemp -d "$dest/.build.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
cd "$here"
for b in "${missing[@]}"; do
  start=$(date +%s)
  echo "ensure-binaries: building $b ($(package_of "$b")) for $K8S_VERSION with $("$GO" version | cut -d' ' -f3) into $dest ..." >&2
  "$GO" build -trimpath -ldflags "$ldflags" -o "$tmp/$b" "$(package_of "$b")"
  mv "$tmp/$b" "$dest/$b"   # atomic: a half-built binary is never found in the cache
  echo "ensure-binaries: built $b in $(( $(date +%s) - start ))s" >&2
done
echo "$dest"
