#!/usr/bin/env bash
# Prints the path of a helm binary of the pinned release, building it from its Go
# module (helm.sh/helm/v4, cmd/helm) first when the cache has none.
#
#   VMCP_HELM_CACHE=DIR   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/vmcp-status/helm)
#
# helm.sh/helm/v4 has no replace directives, so `go install module@version` builds it
# exactly from its own go.mod and go.sum (checked against the checksum database): no
# go.mod of ours is needed. Progress goes to stderr; the only line on stdout is the
# binary's path. A cold build takes a few minutes on two cores; later runs find the
# cache and return at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.env"

cache_root=${VMCP_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcp-status/helm}
dest="$cache_root/$HELM_VERSION"
if [ -x "$dest/helm" ]; then echo "$dest/helm"; exit 0; fi

. "$here/../k8s/go-env.sh"
mkdir -p "$dest"
# One build at a time per cache folder: a second caller waits for the first.
exec 9>"$dest/.build.lock"
flock 9
if [ -x "$dest/helm" ]; then echo "$dest/helm"; exit 0; fi

# The version `helm version` prints, as helm's own Makefile stamps a release build.
commit=$("$GO" mod download -json "helm.sh/helm/v4@$HELM_VERSION" | sed -n 's/.*"Hash": "\([0-9a-f]\{40\}\)".*/\1/p' | head -n1)
ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION"
ldflags+=" -X helm.sh/helm/v4/internal/version.metadata= -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
[ -n "$commit" ] && ldflags+=" -X helm.sh/helm/v4/internal/version.gitCommit=$commit"

tmp=$(mktemp -d "$dest/.build.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "ensure-helm: building helm (helm.sh/helm/v4/cmd/helm@$HELM_VERSION) with $("$GO" version | cut -d' ' -f3) into $dest ..." >&2
GOBIN="$tmp" CGO_ENABLED=0 "$GO" install -trimpath -ldflags "$ldflags" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
mv "$tmp/helm" "$dest/helm"   # atomic: a half-built binary is never found in the cache
echo "ensure-helm: built helm in $(( $(date +%s) - start ))s" >&2
echo "$dest/helm"
