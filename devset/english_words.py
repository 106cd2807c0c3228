#!/usr/bin/env python3
"""Writes src/text/english-words.txt: the single-word lemmas and irregular forms that WordNet 3.0
spells in lower case (Debian's wordnet-base, /usr/share/wordnet), and its capitalised nouns that
name a kind rather than one thing ("American", "Jew", "Christmas"). A capitalised English word
whose lower-case form is listed is a word of the language ("Supreme", "Federation", "Orthodox"),
which translations translate, not a name they carry over or transliterate.

WordNet 3.0 licence (Princeton University): permission to use, copy, modify and distribute this
software and database and its documentation for any purpose and without fee or royalty is hereby
granted, provided that the copyright notice and these statements appear on all copies.
Copyright 2006 by Princeton University. All rights reserved.

usage: devset/english_words.py [WORDNET_DIR] > src/text/english-words.txt"""
import re
import sys



def print_licence(root):
    """WordNet's licence, as the head of data.noun gives it, as comment lines: it must appear on
    all copies."""
    for line in open(f"{root}/data.noun", encoding="latin-1"):
        if not line.startswith("  "):
            break
        text = line.strip().split(" ", 1)[1].rstrip() if " " in line.strip() else ""
        print(f"# {text}".rstrip())


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
    words = set()
    # Capitalised nouns of kinds, not of one thing: demonyms, adherents, holidays ("American", "Jew",
    # "Christmas"); translations translate them. Names of one thing ("Moscow", "Putin", "Celsius")
    # are instances (their hypernym pointer is "@i") and stay out.
    kinds, instances = set(), set()
    for line in open(f"{root}/data.noun", encoding="latin-1"):
        if line.startswith("  "):
            continue
        parts = line.split()
        n = int(parts[3], 16)
        rest = parts[4 + 2 * n :]
        pointers = [rest[1 + 4 * i] for i in range(int(rest[0]))]
        for k in range(n):
            w = re.sub(r"\(.*\)$", "", parts[4 + 2 * k])
            if w.isalpha() and not w.islower():
                (instances if "@i" in pointers else kinds).add(w.lower())
    words |= kinds - instances
    for pos in ["noun", "verb", "adj", "adv"]:
        for line in open(f"{root}/data.{pos}", encoding="latin-1"):
            if line.startswith("  "):
                continue  # the licence header
            parts = line.split()
            for k in range(int(parts[3], 16)):
                w = re.sub(r"\(.*\)$", "", parts[4 + 2 * k])  # adjective markers: "(a)", "(p)"
                if w.isalpha() and w.islower():
                    words.add(w)
        for line in open(f"{root}/{pos}.exc", encoding="latin-1"):
            form = line.split()[0] if line.strip() else ""
            if form.isalpha() and form.islower():
                words.add(form)
    print("# English words WordNet 3.0 spells in lower case, and its capitalised nouns of kinds")
    print("# (demonyms, adherents, holidays); written by devset/english_words.py")
    print("# from Debian's wordnet-base. WordNet's licence, as it requires on all copies:")
    print("#")
    print_licence(root)
    for w in sorted(words):
        print(w)


if __name__ == "__main__":
    main()
