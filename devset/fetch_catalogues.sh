#!/usr/bin/env bash
# Real gettext catalogues for the catalogue dev set (devset/catalogue.py), into
# devset/.cache/po/NAME.LANG.po (git-ignored): GNU tar, wget, diffutils and findutils from Debian
# bookworm's binary packages (their .mo files, turned back into .po with msgunfmt), Django 4.2.16
# and Sphinx 7.2.6 from their PyPI wheels (.po files as shipped). Needs apt-get download, pip and
# gettext (msgunfmt, msgconv). Idempotent.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${DEVSET_CACHE:-$HERE/.cache}"
out="$CACHE/po"
mkdir -p "$CACHE/catalogues" "$out"
cd "$CACHE/catalogues"
for pkg in tar wget diffutils findutils; do
    ls "${pkg}"_*.deb >/dev/null 2>&1 || apt-get download "$pkg"
done
ls Django-4.2.16-*.whl >/dev/null 2>&1 || python3 -m pip download --quiet --no-deps django==4.2.16 -d .
ls sphinx-7.2.6-*.whl >/dev/null 2>&1 || python3 -m pip download --quiet --no-deps sphinx==7.2.6 -d .
langs="de es fr it ja pl pt_BR ru uk zh_CN"
for deb in *.deb; do
    rm -rf x && mkdir x && dpkg-deb -x "$deb" x
    for lang in $langs; do
        for mo in x/usr/share/locale/"$lang"/LC_MESSAGES/*.mo; do
            [[ -f "$mo" ]] || continue
            msgunfmt "$mo" | msgconv -t UTF-8 -o "$out/$(basename "$mo" .mo).$lang.po"
        done
    done
done
rm -rf x
python3 - "$out" <<'PY'
import sys, zipfile, glob
out = sys.argv[1]
langs = "de es fr it ja pl pt_BR ru uk zh_Hans".split()
for whl, prefix, name in [
    (glob.glob("Django-4.2.16-*.whl")[0], "django/conf/locale/{}/LC_MESSAGES/django.po", "django"),
    (glob.glob("Django-4.2.16-*.whl")[0], "django/contrib/admin/locale/{}/LC_MESSAGES/django.po", "djadmin"),
    (glob.glob("sphinx-7.2.6-*.whl")[0], "sphinx/locale/{}/LC_MESSAGES/sphinx.po", "sphinx"),
]:
    with zipfile.ZipFile(whl) as z:
        names = set(z.namelist())
        for lang in langs:
            if prefix.format(lang) in names:
                with open(f"{out}/{name}.{lang}.po", "wb") as f:
                    f.write(z.read(prefix.format(lang)))
PY
echo "catalogues ready in $out ($(ls "$out" | wc -l) files)"
