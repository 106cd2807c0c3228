//! TMX 1.4 reader: translation units with one `<tuv>` per language, the source and target
//! languages picked from the user's flags, the header's `srclang`, or the only other language.

use std::collections::{HashMap, HashSet};

use super::xml::{short_note, Ev, Inline, XmlStream};
use super::{lang_matches, Bilingual, FileFormat, ReadOptions, Segment};

#[derive(Debug, Default)]
struct Tu {
    tuid: Option<String>,
    line: usize,
    /// Language (lowercase) and the text of its first `<seg>`.
    variants: HashMap<String, Option<String>>,
    notes: Vec<String>,
}

pub(super) fn parse(text: &str, opts: &ReadOptions) -> Result<Bilingual, String> {
    let mut xml = XmlStream::new(text);
    let mut seen_root = false;
    let mut header_src: Option<String> = None;
    let mut tus: Vec<Tu> = Vec::new();
    // Languages in order of first appearance, as first written; the set (lowercase) keeps a file
    // with very many languages from taking quadratic time.
    let mut langs: Vec<String> = Vec::new();
    let mut lang_set: HashSet<String> = HashSet::new();
    let mut tu: Option<(Tu, usize)> = None;
    let mut tuv_lang: Option<String> = None;
    let mut seg: Option<(Inline, usize)> = None;
    let mut note: Option<(String, usize)> = None;

    while let Some(ev) = xml.next()? {
        let depth = xml.depth();
        match ev {
            Ev::Start(tag) => {
                if let Some((inline, _)) = seg.as_mut() {
                    inline.start(&tag, &[]);
                    continue;
                }
                if !seen_root {
                    seen_root = true;
                    if tag.name != "tmx" {
                        return Err(format!(
                            "line {}: root element is <{}>, not <tmx>",
                            tag.line, tag.name
                        ));
                    }
                    continue;
                }
                match tag.name.as_str() {
                    "header" => {
                        header_src = tag
                            .attr("srclang")
                            .filter(|l| !l.eq_ignore_ascii_case("*all*"))
                            .map(str::to_string);
                    }
                    "tu" => {
                        let t = Tu {
                            tuid: tag.attr("tuid").map(str::to_string),
                            line: tag.line,
                            ..Tu::default()
                        };
                        tu = Some((t, depth));
                    }
                    "tuv" if tu.is_some() => {
                        // TMX 1.4 writes xml:lang; 1.1 wrote lang.
                        let lang = tag.attr("xml:lang").or_else(|| tag.attr("lang"));
                        let Some(lang) = lang else {
                            return Err(format!("line {}: <tuv> without xml:lang", tag.line));
                        };
                        if lang_set.insert(lang.to_ascii_lowercase()) {
                            langs.push(lang.to_string());
                        }
                        tuv_lang = Some(lang.to_string());
                    }
                    "seg" if tuv_lang.is_some() => seg = Some((Inline::default(), depth)),
                    "note" if tu.as_ref().is_some_and(|(_, d)| d + 1 == depth) => {
                        note = Some((String::new(), depth));
                    }
                    _ => {}
                }
            }
            Ev::End => {
                let closed = depth + 1;
                if let Some((inline, d)) = seg.as_mut() {
                    if *d != closed {
                        inline.end();
                        continue;
                    }
                    let text = seg.take().and_then(|(i, _)| i.into_text());
                    if let (Some((t, _)), Some(lang)) = (tu.as_mut(), tuv_lang.as_ref()) {
                        // The first <tuv> of a language counts.
                        t.variants.entry(lang.to_ascii_lowercase()).or_insert(text);
                    }
                    continue;
                }
                if note.as_ref().is_some_and(|(_, d)| *d == closed) {
                    if let (Some((n, _)), Some((t, _))) = (note.take(), tu.as_mut()) {
                        t.notes.extend(short_note(&n));
                    }
                } else if tu.as_ref().is_some_and(|(_, d)| *d == closed) {
                    tus.extend(tu.take().map(|(t, _)| t));
                } else if tuv_lang.is_some() && tu.as_ref().is_some_and(|(_, d)| d + 1 == closed) {
                    tuv_lang = None;
                }
            }
            Ev::Text(t) => {
                if let Some((inline, _)) = seg.as_mut() {
                    inline.push_text(&t);
                } else if let Some((n, _)) = note.as_mut() {
                    n.push_str(&t);
                }
            }
        }
    }
    if !seen_root {
        return Err("no <tmx> element".into());
    }
    if langs.is_empty() {
        return Err("contains no translation units (<tu> with <tuv xml:lang>)".into());
    }

    let list = langs.join(", ");
    let src = match opts.src_lang.as_deref().or(header_src.as_deref()) {
        Some(want) => pick(want, &langs, "--src-lang")?,
        None => {
            return Err(format!(
                "the header names no source language (srclang); it contains {list}: choose one with --src-lang"
            ))
        }
    };
    let tgt = match opts.tgt_lang.as_deref() {
        Some(want) => pick(want, &langs, "--tgt-lang")?,
        None => {
            let others: Vec<&String> = langs
                .iter()
                .filter(|l| !l.eq_ignore_ascii_case(&src))
                .collect();
            match others.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    return Err(format!(
                        "contains only {src}, no translations; nothing to check"
                    ))
                }
                _ => {
                    return Err(format!(
                        "contains {list}: choose the target language with --tgt-lang"
                    ))
                }
            }
        }
    };
    if src.eq_ignore_ascii_case(&tgt) {
        return Err(format!(
            "source and target language are both {src}; choose another with --tgt-lang"
        ));
    }

    let mut segments = Vec::new();
    for (i, t) in tus.into_iter().enumerate() {
        let text_of = |lang: &str| t.variants.get(&lang.to_ascii_lowercase()).cloned();
        // A unit without the source language has nothing to check against.
        let Some(Some(source)) = text_of(&src) else {
            continue;
        };
        let target = text_of(&tgt).flatten();
        let number = i + 1;
        let (id, location) = match &t.tuid {
            Some(tuid) => (tuid.clone(), format!("tu {number} (tuid {tuid})")),
            None => (number.to_string(), format!("tu {number}")),
        };
        segments.push(Segment {
            id,
            source,
            target,
            line: t.line,
            location,
            state: None,
            notes: t.notes,
        });
    }
    Ok(Bilingual {
        format: FileFormat::Tmx,
        src_lang: Some(src),
        tgt_lang: Some(tgt),
        segments,
    })
}

/// The file's spelling of language `want`: an exact (case-insensitive) match first, else the one
/// language with the same primary subtag.
fn pick(want: &str, langs: &[String], flag: &str) -> Result<String, String> {
    if let Some(l) = langs.iter().find(|l| l.eq_ignore_ascii_case(want.trim())) {
        return Ok(l.clone());
    }
    let matches: Vec<&String> = langs.iter().filter(|l| lang_matches(want, l)).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "has no language {want} (it contains {}); choose one with {flag}",
            langs.join(", ")
        )),
        many => Err(format!(
            "language {want} matches {}; name one exactly with {flag}",
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As Trados/memoQ export it: three languages, bpt/ept with native code, ph, a note.
    const TMX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="SDL Language Platform" creationtoolversion="8.0" datatype="xml" segtype="sentence" adminlang="en-US" srclang="en-US" o-tmf="SDL TM8 Format"/>
  <body>
    <tu tuid="42" creationdate="20240101T120000Z">
      <note>Menu item</note>
      <tuv xml:lang="en-US"><seg>Open the <bpt i="1">&lt;b&gt;</bpt>File<ept i="1">&lt;/b&gt;</ept> menu</seg></tuv>
      <tuv xml:lang="de-DE"><seg>Öffnen Sie das Menü <bpt i="1">&lt;b&gt;</bpt>Datei<ept i="1">&lt;/b&gt;</ept></seg></tuv>
      <tuv xml:lang="fr-FR"><seg>Ouvrez le menu <bpt i="1">&lt;b&gt;</bpt>Fichier<ept i="1">&lt;/b&gt;</ept></seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="EN-us"><seg>Saved <ph x="1"/> files</seg></tuv>
      <tuv xml:lang="fr-FR"><seg><ph x="1"/> fichiers enregistrés</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="de-DE"><seg>Nur Deutsch</seg></tuv>
    </tu>
  </body>
</tmx>
"#;

    fn opts(src: Option<&str>, tgt: Option<&str>) -> ReadOptions {
        ReadOptions {
            src_lang: src.map(str::to_string),
            tgt_lang: tgt.map(str::to_string),
            ..ReadOptions::default()
        }
    }

    #[test]
    fn three_languages_need_tgt_lang() {
        let err = parse(TMX, &opts(None, None)).unwrap_err();
        assert!(
            err.contains("en-US, de-DE, fr-FR") && err.contains("--tgt-lang"),
            "{err}"
        );
    }

    #[test]
    fn region_insensitive_language_choice_and_placeholders() {
        let b = parse(TMX, &opts(Some("en"), Some("fr"))).unwrap();
        assert_eq!(b.src_lang.as_deref(), Some("en-US"));
        assert_eq!(b.tgt_lang.as_deref(), Some("fr-FR"));
        assert_eq!(b.segments.len(), 2);
        let s = &b.segments[0];
        assert_eq!(s.id, "42");
        assert_eq!(s.location, "tu 1 (tuid 42)");
        assert_eq!(s.line, 6);
        assert_eq!(s.source, "Open the <b>File</b> menu");
        assert_eq!(s.target.as_deref(), Some("Ouvrez le menu <b>Fichier</b>"));
        assert_eq!(s.notes, ["Menu item"]);
        let s = &b.segments[1];
        assert_eq!((s.id.as_str(), s.line), ("2", 12));
        assert_eq!(s.source, "Saved {1} files");
        assert_eq!(s.target.as_deref(), Some("{1} fichiers enregistrés"));

        // German: the second unit has no German variant.
        let b = parse(TMX, &opts(None, Some("de-de"))).unwrap();
        assert_eq!(b.segments[1].target, None);
        assert_eq!(
            b.segments[0].target.as_deref(),
            Some("Öffnen Sie das Menü <b>Datei</b>")
        );
    }

    #[test]
    fn missing_target_language_is_named() {
        let err = parse(TMX, &opts(None, Some("es"))).unwrap_err();
        assert!(
            err.contains("no language es") && err.contains("en-US, de-DE, fr-FR"),
            "{err}"
        );
        let two = TMX.replace("<tuv xml:lang=\"fr-FR\">", "<tuv xml:lang=\"de-DE\">");
        let b = parse(&two, &opts(None, None)).unwrap();
        assert_eq!(b.tgt_lang.as_deref(), Some("de-DE"));
    }

    #[test]
    fn every_prefix_parses_or_errors_without_panic() {
        for (i, _) in TMX.char_indices() {
            let _ = parse(&TMX[..i], &opts(None, Some("fr")));
        }
    }

    #[test]
    fn truncated_tmx_errors() {
        let cut = &TMX[..TMX.find("</body>").unwrap()];
        let err = parse(cut, &opts(None, Some("fr"))).unwrap_err();
        assert!(
            err.contains("<body> opened at line 5 is not closed"),
            "{err}"
        );
    }
}
