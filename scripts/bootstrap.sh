#!/usr/bin/env bash
# Install what a fresh machine lacks: Debian packages, then .venv with the project.
# Fast when everything is there already (a stamp file remembers the last pip install).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || need+=(fonts-dejavu-core)
command -v curl >/dev/null || need+=(curl)
# The deployment test runs deploy/nginx/docnghexem.conf in Debian's nginx (tests/security).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null || need+=(openssl)
command -v npm >/dev/null || need+=(nodejs npm)
# Headless Chromium drives the browser tests (Playwright with executable_path; never
# `playwright install`, which downloads).
command -v chromium >/dev/null || need+=(chromium)
if ! (command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1); then
  command -v redis-server >/dev/null || need+=(redis-server)
fi
for extra in ${EXTRA_APT:-}; do need+=("$extra"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $PY"
  "$PY" -m venv .venv
fi
if [ ! -f .venv/.stamp-pip ] || [ pyproject.toml -nt .venv/.stamp-pip ]; then
  echo "Installing Python packages into .venv"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import app, workers, media_pipeline, gtts, rq, boto3" \
    || { echo "Python install failed" >&2; exit 1; }
  touch .venv/.stamp-pip
fi
[ -f static/vendor/hls.min.js ] && [ static/vendor/hls.min.js -nt package-lock.json ] || scripts/vendor.sh
# Interface translations: compiled from the .po files in git (quiet, a second or less).
.venv/bin/pybabel -q compile -f -d app/translations
