#!/usr/bin/env python3
"""Name-swap sets into English from real translations, DEMETR-style: one name of the English side
swapped for a name of another sentence of the same corpus, each swapped pair beside its clean twin.

  name_swaps.py make MLQE_PE_CLONE OUTDIR   writes OUTDIR/swaps-<set>.tsv (+ .swaps: id, was, now)
  name_swaps.py score SET.tsv REPORT.json   entity findings on the swapped and on the clean rows

Sets (MLQE-PE and WMT21 critical-error data, CC0, `sheffieldnlp/mlqe-pe`; train and dev only):
post-edited MLQE-PE ru-en train (tuned on), ru-en, ne-en, si-en, et-en, ro-en dev; en-de and
en-zh dev turned round (German or Chinese source, the English original as target); WMT21
critical-error en-ja dev and en-zh train, rows labelled NOT (no critical error), turned round.

A name is a capitalised word inside a sentence (not after . ! ? : ; or a quote), alphabetic, of
three letters or more, not all capitals, and not an English word (src/text/english-words.txt,
WordNet's lower-case lemmas): "Navalny", "Kaluga", "Danube", not "Supreme". The replacement is a
name of another sentence whose first four letters appear nowhere in the pair.

Check a set: mtcheck check swaps-ru-dev.tsv --src-lang ru --tgt-lang en --format json -o r.json
--fail-on never, then name_swaps.py score swaps-ru-dev.tsv r.json."""
import csv
import json
import os
import random
import re
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
WORDS = set()
for line in open(os.path.join(HERE, "..", "src", "text", "english-words.txt"), encoding="utf-8"):
    if not line.startswith("#"):
        WORDS.add(line.strip())


def english_word(w):
    w = w.lower()
    w = w[:-2] if w.endswith("'s") else w
    forms = [w]
    if w.endswith("ies"):
        forms.append(w[:-3] + "y")
    if w.endswith("es"):
        forms.append(w[:-2])
    if w.endswith("s"):
        forms.append(w[:-1])
    return any(f in WORDS for f in forms)


def detok(s):
    """MLQE-PE is tokenised ("hadn 't", "word ,"): joined back as running text."""
    s = s.strip()
    s = re.sub(r" ([.,:;!?%)\]}])", r"\1", s)
    s = re.sub(r"([(\[{]) ", r"\1", s)
    s = re.sub(r" (n?'[a-z]+)\b", r"\1", s)
    s = s.replace(" - ", "-").replace(" / ", "/")
    s = re.sub(r'" (.*?) "', r'"\1"', s)
    return re.sub(r"« (.*?) »", r"«\1»", s)


# Capitalised words the swaps leave alone besides English words (WordNet has no pronouns).
STOP = set("I I'm I've I'll I'd The A An And But Or Mr Mrs Ms Dr St OK Ok Oh".split())


def names(s):
    out = []
    toks = list(re.finditer(r"[A-Za-z][A-Za-z'\-]*", s))
    for k, m in enumerate(toks):
        w = m.group()
        if k == 0 or not w[0].isupper() or len(w) < 3 or w.isupper() or w in STOP:
            continue
        before = s[: m.start()].rstrip()
        if not before or before[-1] in '.!?:;"«(':
            continue
        if not w.replace("'", "").replace("-", "").isalpha() or english_word(w):
            continue
        out.append(m)
    return out


def swap(pairs, seed, n, out):
    """Writes `n` swapped pairs of (source, english) `pairs` and their clean twins."""
    pool = sorted({m.group() for _, e in pairs for m in names(e)})
    rng = random.Random(seed)
    idx = [i for i, (_, e) in enumerate(pairs) if names(e) and 4 <= len(e.split()) <= 60]
    rng.shuffle(idx)
    with open(out, "w", encoding="utf-8") as f, open(out + ".swaps", "w", encoding="utf-8") as g:
        f.write("id\tsource\ttarget\tlabel\n")
        for i in idx[:n]:
            src, eng = (x.replace("\t", " ") for x in pairs[i])
            m = rng.choice(names(eng))
            seen = (eng + " " + src).lower()
            while True:
                r = rng.choice(pool)
                if r.lower()[:4] not in seen and r.lower() != m.group().lower():
                    break
            f.write(f"{i}-ok\t{src}\t{eng}\tOK\n")
            f.write(f"{i}-bad\t{src}\t{eng[:m.start()] + r + eng[m.end():]}\tBAD\n")
            g.write(f"{i}-bad\t{m.group()}\t{r}\n")


def post_edits(clone, pair, split):
    """(source, post-edit) lines of an MLQE-PE post-editing archive."""
    path = os.path.join(clone, "data", "post-editing", split, f"{pair}-{split}.tar.gz")
    with tarfile.open(path) as t:
        files = {os.path.basename(m.name): t.extractfile(m) for m in t.getmembers() if m.isfile()}
        read = lambda ext: [detok(l.decode("utf-8")) for l in files[f"{split}.{ext}"]]
        return list(zip(read("src"), read("pe")))


def critical_ok(clone, pair, split):
    """(target, source) of the WMT21 critical-error rows labelled NOT: turned round."""
    path = os.path.join(clone, "data", "catastrophic_errors", f"{pair}_majority_{split}.tsv")
    rows = csv.reader(open(path, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE)
    # The Chinese and Japanese sides are tokenised too: written without spaces again.
    joined = lambda s: re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", s)
    return [(detok(joined(r[2])), detok(r[1])) for r in rows if r[-1].strip() == "NOT"]


def make(clone, out):
    os.makedirs(out, exist_ok=True)
    sets = [
        ("ru-train", lambda: post_edits(clone, "ru-en", "train"), 1),
        ("ru-dev", lambda: post_edits(clone, "ru-en", "dev"), 2),
        ("ne-dev", lambda: post_edits(clone, "ne-en", "dev"), 3),
        ("si-dev", lambda: post_edits(clone, "si-en", "dev"), 4),
        ("zh-dev", lambda: [(p, s) for s, p in post_edits(clone, "en-zh", "dev")], 5),
        ("de-dev", lambda: [(p, s) for s, p in post_edits(clone, "en-de", "dev")], 6),
        ("ja-dev", lambda: critical_ok(clone, "enja", "dev"), 7),
        ("zhw-train", lambda: critical_ok(clone, "enzh", "train"), 8),
        ("et-dev", lambda: post_edits(clone, "et-en", "dev"), 9),
        ("ro-dev", lambda: post_edits(clone, "ro-en", "dev"), 10),
    ]
    for name, pairs, seed in sets:
        swap(pairs(), seed, 300, os.path.join(out, f"swaps-{name}.tsv"))
        print(f"{out}/swaps-{name}.tsv")


def score(tsv, report):
    rows = list(csv.DictReader(open(tsv, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    now = dict(l.rstrip("\n").split("\t")[::2] for l in open(tsv + ".swaps", encoding="utf-8"))
    flagged, found = set(), set()
    for f in json.load(open(report))["findings"]:
        if f["kind"] != "entity_mismatch" or f["severity"] not in ("warning", "error"):
            continue
        row = rows[(f.get("source_line") or f.get("target_line")) - 2]
        flagged.add(row["id"])
        if any(s["text"] == now.get(row["id"]) for s in f.get("target_spans", [])):
            found.add(row["id"])
    bad = [r["id"] for r in rows if r["label"] == "BAD"]
    ok = [r["id"] for r in rows if r["label"] == "OK"]
    n_found = sum(i in found for i in bad)
    n_ok = sum(i in flagged for i in ok)
    print(f"{os.path.basename(tsv)}: swapped name found {n_found}/{len(bad)} "
          f"({100 * n_found / len(bad):.1f}%), clean twins with an entity warning {n_ok}/{len(ok)} "
          f"({100 * n_ok / len(ok):.1f}%)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
