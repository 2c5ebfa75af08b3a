#!/usr/bin/env bash
# Install what lianluo needs from the operating system (Debian 12 / Ubuntu), idempotently:
#   - Pango + HarfBuzz subset for WeasyPrint, Noto CJK fonts, qpdf/poppler for PDF checks;
#   - the six Fandol OTF fonts (仿宋/楷/黑/宋), extracted from Debian's texlive-lang-chinese
#     .deb without installing that 255 MB package;
#   - with --browser: Debian's chromium and chromium-driver for the browser tests.
# Uses sudo when not root. Prints a clear message and exits 1 on a system without apt.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
font_dir="${LIANLUO_FANDOL_DIR:-$here/var/fonts/fandol}"
packages=(python3 python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
          fonts-noto-cjk qpdf poppler-utils)
if [[ "${1:-}" == "--browser" ]]; then
  packages+=(chromium chromium-driver)
fi

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "lianluo set-up supports Debian/Ubuntu (apt). On this system install the equivalents of:" >&2
  echo "  ${packages[*]}" >&2
  echo "and put the Fandol OTF fonts in $font_dir (or set LIANLUO_FONT_DIR to your own fonts)." >&2
  exit 1
fi

sudo=""
if [[ "$(id -u)" != "0" ]]; then
  sudo="sudo"
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if (( ${#missing[@]} )); then
  echo ">> installing system packages: ${missing[*]}"
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ ! -f "$font_dir/FandolSong-Bold.otf" ]]; then
  echo ">> extracting the Fandol fonts into $font_dir"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp"
  if ! (cd "$tmp" && apt-get download -q texlive-lang-chinese >/dev/null 2>&1); then
    $sudo apt-get update -q
    (cd "$tmp" && apt-get download -q texlive-lang-chinese)
  fi
  dpkg-deb --fsys-tarfile "$tmp"/texlive-lang-chinese_*.deb \
    | tar -x -C "$tmp" --wildcards '*/fandol/Fandol*.otf'
  mkdir -p "$font_dir"
  find "$tmp" -name 'Fandol*.otf' ! -name 'FandolBraille*' -exec cp {} "$font_dir/" \;
  count="$(find "$font_dir" -name 'Fandol*.otf' ! -name 'FandolBraille*' | wc -l)"
  if [[ "$count" -lt 6 ]]; then
    echo "expected 6 Fandol fonts in $font_dir, found $count" >&2
    exit 1
  fi
fi
echo ">> system packages and fonts are in place"
