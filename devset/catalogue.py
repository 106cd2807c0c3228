#!/usr/bin/env python3
"""Gettext catalogue dev set: real .po catalogues, each written twice, once clean and once with
injected errors (placeholder dropped, number changed, message left untranslated, message swapped
for another message of the same catalogue), then scored from mtcheck's JSON reports.

    python3 devset/catalogue.py make --out DIR --seed N CATALOGUE.po...
    (cd DIR && mtcheck batch *.po -o /tmp/reports.jsonl --fail-on never)
    python3 devset/catalogue.py score DIR /tmp/reports.jsonl [-v]

Recall counts an injected entry as found when a finding of the right side points at its line
(any severity, and separately at error severity). False alarms are error-severity findings on the
clean twins, per 100 translated entries. Only the standard library is used.
"""
import argparse
import json
import os
import random
import re
import sys

PLACEHOLDER = re.compile(r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfgGcsp]"
                         r"|%\([A-Za-z_]\w*\)[sdirf]|\{[A-Za-z_0-9]*\}")
DIGITS = re.compile(r"\d+")
WORDS = re.compile(r"[^\W\d_]{3,}")


def unescape(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m.group(1), "\\" + m.group(1)), s)


def escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def parse(path):
    """Entries as dicts with ctx, id, plural, strs (list); obsolete entries dropped."""
    entries, cur, field = [], {}, None

    def flush():
        nonlocal cur
        if "id" in cur:
            entries.append(cur)
        cur = {}

    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if line.startswith("#~") or not line:
            if not line:
                flush()
            continue
        if line.startswith("#,"):
            if "id" in cur:
                flush()
            cur["fuzzy"] = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
        if m:
            key = m.group(1)
            if key in ("msgctxt",) or (key == "msgid" and "id" in cur):
                flush()
            val = unescape(m.group(3))
            if key == "msgctxt":
                field = ("ctx", None)
            elif key == "msgid":
                field = ("id", None)
            elif key == "msgid_plural":
                field = ("plural", None)
            else:
                cur.setdefault("strs", [])
                cur["strs"].append("")
                field = ("strs", len(cur["strs"]) - 1)
            if field[0] == "strs":
                cur["strs"][field[1]] = val
            else:
                cur[field[0]] = val
            continue
        if line.startswith('"') and field:
            val = unescape(line[1:-1])
            if field[0] == "strs":
                cur["strs"][field[1]] += val
            else:
                cur[field[0]] += val
    flush()
    return entries


def write(path, entries):
    """Writes the entries one field per line; returns each entry's (msgid line, first msgstr line)."""
    lines, where = [], []
    for e in entries:
        if "ctx" in e:
            lines.append(f'msgctxt "{escape(e["ctx"])}"')
        id_line = len(lines) + 1
        lines.append(f'msgid "{escape(e["id"])}"')
        if "plural" in e:
            lines.append(f'msgid_plural "{escape(e["plural"])}"')
            str_line = len(lines) + 1
            for i, s in enumerate(e.get("strs", [""])):
                lines.append(f'msgstr[{i}] "{escape(s)}"')
        else:
            str_line = len(lines) + 1
            lines.append(f'msgstr "{escape((e.get("strs") or [""])[0])}"')
        lines.append("")
        where.append((id_line, str_line))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return where


def translated(e):
    return bool(e["id"] and not e.get("fuzzy") and e.get("strs") and all(e["strs"]))


def inject(entries, rng, per_kind):
    """Injects errors in place; returns [(entry index, kind)]."""
    idx = [i for i, e in enumerate(entries) if translated(e) and "plural" not in e]
    rng.shuffle(idx)
    used, out = set(), []

    def take(kind, ok, change):
        n = 0
        for i in idx:
            if n == per_kind:
                break
            if i in used or not ok(entries[i]):
                continue
            change(entries[i], i)
            used.add(i)
            out.append((i, kind))
            n += 1

    def drop_placeholder(e, _):
        s = e["strs"][0]
        ms = list(PLACEHOLDER.finditer(s))
        m = rng.choice(ms)
        e["strs"][0] = (s[:m.start()] + s[m.end():]).replace("  ", " ")

    def change_number(e, _):
        s = e["strs"][0]
        m = rng.choice(list(DIGITS.finditer(s)))
        old = int(m.group())
        new = old + rng.choice([1, 2, 3, 7, 10]) if old < 5 else old * rng.choice([2, 3]) - 1
        e["strs"][0] = s[:m.start()] + str(new) + s[m.end():]

    def untranslate(e, _):
        e["strs"][0] = e["id"]

    def swap(e, i):
        others = [j for j in idx if j != i and j not in used and entries[j]["strs"][0] != e["strs"][0]
                  and len(WORDS.findall(entries[j]["id"])) >= 2]
        e["strs"][0] = entries[rng.choice(others)]["strs"][0]

    def digits_outside_placeholders(s):
        return DIGITS.search(PLACEHOLDER.sub("", s)) is not None

    take("placeholder", lambda e: len(PLACEHOLDER.findall(e["id"])) >= 1
         and len(PLACEHOLDER.findall(e["strs"][0])) == len(PLACEHOLDER.findall(e["id"])), drop_placeholder)
    take("number", lambda e: digits_outside_placeholders(e["id"]) and digits_outside_placeholders(e["strs"][0])
         and "%" not in e["strs"][0], change_number)
    take("untranslated", lambda e: len(WORDS.findall(e["id"])) >= 2 and e["strs"][0] != e["id"], untranslate)
    take("swapped", lambda e: len(WORDS.findall(e["id"])) >= 2, swap)
    return out


def make(args):
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    for path in args.catalogues:
        if not os.path.isfile(path):
            print(f"{path}: not there, skipped", file=sys.stderr)
            continue
        name = os.path.basename(path)[:-3]
        # The header (`msgid ""`) stays: its Language field names the target language.
        entries = [e for e in parse(path) if not e["id"] or translated(e)]
        clean = os.path.join(args.out, name + ".clean.po")
        write(clean, entries)
        bad = [dict(e, strs=list(e["strs"])) for e in entries]
        injected = inject(bad, rng, args.per_kind)
        where = write(os.path.join(args.out, name + ".bad.po"), bad)
        labels = [{"entry": i, "kind": k, "msgid_line": where[i][0], "msgstr_line": where[i][1],
                   "source": entries[i]["id"], "original": entries[i]["strs"][0], "target": bad[i]["strs"][0]}
                  for i, k in injected]
        with open(os.path.join(args.out, name + ".labels.json"), "w", encoding="utf-8") as f:
            json.dump({"entries": sum(map(translated, entries)), "errors": labels}, f, ensure_ascii=False, indent=1)


def reports(path):
    """The findings of each pair in a `batch` JSON-lines output, by id (the file name's stem)."""
    out = {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        if "error" in r:
            print(f"UNREADABLE | {r['id']} | {r['error']}")
            continue
        out[os.path.basename(r["id"]).removesuffix(".po")] = r["findings"]
    return out


def score(args):
    kinds = {}
    fa = entries = 0
    alarms = []
    found = reports(args.reports)
    for name in sorted(os.listdir(args.dir)):
        if not name.endswith(".labels.json"):
            continue
        base = name[: -len(".labels.json")]
        if base + ".clean" not in found or base + ".bad" not in found:
            continue
        labels = json.load(open(os.path.join(args.dir, name), encoding="utf-8"))
        entries += labels["entries"]
        for f in found[base + ".clean"]:
            if f["severity"] == "error":
                fa += 1
                alarms.append((base, f["kind"], f["source_text"][:60], f["target_text"][:60]))
        bad = found[base + ".bad"]
        for err in labels["errors"]:
            lines = {err["msgid_line"], err["msgstr_line"]}
            hit = [f for f in bad if f.get("source_line") in lines or f.get("target_line") in lines]
            k = kinds.setdefault(err["kind"], [0, 0, 0, []])
            k[0] += 1
            k[1] += bool(hit)
            k[2] += any(f["severity"] == "error" for f in hit)
            if not hit:
                k[3].append((base, err["source"][:60], err["target"][:60]))
    total = [sum(v[i] for v in kinds.values()) for i in range(3)]
    print(f"{'kind':<14}{'n':>5}{'found':>8}{'as error':>10}")
    for kind, (n, hit, err, _) in sorted(kinds.items()):
        print(f"{kind:<14}{n:>5}{hit / n:>8.2f}{err / n:>10.2f}")
    print(f"{'all':<14}{total[0]:>5}{total[1] / total[0]:>8.2f}{total[2] / total[0]:>10.2f}")
    print(f"clean entries {entries}: {fa} error findings ({100.0 * fa / max(entries, 1):.2f} per 100)")
    if args.verbose:
        for kind, (_, _, _, missed) in sorted(kinds.items()):
            for m in missed:
                print("MISSED", kind, *m, sep=" | ")
        for a in alarms:
            print("ALARM", *a, sep=" | ")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--per-kind", type=int, default=2)
    m.add_argument("catalogues", nargs="+")
    s = sub.add_parser("score")
    s.add_argument("dir")
    s.add_argument("reports", help="mtcheck batch JSON-lines output")
    s.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    make(args) if args.cmd == "make" else score(args)


if __name__ == "__main__":
    sys.exit(main())
