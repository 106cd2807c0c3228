#!/usr/bin/env bash
# Tests the CI integration files with the real tools (run by .ci/run; see CONTRIBUTING.md):
# - action.yml and .pre-commit-hooks.yaml parse, and every `inputs.X` the action uses is declared;
# - both pre-commit hooks through `pre-commit try-repo` on a clean and a broken catalogue
#   (`mtcheck` builds this checkout with cargo, `mtcheck-system` runs the built binary);
# - the action's script (scripts/github-action.sh) writes SARIF and the exit code as its output.
# Needs the release build and the default model (models/fetch); installs pre-commit from PyPI into
# target/ci-venv.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${MTCHECK_BIN:-$repo/target/release/mtcheck}"
venv="$repo/target/ci-venv"
if [[ ! -x "$venv/bin/pre-commit" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pre-commit
fi
fail() { echo "ci-integration-check: $*" >&2; exit 1; }

"$venv/bin/python" - "$repo" <<'PY'
import re, sys, yaml
repo = sys.argv[1]
action = yaml.safe_load(open(f"{repo}/action.yml"))
declared = set(action["inputs"])
used = set(re.findall(r"inputs\.([\w-]+)", open(f"{repo}/action.yml").read()))
assert used <= declared, f"action.yml uses undeclared inputs: {used - declared}"
assert action["runs"]["using"] == "composite"
hooks = {h["id"]: h for h in yaml.safe_load(open(f"{repo}/.pre-commit-hooks.yaml"))}
assert set(hooks) == {"mtcheck", "mtcheck-system"}, hooks.keys()
for h in hooks.values():
    for name in ["app.de.po", "a.xlf", "b.tmx"]:
        assert re.search(h["files"], name), (h["id"], name)
    assert not re.search(h["files"], "README.md")
print("ci-integration-check: action.yml and .pre-commit-hooks.yaml are well-formed")
PY

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q .
git config user.email ci@example.invalid
git config user.name ci
cat > app.de.po <<'PO'
msgid ""
msgstr ""
"Language: de\n"
"Content-Type: text/plain; charset=UTF-8\n"

msgid "The file %s could not be opened."
msgstr "Die Datei %s konnte nicht geöffnet werden."

msgid "Save your changes before closing the window."
msgstr "Speichern Sie Ihre Änderungen, bevor Sie das Fenster schließen."

msgid "%d files were copied to the backup folder."
msgstr "%d Dateien wurden in den Sicherungsordner kopiert."

msgid "The connection to the server was lost."
msgstr "Die Verbindung zum Server wurde unterbrochen."
PO
sed 's/msgstr "Die Datei %s konnte/msgstr "Die Datei konnte/' app.de.po > broken.de.po
git add app.de.po broken.de.po
export PRE_COMMIT_HOME="$work/.pre-commit-cache" MTCHECK_MODELS_DIR="$repo/models"

expect() { # expect CODE DESCRIPTION COMMAND...
    local want="$1" what="$2"; shift 2
    set +e; "$@" > "$work/out.txt" 2>&1; local got=$?; set -e
    if [[ "$got" != "$want" ]]; then
        cat "$work/out.txt" >&2
        fail "$what: exit code $got, expected $want"
    fi
    echo "ci-integration-check: $what: exit code $got as expected"
}
pc="$venv/bin/pre-commit"
PATH="$(dirname "$bin"):$PATH" expect 0 "pre-commit hook mtcheck-system, clean catalogue" \
    "$pc" try-repo "$repo" mtcheck-system --files app.de.po
PATH="$(dirname "$bin"):$PATH" expect 1 "pre-commit hook mtcheck-system, dropped placeholder" \
    "$pc" try-repo "$repo" mtcheck-system --files broken.de.po
grep -q "placeholder %s in the source is missing" "$work/out.txt" \
    || { cat "$work/out.txt"; fail "the hook's output does not name the dropped placeholder"; }
# The `rust` hook builds this checkout; sharing the target folder reuses the dependencies.
CARGO_TARGET_DIR="$repo/target" expect 1 "pre-commit hook mtcheck (cargo-built), both catalogues" \
    "$pc" try-repo "$repo" mtcheck --files app.de.po broken.de.po
# Exit code 1 is also what a failed build gives: the check must have run.
grep -q "placeholder %s in the source is missing" "$work/out.txt" \
    || { cat "$work/out.txt"; fail "the cargo-built hook did not report the dropped placeholder"; }

GITHUB_OUTPUT="$work/github-output" MTCHECK_BIN="$bin" MTCHECK_INPUTS="app.de.po broken.de.po" \
    MTCHECK_SARIF="$work/mtcheck.sarif" MTCHECK_JSONL="$work/mtcheck.jsonl" \
    expect 0 "action script (the gate step fails the job)" "$repo/scripts/github-action.sh"
grep -qx "exit-code=1" "$work/github-output" || fail "action output: $(cat "$work/github-output")"
"$venv/bin/python" - "$work/mtcheck.sarif" <<'PY'
import json, sys
sarif = json.load(open(sys.argv[1]))
results = [r for run in sarif["runs"] for r in run["results"]]
assert any("placeholder" in r["message"]["text"] for r in results), results
print(f"ci-integration-check: action SARIF has {len(results)} results")
PY
echo "ci-integration-check: all passed"
