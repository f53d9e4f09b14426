#!/usr/bin/env bash
# Install the Debian packages the tests talk to, when missing and when we may (root).
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
command -v tesseract >/dev/null || need+=(tesseract-ocr tesseract-ocr-vie)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Thiếu gói hệ thống: ${need[*]} (cài bằng: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
