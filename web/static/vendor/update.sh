#!/usr/bin/env bash
# Refreshes the vendored browser files from pinned npm releases.
# Change a version here, run the script, review the diff, commit.
set -euo pipefail
HTMX=2.0.11
PICO=2.1.1
BARCODE_DETECTOR=3.2.2
ZXING_WASM=3.1.3 # the version barcode-detector@$BARCODE_DETECTOR depends on
IDB=8.0.3

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent htmx.org@$HTMX @picocss/pico@$PICO barcode-detector@$BARCODE_DETECTOR zxing-wasm@$ZXING_WASM idb@$IDB >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done

rm -rf "$here"/htmx "$here"/pico "$here"/barcode-detector "$here"/zxing-wasm "$here"/idb
mkdir -p "$here"/htmx "$here"/pico "$here"/barcode-detector "$here"/zxing-wasm "$here"/idb
cp htmx.org-$HTMX/package/dist/htmx.min.js htmx.org-$HTMX/package/LICENSE "$here"/htmx/
cp picocss-pico-$PICO/package/css/pico.min.css picocss-pico-$PICO/package/LICENSE.md "$here"/pico/
cp barcode-detector-$BARCODE_DETECTOR/package/dist/iife/ponyfill.js barcode-detector-$BARCODE_DETECTOR/package/LICENSE "$here"/barcode-detector/
cp zxing-wasm-$ZXING_WASM/package/dist/reader/zxing_reader.wasm zxing-wasm-$ZXING_WASM/package/LICENSE "$here"/zxing-wasm/
cp idb-$IDB/package/build/umd.js idb-$IDB/package/LICENSE "$here"/idb/
cat > "$here"/VERSIONS <<VERSIONS
htmx.org $HTMX
@picocss/pico $PICO
barcode-detector $BARCODE_DETECTOR
zxing-wasm $ZXING_WASM
idb $IDB
VERSIONS
