#!/usr/bin/env bash
# Prints the folder holding the Kubernetes binaries of one release in versions.env,
# building whichever are missing from Go modules first.
#
#   ensure-binaries.sh [pinned|oldest]
#     pinned (default)  K8S_VERSION: etcd, kube-apiserver, kube-controller-manager,
#                       kube-scheduler, kube-proxy, kubelet, kubectl (tools/k8s/go.mod)
#     oldest            OLDEST_K8S_VERSION's kube-apiserver and kube-controller-manager
#                       (tools/k8s/oldest/go.mod) beside links to the pinned etcd and
#                       kubectl: a control plane without a node, to run the integration
#                       tests against the oldest apiserver the project supports
#
#   VMCP_K8S_APISERVER_VERSION=V  the release when none is given: K8S_VERSION (default)
#                            or OLDEST_K8S_VERSION
#   KUBEBUILDER_ASSETS=DIR   use the binaries in DIR instead (nothing is built); for
#                            oldest, DIR stands for the pinned release (etcd, kubectl)
#   VMCP_K8S_CACHE=DIR       cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmcp-status/k8s)
#
# Progress goes to stderr; the only line on stdout is the folder. A cold build takes
# many minutes on two cores; later runs find the cache and return at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"

release=${1:-${VMCP_K8S_APISERVER_VERSION:-$K8S_VERSION}}
case "$release" in
  pinned | "$K8S_VERSION")
    release=pinned version=$K8S_VERSION module_dir=$here
    binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl)
    linked=()
    ;;
  oldest | "$OLDEST_K8S_VERSION")
    release=oldest version=$OLDEST_K8S_VERSION module_dir=$here/oldest
    binaries=(kube-apiserver kube-controller-manager)
    linked=(etcd kubectl)
    ;;
  *)
    echo "ensure-binaries: no Kubernetes release '$release' here; there are $K8S_VERSION (pinned) and $OLDEST_K8S_VERSION (oldest)" >&2
    exit 2
    ;;
esac

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ "$release" = pinned ]; then
  for b in "${binaries[@]}"; do
    [ -x "$KUBEBUILDER_ASSETS/$b" ] || { echo "ensure-binaries: KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no executable '$b'" >&2; exit 1; }
  done
  echo "$KUBEBUILDER_ASSETS"; exit 0
fi

cache_root=${VMCP_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcp-status/k8s}
dest="$cache_root/$version"
missing=()
find_missing() {
  missing=()
  for b in "${binaries[@]}" "${linked[@]}"; do [ -x "$dest/$b" ] || missing+=("$b"); done
}
find_missing
if [ ${#missing[@]} -eq 0 ]; then echo "$dest"; exit 0; fi

# The pinned release's own folder, for the binaries linked from it (built first if need be).
[ ${#linked[@]} -eq 0 ] || pinned_dir=$(bash "$here/ensure-binaries.sh" pinned)

. "$here/go-env.sh"
mkdir -p "$dest"
# One build at a time per cache folder: a second caller waits for the first.
exec 9>"$dest/.build.lock"
flock 9
find_missing
if [ ${#missing[@]} -eq 0 ]; then echo "$dest"; exit 0; fi

for b in "${linked[@]}"; do
  [ -x "$dest/$b" ] || ln -sfn "$pinned_dir/$b" "$dest/$b"
done
find_missing
if [ ${#missing[@]} -eq 0 ]; then echo "$dest"; exit 0; fi

minor=${version#v1.}; minor=${minor%%.*}
commit=$(cd "$module_dir" && "$GO" mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"Hash": "\([0-9a-f]\{40\}\)".*/\1/p' | head -n1)
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
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
cd "$module_dir"
for b in "${missing[@]}"; do
  start=$(date +%s)
  echo "ensure-binaries: building $b ($(package_of "$b")) for $version with $("$GO" version | cut -d' ' -f3) into $dest ..." >&2
  "$GO" build -trimpath -ldflags "$ldflags" -o "$tmp/$b" "$(package_of "$b")"
  mv "$tmp/$b" "$dest/$b"   # atomic: a half-built binary is never found in the cache
  echo "ensure-binaries: built $b in $(( $(date +%s) - start ))s" >&2
done
echo "$dest"
