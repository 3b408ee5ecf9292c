#!/usr/bin/env bash
# Install the front-end packages from npm (package-lock.json) and copy the files the pages
# load into static/vendor/, served by the portal itself: no third-party requests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p static/vendor
cp node_modules/hls.js/dist/hls.min.js static/vendor/hls.min.js
cp node_modules/uppy/dist/uppy.min.js node_modules/uppy/dist/uppy.min.css static/vendor/
cp node_modules/quill/dist/quill.js node_modules/quill/dist/quill.snow.css static/vendor/
