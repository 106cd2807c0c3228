#!/usr/bin/env python3
"""Meaning errors inside aligned sentences, made from the clean pairs of a generated dev set.

For every clean pair whose source is English, writes up to three pairs to OUT: the clean twin
(NAME-clean, unchanged); NAME-add, whose target has a sentence from elsewhere in it glued after
one of its sentences with a colon or semicolon (an addition inside a link; subtype "glued"); and
NAME-neg, whose English source has the polarity of
one or two sentences toggled ("is" -> "is not", "cannot" -> "can", "didn't" -> "did"). Toggling
the source rather than the translation gives the same mismatch between the two sides for every
target language, without a negation grammar per target language. Labels carry
type "mistranslation" and subtype "negation", with a snippet of the changed source text.
NAME-ent has one or two names in its target swapped for another name of the same target (a
capitalised word inside a sentence, "Debian" -> "Ubuntu"; subtype "entity"), and one number
changed where the target has one (subtype "number").

    python3 devset/meaning.py SET OUT [--seed N] [--per-pair 2]
    mtcheck eval OUT        # recall by subtype, warnings and errors on the clean twins

Standard library only; the same input and seed give the same output.
"""
import argparse
import json
import random
import re
import shutil
from pathlib import Path

AUX = r"is|are|was|were|can|will|would|should|must|could|has|have|had|does|do|did|may"
ADD = re.compile(r"\b(" + AUX + r")\b(?! not\b)(?!n't)", re.I)
REMOVE = re.compile(r"\b(" + AUX + r") not\b|\b(can)not\b|\b(" + AUX + r")n't\b", re.I)


def snippet(text, start, end):
    """A few words around text[start:end], inside its sentence: a snippet that ran on into the
    previous or next sentence lay in neither of mtcheck's sentences, and its negation counted
    as missed even where it was found."""
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    s0 = max([e for e in ends if e <= start], default=0)
    s1 = min([e for e in ends if e > end], default=len(text))
    left = text[s0:start].split()[-3:]
    right = text[end:s1].split()[:3]
    mid = text[start:end]
    return " ".join(left + [mid] + right).strip()


def toggle(text, rng, n):
    """Toggles the polarity of up to n places in different lines; returns (text, snippets)."""
    lines = text.split("\n")
    order = list(range(len(lines)))
    rng.shuffle(order)
    snippets = []
    for k in order:
        if len(snippets) >= n:
            break
        line = lines[k]
        removes = list(REMOVE.finditer(line))
        adds = [m for m in ADD.finditer(line) if m.start() > 0]
        if not removes and not adds:
            continue
        if removes and (not adds or rng.random() < 0.5):
            m = rng.choice(removes)
            word = next(g for g in m.groups() if g)
            new = line[: m.start()] + word + line[m.end():]
            at = m.start()
            span = (at, at + len(word))
        else:
            m = rng.choice(adds)
            word = m.group(1)
            rep = word + "not" if word.lower() == "can" else word + " not"
            new = line[: m.start()] + rep + line[m.end():]
            span = (m.start(), m.start() + len(rep))
        lines[k] = new
        snippets.append(snippet(new, *span))
    return "\n".join(lines), snippets


SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


def piece(text, start, end, pad=25):
    """A stretch of text around text[start:end], as it stands in the text (not re-spaced) and
    inside the sentence, so that it lies within mtcheck's sentence even when the change sits
    inside a word ("ISO-8860")."""
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    s0 = max([e for e in ends if e <= start], default=0)
    s1 = min([e for e in ends if e > end], default=len(text))
    a, b = max(s0, start - pad), min(s1, end + pad)
    # Whole words at both ends where the text has spaces.
    if a > s0 and " " in text[a:start]:
        a = text.index(" ", a) + 1
    if b < s1 and " " in text[end:b]:
        b = text.rindex(" ", end, b)
    return text[a:b].strip()


def glue(text, rng, n):
    """Glues up to n sentences taken from other lines of the same text after a sentence of a
    line, joined by ": " or "; " in place of its full stop, so that no sentence boundary
    separates them; returns (text, snippets of the glued sentences)."""
    lines = text.split("\n")
    full = [k for k, l in enumerate(lines) if l.strip()]
    snippets = []
    order = full[:]
    rng.shuffle(order)
    for k in order:
        if len(snippets) >= n:
            break
        line = lines[k].rstrip()
        if not line.endswith((".", "。")) or len(full) < 3:
            continue
        donors = [d for d in full if d != k]
        donor = SENTENCE_END.split(lines[rng.choice(donors)].strip())[0].strip()
        if len(donor.split()) < 5 and len(donor) < 20:
            continue
        joiner = rng.choice([": ", "; "])
        if line.endswith("。"):
            joiner = "："
        lines[k] = line[:-1] + joiner + donor
        snippets.append(" ".join(donor.split()[:6]) if " " in donor else donor[:12])
    return "\n".join(lines), snippets


NAME = re.compile(r"(?<=[^\W\d_] )[A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω][\w-]{2,}")
NUMBER = re.compile(r"(?<![\w.,])\d{1,4}(?![\w.,]\d)")


def swap_names(text, rng, n):
    """Swaps up to n names (capitalised words inside a sentence) for another name of the same
    text that the line does not contain, and changes one number; returns (text, labels)."""
    lines = text.split("\n")
    names = sorted({m.group(0) for l in lines for m in NAME.finditer(l)})
    labels = []
    order = list(range(len(lines)))
    rng.shuffle(order)
    for k in order:
        if len([l for l in labels if l["subtype"] == "entity"]) >= n:
            break
        line = lines[k]
        found = list(NAME.finditer(line))
        if not found:
            continue
        m = rng.choice(found)
        others = [x for x in names if x not in line and x.lower() != m.group(0).lower()]
        if not others:
            continue
        new = rng.choice(others)
        lines[k] = line[: m.start()] + new + line[m.end():]
        labels.append({"type": "mistranslation", "subtype": "entity",
                       "target_text": piece(lines[k], m.start(), m.start() + len(new))})
    rng.shuffle(order)
    for k in order:
        line = lines[k]
        found = list(NUMBER.finditer(line))
        if not found:
            continue
        m = rng.choice(found)
        old = int(m.group(0))
        new = str(old + rng.choice([1, 2, 3, 10]) if old < 1900 else old + rng.choice([-2, -1, 1, 2]))
        lines[k] = line[: m.start()] + new + line[m.end():]
        labels.append({"type": "number", "subtype": "number",
                       "target_text": piece(lines[k], m.start(), m.start() + len(new))})
        break
    return "\n".join(lines), labels


def write_twin(where, source, target, labels, errors):
    """Writes a pair with injected errors: its two texts and its labels (those of its clean twin
    with `errors` and a failing verdict)."""
    where.mkdir(exist_ok=True)
    (where / "source.txt").write_text(source)
    (where / "target.txt").write_text(target)
    labels = dict(labels, errors=errors, verdict="fail")
    (where / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-pair", type=int, default=2)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    made = 0
    for d in sorted(Path(a.set).iterdir()):
        lf = d / "labels.json"
        if not lf.is_file():
            continue
        labels = json.loads(lf.read_text())
        if labels.get("errors") or labels["src_lang"] != "en":
            continue
        src = (d / "source.txt").read_text()
        toggled, snippets = toggle(src, rng, a.per_pair)
        if not snippets:
            continue
        shutil.copytree(d, out / f"{d.name}-clean", dirs_exist_ok=True)
        glued, added = glue((d / "target.txt").read_text(), rng, 1)
        if added:
            add = out / f"{d.name}-add"
            add.mkdir(exist_ok=True)
            shutil.copy(d / "source.txt", add / "source.txt")
            (add / "target.txt").write_text(glued)
            lab = dict(labels)
            lab["errors"] = [
                {"type": "addition", "subtype": "glued", "target_text": s} for s in added
            ]
            lab["verdict"] = "fail"
            (add / "labels.json").write_text(json.dumps(lab, ensure_ascii=False, indent=1) + "\n")
        swapped, ent = swap_names((d / "target.txt").read_text(), rng, a.per_pair)
        if any(l["subtype"] == "entity" for l in ent):
            e = out / f"{d.name}-ent"
            e.mkdir(exist_ok=True)
            shutil.copy(d / "source.txt", e / "source.txt")
            (e / "target.txt").write_text(swapped)
            lab = dict(labels)
            lab["errors"] = ent
            lab["verdict"] = "fail"
            (e / "labels.json").write_text(json.dumps(lab, ensure_ascii=False, indent=1) + "\n")
        write_twin(out / f"{d.name}-neg", toggled, (d / "target.txt").read_text(), labels, [
            {"type": "mistranslation", "subtype": "negation", "source_text": s} for s in snippets
        ])
        made += 1
    print(f"{made} perturbed pairs and their clean twins in {out}")


if __name__ == "__main__":
    main()
