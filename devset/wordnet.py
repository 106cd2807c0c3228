"""WordNet 3.0's antonym pointers (Debian's wordnet-base), read once for the scripts that use
them: perturb.py and antonym_twins.py (the antonyms they swap in) and english_antonyms.py (the
list the antonym check probes with). Standard library only."""


def antonym_pointers(root, pos):
    """Every direct antonym pointer of ROOT/data.POS, in file order, as (word, its synset offset,
    antonym, the antonym's synset offset); words as WordNet spells them, adjective markers ("(a)",
    "(p)") cut off."""
    offsets, lines = {}, []
    for line in open(f"{root}/data.{pos}", encoding="latin-1"):
        if line.startswith("  "):
            continue  # the licence header
        parts = line.split()
        n = int(parts[3], 16)
        words = [parts[4 + 2 * i].split("(")[0] for i in range(n)]
        offsets[parts[0]] = words
        lines.append((parts[0], words, parts[4 + 2 * n:]))
    for here, words, rest in lines:
        for k in range(int(rest[0])):
            sym, there, _pos, st = rest[1 + 4 * k: 5 + 4 * k]
            if sym != "!" or there not in offsets:
                continue
            s, t = int(st[:2], 16), int(st[2:], 16)
            yield words[s - 1], here, offsets[there][t - 1], there
