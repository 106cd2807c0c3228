//! XLIFF 1.2 (`<trans-unit>`, optional `<seg-source>`/`<mrk mtype="seg">` segmentation) and
//! XLIFF 2.0 (`<unit>`/`<segment>`) reader: one `Segment` per translatable segment.

use std::collections::HashMap;

use super::xml::{short_note, Ev, Inline, Tag, XmlStream};
use super::{Bilingual, FileFormat, ReadOptions, Segment};

/// Which content element of a unit is being collected.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Source,
    SegSource,
    Target,
    Note,
    /// XLIFF 2.0 `<originalData><data id>`: the native code of inline elements.
    Data,
}

/// A `<source>`, `<seg-source>` or `<target>`: the whole text, plus the `<mrk mtype="seg">`
/// segments inside it (XLIFF 1.2 segmentation).
#[derive(Debug, Default)]
struct Content {
    whole: Inline,
    segs: Vec<(String, usize, Inline)>,
    /// Depth (inside this content) of the open segment `<mrk>`, if any.
    seg_depth: Option<usize>,
    depth: usize,
}

impl Content {
    fn start(&mut self, tag: &Tag, data: &[(String, String)]) {
        self.depth += 1;
        if tag.name == "mrk" && tag.attr("mtype") == Some("seg") && self.seg_depth.is_none() {
            let mid = tag.attr("mid").unwrap_or("?").to_string();
            self.segs.push((mid, tag.line, Inline::default()));
            self.seg_depth = Some(self.depth);
            return;
        }
        self.whole.start(tag, data);
        if self.seg_depth.is_some() {
            if let Some((_, _, seg)) = self.segs.last_mut() {
                seg.start(tag, data);
            }
        }
    }

    fn end(&mut self) {
        if self.seg_depth == Some(self.depth) {
            self.seg_depth = None;
        } else {
            self.whole.end();
            if self.seg_depth.is_some() {
                if let Some((_, _, seg)) = self.segs.last_mut() {
                    seg.end();
                }
            }
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn text(&mut self, s: &str) {
        self.whole.push_text(s);
        if self.seg_depth.is_some() {
            if let Some((_, _, seg)) = self.segs.last_mut() {
                seg.push_text(s);
            }
        }
    }
}

/// Everything collected for one `<trans-unit>` (1.2) or `<segment>` (2.0).
#[derive(Debug, Default)]
struct Unit {
    id: String,
    line: usize,
    /// `<xliff>` depth of the unit element; its content elements are its direct children.
    depth: usize,
    skip: bool,
    /// XLIFF 2.0 `<segment>` without an id (numbered within its unit instead).
    numbered: bool,
    state: Option<String>,
    source: Option<Content>,
    seg_source: Option<Content>,
    target: Option<Content>,
    notes: Vec<String>,
}

/// XLIFF 2.0 unit: its id, notes and `translate`, shared by its segments.
#[derive(Debug, Default)]
struct Unit2 {
    id: String,
    depth: usize,
    skip: bool,
    notes: Vec<String>,
    /// Finished segments, and whether each was numbered for lack of an id.
    segments: Vec<(Segment, bool)>,
    /// `<originalData>`: data id and native code.
    data: Vec<(String, String)>,
    /// Segments so far, for the id of segments without one.
    count: usize,
}

pub(super) fn parse(text: &str, opts: &ReadOptions) -> Result<Bilingual, String> {
    let mut xml = XmlStream::new(text);
    let mut out = Bilingual {
        format: FileFormat::Xliff12,
        src_lang: None,
        tgt_lang: None,
        segments: Vec::new(),
    };
    let mut seen_root = false;
    // Segments with the `<file>` they come from; file names go into locations only when there are
    // several files (ids are unique per file, not per document).
    let mut files: Vec<String> = Vec::new();
    let mut seg_file: Vec<usize> = Vec::new();
    let mut unit: Option<Unit> = None;
    let mut unit2: Option<Unit2> = None;
    // The content being collected and the depth of its element.
    let mut part: Option<(Part, usize)> = None;
    let mut note = String::new();

    while let Some(ev) = xml.next()? {
        let depth = xml.depth();
        match ev {
            Ev::Start(tag) => {
                if let Some((p, _)) = part {
                    let data = unit2.as_ref().map_or(&[][..], |u| &u.data[..]);
                    if let Some(c) = content_mut(unit.as_mut(), p) {
                        c.start(&tag, data);
                    }
                    continue;
                }
                if !seen_root {
                    seen_root = true;
                    if tag.name != "xliff" {
                        return Err(format!(
                            "line {}: root element is <{}>, not <xliff>",
                            tag.line, tag.name
                        ));
                    }
                    let v2 = tag.attr("version").is_some_and(|v| v.starts_with('2'))
                        || tag.attr("xmlns").is_some_and(|v| v.contains(":2."));
                    if v2 {
                        out.format = FileFormat::Xliff20;
                        out.src_lang = tag.attr("srcLang").map(str::to_string);
                        out.tgt_lang = tag.attr("trgLang").map(str::to_string);
                    }
                    continue;
                }
                match tag.name.as_str() {
                    "file" => {
                        if out.format == FileFormat::Xliff12 && files.is_empty() {
                            out.src_lang = tag.attr("source-language").map(str::to_string);
                            out.tgt_lang = tag.attr("target-language").map(str::to_string);
                        }
                        let name = tag
                            .attr("original")
                            .or_else(|| tag.attr("id"))
                            .unwrap_or("?");
                        files.push(name.to_string());
                    }
                    "trans-unit" if out.format == FileFormat::Xliff12 => {
                        unit = Some(Unit {
                            id: unit_id(&tag)?,
                            line: tag.line,
                            depth,
                            skip: tag.attr("translate") == Some("no"),
                            state: (tag.attr("approved") == Some("yes"))
                                .then(|| "approved".to_string()),
                            ..Unit::default()
                        });
                    }
                    "unit" if out.format == FileFormat::Xliff20 => {
                        unit2 = Some(Unit2 {
                            id: unit_id(&tag)?,
                            depth,
                            skip: tag.attr("translate") == Some("no"),
                            ..Unit2::default()
                        });
                    }
                    "segment" => {
                        if let Some(u2) = unit2.as_mut().filter(|u| u.depth + 1 == depth) {
                            u2.count += 1;
                            let sid = tag.attr("id").map(str::to_string);
                            unit = Some(Unit {
                                numbered: sid.is_none(),
                                id: sid.unwrap_or_else(|| u2.count.to_string()),
                                line: tag.line,
                                depth,
                                state: tag.attr("state").map(str::to_string),
                                ..Unit::default()
                            });
                        }
                    }
                    "source" | "seg-source" | "target" => {
                        if let Some(u) = unit.as_mut().filter(|u| u.depth + 1 == depth) {
                            let p = match tag.name.as_str() {
                                "source" => Part::Source,
                                "seg-source" => Part::SegSource,
                                _ => Part::Target,
                            };
                            if p == Part::Target && out.format == FileFormat::Xliff12 {
                                if let Some(s) = tag.attr("state") {
                                    u.state.get_or_insert_with(|| s.to_string());
                                }
                            }
                            *slot(u, p) = Some(Content::default());
                            part = Some((p, depth));
                        }
                    }
                    "data" if unit2.as_ref().is_some_and(|u| u.depth + 2 == depth) => {
                        if let Some(u2) = unit2.as_mut() {
                            let id = tag.attr("id").unwrap_or("").to_string();
                            u2.data.push((id, String::new()));
                            part = Some((Part::Data, depth));
                        }
                    }
                    "note" => {
                        // 1.2: <trans-unit><note>; 2.0: <unit><notes><note>.
                        let in_unit = unit.as_ref().is_some_and(|u| u.depth + 1 == depth);
                        let in_unit2 = unit2.as_ref().is_some_and(|u| u.depth + 2 == depth);
                        if in_unit || in_unit2 {
                            note.clear();
                            part = Some((Part::Note, depth));
                        }
                    }
                    _ => {}
                }
            }
            Ev::End => {
                let closed = depth + 1;
                if let Some((p, d)) = part {
                    if d == closed {
                        part = None;
                        if p == Part::Note {
                            if let Some(n) = short_note(&note) {
                                match (unit.as_mut(), unit2.as_mut()) {
                                    (Some(u), _) => u.notes.push(n),
                                    (None, Some(u2)) => u2.notes.push(n),
                                    _ => {}
                                }
                            }
                        }
                    } else if let Some(c) = content_mut(unit.as_mut(), p) {
                        c.end();
                    }
                    continue;
                }
                if unit.as_ref().is_some_and(|u| u.depth == closed) {
                    if let Some(u) = unit.take() {
                        match unit2.as_mut() {
                            Some(u2) => {
                                let numbered = u.numbered;
                                let segs = finish(u, out.format);
                                u2.segments.extend(segs.into_iter().map(|s| (s, numbered)));
                            }
                            None => {
                                for s in finish(u, out.format) {
                                    out.segments.push(s);
                                    seg_file.push(files.len().saturating_sub(1));
                                }
                            }
                        }
                    }
                } else if unit2.as_ref().is_some_and(|u| u.depth == closed) {
                    if let Some(u2) = unit2.take() {
                        let single = u2.segments.len() == 1;
                        for (mut s, numbered) in u2.segments {
                            if u2.skip {
                                continue;
                            }
                            let sid = s.id.clone();
                            s.id = if single && numbered {
                                u2.id.clone()
                            } else {
                                format!("{}#{sid}", u2.id)
                            };
                            s.location = format!("unit {} segment {sid}", u2.id);
                            s.notes = u2.notes.clone();
                            out.segments.push(s);
                            seg_file.push(files.len().saturating_sub(1));
                        }
                    }
                }
            }
            Ev::Text(t) => match part {
                Some((Part::Note, _)) => note.push_str(&t),
                Some((Part::Data, _)) => {
                    if let Some((_, code)) = unit2.as_mut().and_then(|u| u.data.last_mut()) {
                        code.push_str(&t);
                    }
                }
                Some((p, _)) => {
                    if let Some(c) = content_mut(unit.as_mut(), p) {
                        c.text(&t);
                    }
                }
                None => {}
            },
        }
    }
    if !seen_root {
        return Err("no <xliff> element".into());
    }
    if files.len() > 1 {
        for (s, &f) in out.segments.iter_mut().zip(&seg_file) {
            if let Some(name) = files.get(f) {
                s.location = format!("file {name}: {}", s.location);
            }
        }
    }
    out.src_lang = out.src_lang.or_else(|| opts.src_lang.clone());
    out.tgt_lang = out.tgt_lang.or_else(|| opts.tgt_lang.clone());
    Ok(out)
}

fn unit_id(tag: &Tag) -> Result<String, String> {
    tag.attr("id")
        .map(str::to_string)
        .ok_or_else(|| format!("line {}: <{}> has no id", tag.line, tag.name))
}

fn slot(u: &mut Unit, p: Part) -> &mut Option<Content> {
    match p {
        Part::Source => &mut u.source,
        Part::SegSource => &mut u.seg_source,
        Part::Target | Part::Note | Part::Data => &mut u.target,
    }
}

fn content_mut(unit: Option<&mut Unit>, p: Part) -> Option<&mut Content> {
    if matches!(p, Part::Note | Part::Data) {
        return None;
    }
    unit.and_then(|u| slot(u, p).as_mut())
}

/// The segments of a finished unit. For XLIFF 2.0 `Unit` is one `<segment>` and the caller adds
/// the unit id and location.
fn finish(u: Unit, format: FileFormat) -> Vec<Segment> {
    if u.skip {
        return Vec::new();
    }
    let segment = |id: String, location: String, line, source: String, target| Segment {
        id,
        source,
        target,
        line,
        location,
        state: u.state.clone(),
        notes: u.notes.clone(),
    };
    if format == FileFormat::Xliff20 {
        let source = u.source.map(|c| c.whole.text).unwrap_or_default();
        let target = u.target.and_then(|c| c.whole.into_text());
        // The caller adds the unit's id and location.
        return vec![segment(u.id, String::new(), u.line, source, target)];
    }
    let seg_source = u.seg_source.filter(|c| !c.segs.is_empty());
    let target_segmented = u
        .target
        .as_ref()
        .is_none_or(|t| !t.segs.is_empty() || t.whole.text.trim().is_empty());
    match seg_source {
        Some(ss) if target_segmented => {
            // By mid, the first of each: a unit with very many segments stays linear.
            let mut targets: HashMap<String, Inline> = HashMap::new();
            for (mid, _, t) in u.target.map(|t| t.segs).unwrap_or_default() {
                targets.entry(mid).or_insert(t);
            }
            ss.segs
                .into_iter()
                .map(|(mid, line, src)| {
                    let target = targets.remove(&mid).and_then(Inline::into_text);
                    segment(
                        format!("{}#{mid}", u.id),
                        format!("trans-unit {} segment {mid}", u.id),
                        line,
                        src.text,
                        target,
                    )
                })
                .collect()
        }
        // No segmentation, or a target that is not segmented like its source: the whole unit.
        ss => {
            let source = u.source.or(ss).map(|c| c.whole.text).unwrap_or_default();
            let target = u.target.and_then(|c| c.whole.into_text());
            let location = format!("trans-unit {}", u.id);
            vec![segment(u.id.clone(), location, u.line, source, target)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Bilingual {
        parse(text, &ReadOptions::default()).unwrap()
    }

    /// As Okapi Rainbow writes it: seg-source/mrk segmentation, <g>/<x/> codes, states.
    const OKAPI_12: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:okp="okapi-framework:xliff-extensions">
<file original="help.html" source-language="en-US" target-language="de-DE" datatype="x-text/html">
<body>
<trans-unit id="tu1" xml:space="preserve">
<source xml:lang="en-US">Click <g id="1">Save</g> to keep it.<x id="2"/> Then quit.</source>
<seg-source><mrk mid="0" mtype="seg">Click <g id="1">Save</g> to keep it.</mrk><x id="2"/> <mrk mid="1" mtype="seg">Then quit.</mrk></seg-source>
<target xml:lang="de-DE" state="translated"><mrk mid="0" mtype="seg">Klicken Sie auf <g id="1">Speichern</g>, um es zu behalten.</mrk><x id="2"/> <mrk mid="1" mtype="seg">Dann beenden.</mrk></target>
<note>Button label in the toolbar</note>
</trans-unit>
<trans-unit id="tu2" approved="yes">
<source>Fish &amp; chips &lt;3 &#x263A;</source>
<target state="final">Fisch &amp; Pommes &lt;3 &#x263A;</target>
</trans-unit>
<trans-unit id="tu3">
<source>Not yet <ph id="1">%s</ph> done</source>
<target state="needs-translation"></target>
<alt-trans><source>other</source><target>anders</target></alt-trans>
</trans-unit>
<trans-unit id="tu4" translate="no">
<source>ACME</source>
</trans-unit>
</body>
</file>
</xliff>
"#;

    #[test]
    fn okapi_xliff12_segments_placeholders_and_states() {
        let b = parse_ok(OKAPI_12);
        assert_eq!(b.format, FileFormat::Xliff12);
        assert_eq!(b.src_lang.as_deref(), Some("en-US"));
        assert_eq!(b.tgt_lang.as_deref(), Some("de-DE"));
        let ids: Vec<_> = b.segments.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["tu1#0", "tu1#1", "tu2", "tu3"]);

        let s = &b.segments[0];
        assert_eq!(s.source, "Click {1}Save{/1} to keep it.");
        assert_eq!(
            s.target.as_deref(),
            Some("Klicken Sie auf {1}Speichern{/1}, um es zu behalten.")
        );
        assert_eq!(s.line, 7);
        assert_eq!(s.location, "trans-unit tu1 segment 0");
        assert_eq!(s.state.as_deref(), Some("translated"));
        assert_eq!(s.notes, ["Button label in the toolbar"]);
        assert_eq!(b.segments[1].target.as_deref(), Some("Dann beenden."));

        let s = &b.segments[2];
        assert_eq!(s.source, "Fish & chips <3 \u{263A}");
        assert_eq!(s.state.as_deref(), Some("approved"));
        assert_eq!(s.line, 11);

        // Empty target: None; alt-trans does not overwrite the unit's own source/target.
        let s = &b.segments[3];
        assert_eq!(s.source, "Not yet %s done");
        assert_eq!(s.target, None);
        assert_eq!(s.state.as_deref(), Some("needs-translation"));
    }

    #[test]
    fn several_files_name_their_file_and_skip_untranslatable_units() {
        let text = r#"<xliff version="1.2">
<file original="a.properties" source-language="en" target-language="es"><body>
<trans-unit id="1"><source>One</source><target>Uno</target></trans-unit>
</body></file>
<file original="b.properties" source-language="en" target-language="es"><body>
<group id="g"><trans-unit id="1"><source>Two</source><target state="signed-off">Dos</target></trans-unit></group>
</body></file></xliff>"#;
        let b = parse_ok(text);
        let got: Vec<_> = b
            .segments
            .iter()
            .map(|s| (s.id.as_str(), s.location.as_str(), s.line))
            .collect();
        assert_eq!(
            got,
            [
                ("1", "file a.properties: trans-unit 1", 3),
                ("1", "file b.properties: trans-unit 1", 6)
            ]
        );
        assert_eq!(b.segments[1].state.as_deref(), Some("signed-off"));

        let v2 = r#"<xliff version="2.0" srcLang="en" trgLang="de"><file id="f">
<unit id="brand" translate="no"><segment><source>ACME</source></segment></unit>
<unit id="u"><segment><source>Yes</source><target>Ja</target></segment></unit>
</file></xliff>"#;
        let b = parse_ok(v2);
        assert_eq!(b.segments.len(), 1);
        assert_eq!(
            (b.segments[0].id.as_str(), b.segments[0].location.as_str()),
            ("u", "unit u segment 1")
        );
    }

    #[test]
    fn unsegmented_target_falls_back_to_whole_unit() {
        let text = r#"<xliff version="1.2"><file source-language="en" target-language="fr"><body>
<trans-unit id="a"><source>One. Two.</source>
<seg-source><mrk mid="1" mtype="seg">One.</mrk> <mrk mid="2" mtype="seg">Two.</mrk></seg-source>
<target>Un. Deux.</target></trans-unit></body></file></xliff>"#;
        let b = parse_ok(text);
        assert_eq!(b.segments.len(), 1);
        assert_eq!(b.segments[0].source, "One. Two.");
        assert_eq!(b.segments[0].target.as_deref(), Some("Un. Deux."));
    }

    const XLIFF_20: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="ja">
 <file id="f1" original="ui.json">
  <unit id="u1">
   <notes><note category="context">Greeting on the start page</note></notes>
   <originalData><data id="d1">&lt;b&gt;</data><data id="d2">&lt;/b&gt;</data><data id="d3">%d</data></originalData>
   <segment id="s1" state="translated">
    <source>Hello <pc id="1" dataRefStart="d1" dataRefEnd="d2">world</pc>!</source>
    <target>こんにちは<pc id="1" dataRefStart="d1" dataRefEnd="d2">世界</pc>！</target>
   </segment>
   <ignorable><source> </source></ignorable>
   <segment id="s2">
    <source>You have <ph id="2" dataRef="d3"/> messages<ph id="3"/>.</source>
    <target></target>
   </segment>
  </unit>
  <unit id="u2">
   <segment state="final">
    <source>Bye<sc id="3"/>now<ec startRef="3"/></source>
    <target>さようなら<sc id="3"/>今<ec startRef="3"/></target>
   </segment>
  </unit>
 </file>
</xliff>"#;

    #[test]
    fn xliff20_units_segments_and_inline_codes() {
        let b = parse_ok(XLIFF_20);
        assert_eq!(b.format, FileFormat::Xliff20);
        assert_eq!(b.src_lang.as_deref(), Some("en"));
        assert_eq!(b.tgt_lang.as_deref(), Some("ja"));
        let ids: Vec<_> = b.segments.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["u1#s1", "u1#s2", "u2"]);
        let s = &b.segments[0];
        // <pc> with <originalData>: the native code, the same on both sides.
        assert_eq!(s.source, "Hello <b>world</b>!");
        assert_eq!(s.target.as_deref(), Some("こんにちは<b>世界</b>！"));
        assert_eq!(s.location, "unit u1 segment s1");
        assert_eq!(s.line, 7);
        assert_eq!(s.state.as_deref(), Some("translated"));
        assert_eq!(s.notes, ["Greeting on the start page"]);
        let s = &b.segments[1];
        assert_eq!(s.source, "You have %d messages{3}.");
        assert_eq!(s.target, None);
        let s = &b.segments[2];
        assert_eq!(s.source, "Bye{3}now{/3}");
        assert_eq!(s.target.as_deref(), Some("さようなら{3}今{/3}"));
        assert_eq!(s.state.as_deref(), Some("final"));
        assert_eq!(s.line, 18);
    }

    #[test]
    fn truncated_and_malformed_xliff_name_the_line() {
        let cut = &OKAPI_12[..OKAPI_12.find("<trans-unit id=\"tu3\">").unwrap()];
        let err = parse(cut, &ReadOptions::default()).unwrap_err();
        assert!(
            err.contains("not closed") && err.starts_with("line "),
            "{err}"
        );

        let bad = "<xliff version=\"1.2\"><file><body>\n<trans-unit id=\"a\"><source>x</target>\n</trans-unit></body></file></xliff>";
        let err = parse(bad, &ReadOptions::default()).unwrap_err();
        assert!(
            err.starts_with("line 2:") && err.contains("not well-formed"),
            "{err}"
        );

        let err = parse("<xliff version=\"1.2\"><file><body><trans-unit><source>x</source></trans-unit></body></file></xliff>", &ReadOptions::default()).unwrap_err();
        assert!(err.contains("<trans-unit> has no id"), "{err}");
    }

    #[test]
    fn every_prefix_parses_or_errors_without_panic() {
        for doc in [OKAPI_12, XLIFF_20] {
            for (i, _) in doc.char_indices() {
                if let Err(e) = parse(&doc[..i], &ReadOptions::default()) {
                    assert!(e.starts_with("line ") || e.starts_with("no <xliff>"), "{e}");
                }
            }
        }
    }

    #[test]
    fn billion_laughs_is_refused_fast() {
        let mut doc =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE xliff [\n <!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            let prev = if i == 1 {
                "lol".to_string()
            } else {
                format!("lol{}", i - 1)
            };
            doc.push_str(&format!(
                " <!ENTITY lol{i} \"{}\">\n",
                format!("&{prev};").repeat(10)
            ));
        }
        doc.push_str("]>\n<xliff version=\"1.2\"><file><body><trans-unit id=\"1\"><source>&lol9;</source></trans-unit></body></file></xliff>\n");
        let t = std::time::Instant::now();
        let err = parse(&doc, &ReadOptions::default()).unwrap_err();
        assert!(t.elapsed().as_millis() < 500);
        assert!(err.contains("line 2") && err.contains("ENTITY"), "{err}");
    }

    #[test]
    fn external_entity_is_never_read() {
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE xliff [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<xliff version=\"1.2\"><file><body><trans-unit id=\"1\"><source>&xxe;</source></trans-unit></body></file></xliff>";
        let err = parse(doc, &ReadOptions::default()).unwrap_err();
        assert!(err.contains("ENTITY") && !err.contains("root:"), "{err}");
        // Without the declaration, the reference is an unknown entity, not a file read.
        let doc = "<xliff version=\"1.2\"><file><body><trans-unit id=\"1\">\n<source>&xxe;</source></trans-unit></body></file></xliff>";
        let err = parse(doc, &ReadOptions::default()).unwrap_err();
        assert!(
            err.starts_with("line 2:") && !err.contains("root:"),
            "{err}"
        );
    }

    #[test]
    fn deeply_nested_xliff_errors_without_overflow() {
        let n = 100_000;
        let doc = format!(
            "<xliff version=\"2.0\"><file id=\"f\"><unit id=\"u\"><segment><source>{}x{}</source></segment></unit></file></xliff>",
            "<pc id=\"1\">".repeat(n),
            "</pc>".repeat(n)
        );
        let t = std::time::Instant::now();
        let err = parse(&doc, &ReadOptions::default()).unwrap_err();
        assert!(err.contains("nested more than 256"), "{err}");
        assert!(t.elapsed().as_secs_f64() < 1.0);
    }
}
