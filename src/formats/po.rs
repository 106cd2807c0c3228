//! Gettext PO reader (as `msgmerge` writes it): header, contexts, plurals, fuzzy flags and
//! references; obsolete `#~` entries and `#|` previous strings are skipped.

use super::{Bilingual, FileFormat, ReadOptions, Segment};

/// Which string a continuation line (`"..."`) extends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Ctx,
    Id,
    Plural,
    Str,
    StrN(usize),
}

#[derive(Debug, Default)]
struct Entry {
    fuzzy: bool,
    refs: Vec<String>,
    ctx: Option<(String, usize)>,
    /// The msgid and its line.
    msgid: Option<(String, usize)>,
    plural: Option<String>,
    msgstr: Option<(String, usize)>,
    msgstr_n: Vec<(usize, String, usize)>,
}

impl Entry {
    fn is_blank(&self) -> bool {
        self.ctx.is_none() && self.msgid.is_none()
    }
    fn has_msgstr(&self) -> bool {
        self.msgstr.is_some() || !self.msgstr_n.is_empty()
    }
    fn field(&mut self, f: Field) -> Option<&mut String> {
        match f {
            Field::Ctx => self.ctx.as_mut().map(|(s, _)| s),
            Field::Id => self.msgid.as_mut().map(|(s, _)| s),
            Field::Plural => self.plural.as_mut(),
            Field::Str => self.msgstr.as_mut().map(|(s, _)| s),
            Field::StrN(i) => self
                .msgstr_n
                .iter_mut()
                .rev()
                .find(|(n, _, _)| *n == i)
                .map(|(_, s, _)| s),
        }
    }
}

/// Reads the entries; the header entry (`msgid ""` without context) comes first if present.
fn entries(text: &str) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    let mut cur = Entry::default();
    let mut field: Option<Field> = None;

    // Ends the current entry: complete ones are kept, comment-only ones dropped.
    fn flush(cur: &mut Entry, out: &mut Vec<Entry>) -> Result<(), String> {
        let e = std::mem::take(cur);
        if e.is_blank() {
            return Ok(());
        }
        match (&e.msgid, &e.ctx) {
            (None, Some((_, line))) => Err(format!("line {line}: msgctxt without msgid")),
            (Some((_, line)), _) if !e.has_msgstr() => Err(format!(
                "line {line}: msgid without msgstr (msgstr missing)"
            )),
            _ => {
                out.push(e);
                Ok(())
            }
        }
    }

    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut cur, &mut out)?;
            field = None;
            continue;
        }
        if line.starts_with("#~") {
            // Obsolete entry: kept by msgmerge for reference only.
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if cur.msgid.is_some() {
                flush(&mut cur, &mut out)?;
            }
            field = None;
            if let Some(flags) = comment.strip_prefix(',') {
                if flags.split(',').any(|f| f.trim() == "fuzzy") {
                    cur.fuzzy = true;
                }
            } else if let Some(refs) = comment.strip_prefix(':') {
                cur.refs.extend(refs.split_whitespace().map(str::to_string));
            }
            continue;
        }
        if line.starts_with('"') {
            let s = string(line, n)?;
            match field.and_then(|f| cur.field(f)) {
                Some(target) => target.push_str(&s),
                None => return Err(format!("line {n}: string without a keyword before it")),
            }
            continue;
        }
        let (keyword, rest) = line
            .split_once(|c: char| c.is_whitespace())
            .unwrap_or((line, ""));
        let rest = rest.trim_start();
        let need_string = || {
            if rest.starts_with('"') {
                Ok(())
            } else {
                Err(format!("line {n}: {keyword} needs a quoted string"))
            }
        };
        match keyword {
            "msgctxt" => {
                need_string()?;
                if !cur.is_blank() {
                    flush(&mut cur, &mut out)?;
                }
                cur.ctx = Some((string(rest, n)?, n));
                field = Some(Field::Ctx);
            }
            "msgid" => {
                need_string()?;
                if cur.msgid.is_some() {
                    flush(&mut cur, &mut out)?;
                }
                cur.msgid = Some((string(rest, n)?, n));
                field = Some(Field::Id);
            }
            "msgid_plural" => {
                need_string()?;
                if cur.msgid.is_none() || cur.has_msgstr() {
                    return Err(format!("line {n}: msgid_plural must follow a msgid"));
                }
                cur.plural = Some(string(rest, n)?);
                field = Some(Field::Plural);
            }
            "msgstr" => {
                need_string()?;
                if cur.msgid.is_none() {
                    return Err(format!("line {n}: msgstr without msgid"));
                }
                if cur.plural.is_some() {
                    return Err(format!(
                        "line {n}: an entry with msgid_plural needs msgstr[0], msgstr[1], …, not msgstr"
                    ));
                }
                if cur.msgstr.is_some() {
                    return Err(format!("line {n}: second msgstr for one msgid"));
                }
                cur.msgstr = Some((string(rest, n)?, n));
                field = Some(Field::Str);
            }
            k if k.starts_with("msgstr[") => {
                need_string()?;
                let index = k
                    .strip_prefix("msgstr[")
                    .and_then(|k| k.strip_suffix(']'))
                    .and_then(|k| k.parse::<usize>().ok())
                    .ok_or_else(|| format!("line {n}: bad plural index in {k}"))?;
                if cur.msgid.is_none() {
                    return Err(format!("line {n}: {k} without msgid"));
                }
                if cur.plural.is_none() {
                    return Err(format!("line {n}: {k} without msgid_plural"));
                }
                cur.msgstr_n.push((index, string(rest, n)?, n));
                field = Some(Field::StrN(index));
            }
            _ => {
                let shown: String = line.chars().take(40).collect();
                return Err(format!("line {n}: unexpected text `{shown}`"));
            }
        }
    }
    flush(&mut cur, &mut out)?;
    Ok(out)
}

/// Parses one C-style quoted string (`"..."`, the whole rest of the line). Octal and hex escapes
/// are bytes, so `\303\251` is "é".
fn string(s: &str, n: usize) -> Result<String, String> {
    let Some(body) = s.trim().strip_prefix('"') else {
        return Err(format!("line {n}: expected a quoted string"));
    };
    let mut bytes: Vec<u8> = Vec::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    let mut closed_at = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                closed_at = Some(i);
                break;
            }
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    break;
                };
                let simple = match e {
                    'n' => Some(b'\n'),
                    't' => Some(b'\t'),
                    'r' => Some(b'\r'),
                    'a' => Some(0x07),
                    'b' => Some(0x08),
                    'f' => Some(0x0c),
                    'v' => Some(0x0b),
                    '\\' => Some(b'\\'),
                    '"' => Some(b'"'),
                    '\'' => Some(b'\''),
                    '?' => Some(b'?'),
                    _ => None,
                };
                if let Some(b) = simple {
                    bytes.push(b);
                } else if e.is_digit(8) {
                    let mut value = e.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match chars.peek().and_then(|(_, d)| d.to_digit(8)) {
                            Some(d) => {
                                value = value * 8 + d;
                                chars.next();
                            }
                            None => break,
                        }
                    }
                    let byte = u8::try_from(value)
                        .map_err(|_| format!("line {n}: octal escape \\{value:o} is over 255"))?;
                    bytes.push(byte);
                } else if e == 'x' {
                    let mut value: u32 = 0;
                    let mut digits = 0;
                    while let Some(d) = chars.peek().and_then(|(_, d)| d.to_digit(16)) {
                        value = value.saturating_mul(16).saturating_add(d);
                        digits += 1;
                        chars.next();
                    }
                    let byte = u8::try_from(value).ok().filter(|_| digits > 0);
                    match byte {
                        Some(b) => bytes.push(b),
                        None => {
                            return Err(format!(
                                "line {n}: invalid escape \\x (needs 1-2 hex digits)"
                            ))
                        }
                    }
                } else {
                    return Err(format!("line {n}: invalid escape \\{e}"));
                }
            }
            c => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    let Some(end) = closed_at else {
        return Err(format!("line {n}: unterminated string"));
    };
    if !body[end + 1..].trim().is_empty() {
        return Err(format!("line {n}: text after the closing quote"));
    }
    String::from_utf8(bytes).map_err(|_| format!("line {n}: escapes give invalid UTF-8"))
}

/// `Key: value` lines of the header's msgstr.
fn header_field<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    header.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim())
    })
}

/// `nplurals` from a `Plural-Forms` value such as `nplurals=3; plural=(n%10==1 ? 0 : 1);`.
fn nplurals(value: &str) -> Option<usize> {
    let mut n = None;
    let mut has_plural = false;
    for part in value.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        match k.trim() {
            "nplurals" => {
                n = v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| (1..=100).contains(&n))
            }
            "plural" => has_plural = !v.trim().is_empty(),
            _ => {}
        }
    }
    n.filter(|_| has_plural)
}

pub(super) fn parse(text: &str, opts: &ReadOptions) -> Result<Bilingual, String> {
    let mut entries = entries(text)?;
    let mut out = Bilingual {
        format: FileFormat::Po,
        src_lang: None,
        tgt_lang: None,
        segments: Vec::new(),
    };
    let mut plurals: Option<usize> = None;
    let is_header =
        |e: &Entry| e.ctx.is_none() && e.msgid.as_ref().is_some_and(|(s, _)| s.is_empty());
    if entries.first().is_some_and(is_header) {
        let header = entries.remove(0);
        let (text, line) = header.msgstr.unwrap_or_default();
        let lang = |key| {
            header_field(&text, key)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        out.tgt_lang = lang("Language");
        out.src_lang = lang("X-Source-Language");
        if let Some(value) = header_field(&text, "Plural-Forms") {
            plurals = Some(nplurals(value).ok_or_else(|| {
                format!(
                    "line {line}: bad Plural-Forms header `{value}` (expected e.g. `nplurals=2; plural=(n != 1);`)"
                )
            })?);
        }
    }
    for e in entries {
        let Some((msgid, line)) = e.msgid else {
            continue;
        };
        let base = match &e.ctx {
            Some((c, _)) => format!("{c}|{msgid}"),
            None => msgid.clone(),
        };
        let at = |form: Option<usize>| {
            let mut s = format!("msgid at line {line}");
            if let Some(k) = form {
                s.push_str(&format!(", msgstr[{k}]"));
            }
            if let Some(r) = e.refs.first() {
                s.push_str(&format!(" ({r})"));
            }
            s
        };
        let state = e.fuzzy.then(|| "fuzzy".to_string());
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        if let Some(plural) = &e.plural {
            let mut forms = e.msgstr_n.clone();
            forms.sort_by_key(|(k, _, _)| *k);
            for (k, s, _) in forms {
                // A form beyond the header's nplurals is never shown: Django 4.2's own Spanish
                // catalogue has `msgstr[2]` under nplurals=2, and `msgfmt` compiles it. Skipped,
                // so one stray form does not refuse a whole catalogue.
                if plurals.is_some_and(|n| k >= n) {
                    continue;
                }
                out.segments.push(Segment {
                    id: format!("{base}[{k}]"),
                    source: if k == 0 {
                        msgid.clone()
                    } else {
                        plural.clone()
                    },
                    target: non_empty(s),
                    line,
                    location: at(Some(k)),
                    state: state.clone(),
                    notes: e.refs.clone(),
                });
            }
        } else {
            let target = e.msgstr.clone().and_then(|(s, _)| non_empty(s));
            out.segments.push(Segment {
                id: base,
                source: msgid.clone(),
                target,
                line,
                location: at(None),
                state,
                notes: e.refs.clone(),
            });
        }
    }
    out.src_lang = out.src_lang.or_else(|| opts.src_lang.clone());
    out.tgt_lang = out.tgt_lang.or_else(|| opts.tgt_lang.clone());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As msgmerge writes it: header, wrapped strings, Russian plurals, fuzzy, obsolete entries.
    const RU_PO: &str = r#"# Russian translation for hello.
# Copyright (C) 2024 Free Software Foundation, Inc.
msgid ""
msgstr ""
"Project-Id-Version: hello 2.12\n"
"Report-Msgid-Bugs-To: bug-hello@gnu.org\n"
"Language-Team: Russian <gnu@d07.ru>\n"
"Language: ru\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
"n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

#. TRANSLATORS: the program's greeting.
#: src/hello.c:120 src/hello.c:188
#, c-format
msgid "Hello, world!\n"
msgstr "Здравствуй, мир!\n"

#: src/hello.c:200
#, fuzzy, c-format
#| msgid "Usage: %s [OPTION]...\n"
msgid ""
"Usage: %s [OPTION]... [FILE]...\n"
"Print a friendly, customizable greeting.\n"
msgstr ""
"Использование: %s [ПАРАМЕТР]...\n"
"Печатает приветствие.\n"

#: src/files.c:33
#, c-format
msgid "%d file removed"
msgid_plural "%d files removed"
msgstr[0] "%d файл удалён"
msgstr[1] "%d файла удалено"
msgstr[2] ""

#: src/menu.c:10
msgctxt "menu"
msgid "Open"
msgstr ""

msgid "Tab\there \"quoted\" \\ \303\251\x41"
msgstr "Таб\tздесь"

#~ msgid "Old string"
#~ msgstr "Старая строка"
"#;

    #[test]
    fn msgmerge_po_with_plurals_fuzzy_and_obsolete() {
        let b = parse(RU_PO, &ReadOptions::default()).unwrap();
        assert_eq!(b.format, FileFormat::Po);
        assert_eq!(b.tgt_lang.as_deref(), Some("ru"));
        let ids: Vec<_> = b.segments.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "Hello, world!\n",
                "Usage: %s [OPTION]... [FILE]...\nPrint a friendly, customizable greeting.\n",
                "%d file removed[0]",
                "%d file removed[1]",
                "%d file removed[2]",
                "menu|Open",
                "Tab\there \"quoted\" \\ éA",
            ]
        );
        let s = &b.segments[0];
        assert_eq!(s.target.as_deref(), Some("Здравствуй, мир!\n"));
        assert_eq!(s.line, 18);
        assert_eq!(s.location, "msgid at line 18 (src/hello.c:120)");
        assert_eq!(s.notes, ["src/hello.c:120", "src/hello.c:188"]);
        assert_eq!(s.state, None);

        let s = &b.segments[1];
        assert_eq!(s.state.as_deref(), Some("fuzzy"));
        assert_eq!(s.line, 24);
        assert_eq!(
            s.target.as_deref(),
            Some("Использование: %s [ПАРАМЕТР]...\nПечатает приветствие.\n")
        );

        let (one, few, many) = (&b.segments[2], &b.segments[3], &b.segments[4]);
        assert_eq!(one.source, "%d file removed");
        assert_eq!(few.source, "%d files removed");
        assert_eq!(few.target.as_deref(), Some("%d файла удалено"));
        assert_eq!(many.target, None);
        assert_eq!(few.location, "msgid at line 33, msgstr[1] (src/files.c:33)");

        assert_eq!(b.segments[5].target, None);
        assert_eq!(b.segments[5].line, 41);
        assert!(!b.segments.iter().any(|s| s.source.contains("Old string")));
    }

    #[test]
    fn every_prefix_parses_or_errors_without_panic() {
        for (i, _) in RU_PO.char_indices() {
            let _ = parse(&RU_PO[..i], &ReadOptions::default());
        }
    }

    fn err(text: &str) -> String {
        parse(text, &ReadOptions::default()).unwrap_err()
    }

    #[test]
    fn malformed_po_names_problem_and_line() {
        let e = err("msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"open\nmsgstr \"x\"\n");
        assert_eq!(e, "line 4: unterminated string");
        let e = err(
            "msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"no translation\"\n\nmsgid \"c\"\nmsgstr \"\"\n",
        );
        assert!(
            e.starts_with("line 4:") && e.contains("msgstr missing"),
            "{e}"
        );
        let e = err("msgid \"a\"\nmsgstr[0] \"b\"\n");
        assert_eq!(e, "line 2: msgstr[0] without msgid_plural");
        let e = err("msgid \"a\\q\"\nmsgstr \"b\"\n");
        assert_eq!(e, "line 1: invalid escape \\q");
        let e = err("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"b\"\n");
        assert!(e.starts_with("line 3:") && e.contains("msgstr[0]"), "{e}");
    }

    #[test]
    fn bad_plural_forms_header_is_an_error() {
        let po = "msgid \"\"\nmsgstr \"Language: ru\\n\"\n\"Plural-Forms: nplurals=three; plural=n;\\n\"\n\nmsgid \"a\"\nmsgstr \"b\"\n";
        let e = err(po);
        assert!(e.starts_with("line 2: bad Plural-Forms header"), "{e}");
    }

    #[test]
    fn gettext_plural_form_beyond_nplurals_is_skipped_not_refused() {
        // Django 4.2's es catalogue: `msgstr[2]` under nplurals=2, which msgfmt compiles.
        let po = "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\nmsgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\nmsgstr[1] \"bs\"\nmsgstr[2] \"bs\"\n";
        let b = parse(po, &ReadOptions::default()).unwrap();
        let ids: Vec<&str> = b.segments.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a[0]", "a[1]"]);
    }
}
