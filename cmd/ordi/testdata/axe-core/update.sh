#!/usr/bin/env bash
# Refreshes the vendored axe-core (used by the accessibility browser test
# only, never served) from a pinned npm release.
# Change the version here, run the script, review the diff, commit.
set -euo pipefail
AXE=4.14.1

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent axe-core@$AXE >/dev/null
tar xzf axe-core-$AXE.tgz
cp package/axe.min.js package/LICENSE package/LICENSE-3RD-PARTY.txt "$here"/
echo "axe-core $AXE" >"$here"/VERSION
