#!/usr/bin/env python3
"""Score mtcheck JSON reports against the dev-set labels.

Usage:
  score.py SETDIR REPORTDIR [--json OUT.json]
  score.py --self-test

SETDIR/<pair>/labels.json are the labels written by generate.py;
REPORTDIR/<pair>.json is the output of
  mtcheck check SETDIR/<pair>/source.txt SETDIR/<pair>/target.txt \
      --src-lang X --tgt-lang Y --format json

Metrics, per error type and per language pair (and overall):
  * recall: a labelled error is found when some finding of a compatible kind has
    sentence text overlapping the label's (whitespace-normalised substring, either way);
  * false alarms: error-severity findings per 100 target sentences on clean pairs;
  * verdict accuracy: report verdict "fail" vs label verdict ("warn" counts as pass).
Standard library only.
"""
import argparse
import collections
import json
import os
import shutil
import sys
import tempfile

ERROR_TYPES = ["omission", "addition", "mistranslation", "number", "untranslated", "truncation"]

# label type -> (compatible finding kinds, which texts may overlap)
COMPAT = {
    "omission": ({"omission"}, ("source",)),
    "addition": ({"addition"}, ("target",)),
    "mistranslation": ({"mistranslation", "omission", "addition"}, ("source", "target")),
    "number": ({"number_mismatch", "mistranslation"}, ("source", "target")),
    "untranslated": ({"untranslated", "mistranslation", "wrong_language"}, ("source", "target")),
    "truncation": ({"truncation", "mistranslation", "omission"}, ("source", "target")),
}


def norm(text):
    if text is None:
        return ""
    if isinstance(text, (list, tuple)):
        text = " ".join(str(t) for t in text if t)
    return " ".join(str(text).split()).casefold()


def overlaps(a, b):
    a, b = norm(a), norm(b)
    return bool(a) and bool(b) and (a in b or b in a)


def error_found(err, findings):
    kinds, fields = COMPAT[err["type"]]
    for f in findings:
        if f.get("kind") not in kinds:
            continue
        if "source" in fields and overlaps(err.get("source_text"), f.get("source_text")):
            return True
        if "target" in fields and overlaps(err.get("target_text"), f.get("target_text")):
            return True
    return False


def load_set(setdir):
    pairs = []
    for name in sorted(os.listdir(setdir)):
        lab = os.path.join(setdir, name, "labels.json")
        if os.path.isfile(lab):
            with open(lab, encoding="utf-8") as f:
                pairs.append((name, json.load(f)))
    return pairs


def score(setdir, reportdir):
    rec = collections.defaultdict(lambda: [0, 0])  # (lang, type) -> [found, total]
    fa = collections.defaultdict(lambda: [0, 0])   # lang -> [error findings, target sentences] on clean pairs
    fa_any = collections.defaultdict(int)          # lang -> findings of any severity on clean pairs
    ver = collections.defaultdict(lambda: [0, 0])  # lang -> [correct, total]
    conf = collections.Counter()                   # (label verdict, predicted) counts
    missing, broken = [], []
    for name, lab in load_set(setdir):
        lang = "%s-%s" % (lab["src_lang"], lab["tgt_lang"])
        rp = os.path.join(reportdir, name + ".json")
        if not os.path.isfile(rp):
            missing.append(name)
            continue
        try:
            with open(rp, encoding="utf-8") as f:
                rep = json.load(f)
        except (ValueError, OSError):
            broken.append(name)
            continue
        findings = rep.get("findings") or []
        for err in lab.get("errors", []):
            for key in ((lang, err["type"]), ("ALL", err["type"]), (lang, "ALL"), ("ALL", "ALL")):
                rec[key][1] += 1
            if error_found(err, findings):
                for key in ((lang, err["type"]), ("ALL", err["type"]), (lang, "ALL"), ("ALL", "ALL")):
                    rec[key][0] += 1
        if lab.get("verdict") == "pass":
            n_err = sum(1 for f in findings if f.get("severity") == "error")
            n_sent = int((rep.get("target") or {}).get("sentences") or 0)
            for key in (lang, "ALL"):
                fa[key][0] += n_err
                fa[key][1] += n_sent
                fa_any[key] += len(findings)
        pred = "fail" if rep.get("verdict") == "fail" else "pass"
        gold = "fail" if lab.get("verdict") == "fail" else "pass"
        conf[(gold, pred)] += 1
        for key in (lang, "ALL"):
            ver[key][1] += 1
            ver[key][0] += int(pred == gold)

    def ratio(a, b):
        return None if b == 0 else a / b

    langs = sorted(set(k for k, _ in rec) | set(fa) | set(ver))
    langs = [l for l in langs if l != "ALL"] + ["ALL"]
    out = {"per_lang": {}, "missing_reports": missing, "broken_reports": broken,
           "verdict_confusion": {"%s->%s" % k: v for k, v in sorted(conf.items())}}
    for l in langs:
        d = {"recall": {}, "errors": {}}
        for t in ERROR_TYPES + ["ALL"]:
            found, total = rec.get((l, t), [0, 0])
            d["recall"][t] = ratio(found, total)
            d["errors"][t] = total
        e, s = fa.get(l, [0, 0])
        d["false_alarms_per_100_sentences"] = None if s == 0 else 100.0 * e / s
        d["clean_target_sentences"] = s
        d["clean_findings_any_severity"] = fa_any.get(l, 0)
        c, n = ver.get(l, [0, 0])
        d["verdict_accuracy"] = ratio(c, n)
        d["pairs"] = n
        out["per_lang"][l] = d
    return out


def fmt(x, pct=True):
    if x is None:
        return "   -"
    return "%4.0f" % (100 * x) if pct else "%5.2f" % x


def print_table(res, stream=sys.stdout):
    hdr = "%-7s %5s " % ("pair", "pairs") + " ".join("%5s" % t[:5] for t in ERROR_TYPES) + \
        "   all  FA/100  verdict"
    print("recall % per error type; FA/100 = error-severity findings per 100 target sentences "
          "on clean pairs; verdict = verdict accuracy %", file=stream)
    print(hdr, file=stream)
    for l, d in res["per_lang"].items():
        row = "%-7s %5d " % (l, d["pairs"]) + " ".join(" %4s" % fmt(d["recall"][t]) for t in ERROR_TYPES)
        row += "  %4s  %6s  %5s" % (fmt(d["recall"]["ALL"]), fmt(d["false_alarms_per_100_sentences"], False),
                                   fmt(d["verdict_accuracy"]))
        print(row, file=stream)
    d = res["per_lang"].get("ALL")
    if d:
        print("errors per type: " + ", ".join("%s=%d" % (t, d["errors"][t]) for t in ERROR_TYPES), file=stream)
    print("verdict confusion (label->predicted): %s" % res["verdict_confusion"], file=stream)
    if res["missing_reports"]:
        print("missing reports: %d (%s...)" % (len(res["missing_reports"]), ", ".join(res["missing_reports"][:5])), file=stream)
    if res["broken_reports"]:
        print("unreadable reports: %d (%s...)" % (len(res["broken_reports"]), ", ".join(res["broken_reports"][:5])), file=stream)


# --------------------------------------------------------------------------
def self_test():
    tmp = tempfile.mkdtemp(prefix="mtcheck-score-")
    try:
        setdir, repdir = os.path.join(tmp, "set"), os.path.join(tmp, "rep")
        os.makedirs(repdir)

        def pair(name, labels, report):
            os.makedirs(os.path.join(setdir, name))
            with open(os.path.join(setdir, name, "labels.json"), "w", encoding="utf-8") as f:
                json.dump(labels, f)
            if report is not None:
                with open(os.path.join(repdir, name + ".json"), "w", encoding="utf-8") as f:
                    json.dump(report, f)

        # clean pair: one error-severity false alarm in 20 sentences, verdict fail (wrong)
        pair("en-de-001", {"src_lang": "en", "tgt_lang": "de", "errors": [], "verdict": "pass"},
             {"verdict": "fail", "target": {"sentences": 20}, "findings": [
                 {"kind": "mistranslation", "severity": "error", "source": [3], "target": [3],
                  "source_text": "a", "target_text": "b"},
                 {"kind": "number_mismatch", "severity": "warning", "source": [4], "target": [4],
                  "source_text": "c", "target_text": "d"}]})
        # clean pair, no findings, verdict warn (counts as pass: correct)
        pair("en-de-002", {"src_lang": "en", "tgt_lang": "de", "errors": [], "verdict": "pass"},
             {"verdict": "warn", "target": {"sentences": 30}, "findings": []})
        # failing pair with 4 errors: omission found, addition found (whitespace differs),
        # number found via mistranslation, truncation missed (wrong kind)
        errs = [
            {"type": "omission", "source_text": "The cat sat on the mat.", "target_text": "Die Katze saß."},
            {"type": "addition", "source_text": None, "target_text": "Ein  fremder Satz."},
            {"type": "number", "source_text": "He has 3 dogs.", "target_text": "Er hat 5 Hunde."},
            {"type": "truncation", "source_text": "It rains all day long.", "target_text": "Es regnet."},
        ]
        pair("en-de-003", {"src_lang": "en", "tgt_lang": "de", "errors": errs, "verdict": "fail"},
             {"verdict": "fail", "target": {"sentences": 25}, "findings": [
                 {"kind": "omission", "severity": "error", "source": [1], "target": [],
                  "source_text": "Intro. The cat sat on the mat.", "target_text": None},
                 {"kind": "addition", "severity": "error", "source": [], "target": [7],
                  "source_text": None, "target_text": "Ein fremder Satz."},
                 {"kind": "mistranslation", "severity": "error", "source": [9], "target": [9],
                  "source_text": "He has 3 dogs.", "target_text": "Er hat 5 Hunde."},
                 {"kind": "addition", "severity": "warning", "source": [], "target": [11],
                  "source_text": None, "target_text": "Es regnet."}]})
        # Arabic->English pair with untranslated found via wrong_language; report missing for another
        pair("ar-en-001", {"src_lang": "ar", "tgt_lang": "en", "verdict": "fail", "errors": [
            {"type": "untranslated", "source_text": "قال ربي", "target_text": "قال ربي"},
            {"type": "mistranslation", "source_text": "الحمد لله", "target_text": "Something else"}]},
             {"verdict": "warn", "target": {"sentences": 18}, "findings": [
                 {"kind": "wrong_language", "severity": "error", "source": [2], "target": [2],
                  "source_text": None, "target_text": "قال  ربي"}]})
        pair("ar-en-002", {"src_lang": "ar", "tgt_lang": "en", "errors": [], "verdict": "pass"}, None)

        res = score(setdir, repdir)
        de, ar, al = res["per_lang"]["en-de"], res["per_lang"]["ar-en"], res["per_lang"]["ALL"]
        checks = [
            (de["recall"]["omission"], 1.0), (de["recall"]["addition"], 1.0),
            (de["recall"]["number"], 1.0), (de["recall"]["truncation"], 0.0),
            (de["recall"]["ALL"], 0.75),
            (de["false_alarms_per_100_sentences"], 100.0 * 1 / 50),
            (de["clean_findings_any_severity"], 2),
            (de["verdict_accuracy"], 2 / 3),
            (ar["recall"]["untranslated"], 1.0), (ar["recall"]["mistranslation"], 0.0),
            (ar["verdict_accuracy"], 0.0), (ar["false_alarms_per_100_sentences"], None),
            (al["recall"]["ALL"], 4 / 6), (al["verdict_accuracy"], 2 / 4),
            (res["missing_reports"], ["ar-en-002"]),
            (overlaps("a  b", "x A b y"), True), (overlaps("", "x"), False), (overlaps(None, None), False),
        ]
        bad = [(i, got, want) for i, (got, want) in enumerate(checks)
               if not (got == want or (isinstance(got, float) and want is not None and abs(got - want) < 1e-9))]
        print_table(res)
        if bad:
            for i, got, want in bad:
                print("self-test check %d: got %r, want %r" % (i, got, want))
            print("0 passed, %d failed" % len(bad))
            return 1
        print("%d passed, 0 failed" % len(checks))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="score mtcheck reports against dev-set labels")
    ap.add_argument("setdir", nargs="?")
    ap.add_argument("reportdir", nargs="?")
    ap.add_argument("--json", help="also write the metrics as JSON to this file")
    ap.add_argument("--self-test", action="store_true", help="run a self-test on synthetic reports")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    if not a.setdir or not a.reportdir:
        ap.error("SETDIR and REPORTDIR are required")
    res = score(a.setdir, a.reportdir)
    print_table(res)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=2, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
