// The node's sandbox (pause) image binary, built by tools/node/ensure-node.sh.
module vmcp-status.local/node-pause

go 1.26.0
