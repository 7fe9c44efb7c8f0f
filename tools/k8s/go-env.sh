# Sourced by the scripts here: finds the machine's Go and pins it (no toolchain download).
if command -v go >/dev/null 2>&1; then GO=$(command -v go)
elif [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go
else
  echo "tools/k8s: Go is missing: no 'go' on PATH and none at /usr/local/go/bin/go. Install Go 1.26+ or set KUBEBUILDER_ASSETS to a folder holding etcd, kube-apiserver and kubectl." >&2
  exit 1
fi
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
