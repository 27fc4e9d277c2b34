#!/usr/bin/env bash
# Installs everything nianbao needs on a fresh Debian machine: system packages (headless
# Chromium, LibreOffice without GUI, Tesseract with Simplified Chinese, Redis), then the
# project and its Python dependencies into .venv. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  chromium                # Playwright drives Debian's browser (Playwright's own download is not needed)
  libreoffice-writer-nogui libreoffice-calc-nogui  # .doc/.wps/.xls conversion
  fonts-noto-cjk          # Chinese glyphs when LibreOffice renders PDFs
  tesseract-ocr tesseract-ocr-chi-sim  # OCR of scanned reports
  poppler-utils           # pdftoppm: rasterising PDF pages for OCR
  antiword                # .doc text when LibreOffice is missing (parsers.office fallback)
  redis-server            # shared frontier for scaled-out crawls
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
