//go:build tools

// Package tools pins the CoreDNS command tools/node/ensure-node.sh builds.
package tools

import _ "github.com/coredns/coredns"
