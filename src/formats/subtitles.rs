//! SRT and WebVTT readers: the cues of one side of a subtitle pair, with their timing and their
//! text stripped of styling tags.

/// One subtitle cue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// SRT: the cue's number as written; WebVTT: its position in the file (from 1).
    pub number: usize,
    pub start_ms: u64,
    pub end_ms: u64,
    /// Lines joined with `\n`, styling tags (`<i>`, `<c.x>`, `{\an8}`) removed.
    pub text: String,
    /// 1-based line of the cue's first line (its number or identifier, else its timing).
    pub line: usize,
}

/// Blocks of non-blank lines, each line with its 1-based number.
fn blocks(text: &str) -> Vec<Vec<(usize, &str)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push((i + 1, line));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub(super) fn parse_srt(text: &str) -> Result<Vec<Cue>, String> {
    let mut cues = Vec::new();
    for block in blocks(text) {
        let (first_line, first) = block[0];
        let (number, timing_at) = match first.trim().parse::<usize>() {
            Ok(n) if !first.contains("-->") => (n, 1),
            _ => (cues.len() + 1, 0),
        };
        let Some(&(n, timing)) = block.get(timing_at) else {
            return Err(format!(
                "line {first_line}: cue {number} has no timing line (00:00:01,000 --> 00:00:02,500)"
            ));
        };
        if !timing.contains("-->") {
            return Err(format!(
                "line {n}: expected a timing line like 00:00:01,000 --> 00:00:02,500, found `{}`",
                shorten(timing)
            ));
        }
        let (start_ms, end_ms) = timing_line(timing, n)?;
        cues.push(Cue {
            number,
            start_ms,
            end_ms,
            text: cue_text(&block[timing_at + 1..]),
            line: first_line,
        });
    }
    if cues.is_empty() {
        return Err("contains no subtitle cues".into());
    }
    Ok(cues)
}

pub(super) fn parse_vtt(text: &str) -> Result<Vec<Cue>, String> {
    let mut blocks = blocks(text).into_iter();
    match blocks.next() {
        Some(header) if header[0].1.trim_start().starts_with("WEBVTT") => {}
        _ => return Err("line 1: a WebVTT file starts with `WEBVTT`".into()),
    }
    let mut cues = Vec::new();
    for block in blocks {
        let (first_line, first) = block[0];
        let word = first.split_whitespace().next().unwrap_or("");
        if !first.contains("-->") && matches!(word, "NOTE" | "STYLE" | "REGION") {
            continue;
        }
        // An optional identifier line precedes the timing.
        let timing_at = usize::from(!first.contains("-->"));
        let Some(&(n, timing)) = block.get(timing_at) else {
            return Err(format!(
                "line {first_line}: cue `{}` has no timing line (00:01.000 --> 00:02.500)",
                shorten(first)
            ));
        };
        if !timing.contains("-->") {
            return Err(format!(
                "line {n}: expected a timing line like 00:00:01.000 --> 00:00:02.500, found `{}`",
                shorten(timing)
            ));
        }
        let (start_ms, end_ms) = timing_line(timing, n)?;
        cues.push(Cue {
            number: cues.len() + 1,
            start_ms,
            end_ms,
            text: cue_text(&block[timing_at + 1..]),
            line: first_line,
        });
    }
    if cues.is_empty() {
        return Err("contains no subtitle cues".into());
    }
    Ok(cues)
}

fn shorten(s: &str) -> String {
    s.chars().take(60).collect()
}

/// `start --> end [settings]`: both times in milliseconds; the end must not precede the start.
fn timing_line(line: &str, n: usize) -> Result<(u64, u64), String> {
    let (a, b) = line.split_once("-->").unwrap_or((line, ""));
    let b = b.split_whitespace().next().unwrap_or("");
    let start = timestamp(a.trim())
        .ok_or_else(|| format!("line {n}: bad timestamp `{}`", shorten(a.trim())))?;
    let end = timestamp(b).ok_or_else(|| format!("line {n}: bad timestamp `{}`", shorten(b)))?;
    if end < start {
        return Err(format!("line {n}: the cue ends before it starts"));
    }
    Ok((start, end))
}

/// `hh:mm:ss,mmm` or `hh:mm:ss.mmm`, hours optional (WebVTT), in milliseconds.
fn timestamp(s: &str) -> Option<u64> {
    let (clock, frac) = s.rsplit_once([',', '.'])?;
    if frac.len() != 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ms: u64 = frac.parse().ok()?;
    let parts: Vec<&str> = clock.split(':').collect();
    let num = |p: &str| -> Option<u64> {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let (h, m, sec) = match parts.as_slice() {
        [h, m, s] => (num(h)?, num(m)?, num(s)?),
        [m, s] => (0, num(m)?, num(s)?),
        _ => return None,
    };
    if m > 59 || sec > 59 {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1000 + ms)
}

/// Cue lines without styling: HTML-like tags (`<i>`, `</b>`, `<c.yellow>`, `<v Roger>`,
/// `<00:01.500>`), ASS overrides (`{\an8}`) and the character references WebVTT uses.
fn cue_text(lines: &[(usize, &str)]) -> String {
    lines
        .iter()
        .map(|(_, l)| strip_tags(l))
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        // A tag starts with a letter, digit or `/` right after `<` and closes on the same line;
        // anything else (`a < b`) is text.
        if c == '<' {
            let next = rest[1..].chars().next();
            if next.is_some_and(|n| n.is_alphanumeric() || n == '/') {
                if let Some(end) = rest.find('>') {
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        if c == '{' && rest[1..].starts_with('\\') {
            if let Some(end) = rest.find('}') {
                rest = &rest[end + 1..];
                continue;
            }
        }
        if c == '&' {
            let entities = [
                ("&amp;", "&"),
                ("&lt;", "<"),
                ("&gt;", ">"),
                ("&nbsp;", "\u{a0}"),
                ("&lrm;", "\u{200e}"),
                ("&rlm;", "\u{200f}"),
            ];
            if let Some((e, r)) = entities.iter().find(|(e, _)| rest.starts_with(e)) {
                out.push_str(r);
                rest = &rest[e.len()..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRT: &str = "1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i> there.\r\n\r\n2\r\n00:00:03,000 --> 00:00:05,250 X1:100 X2:200\r\n{\\an8}Two lines,\r\n<font color=\"#ff0\">second</font> one & a < b.\r\n\r\n";

    #[test]
    fn srt_cues_with_tags_stripped() {
        let cues = parse_srt(SRT).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(
            cues[0],
            Cue {
                number: 1,
                start_ms: 1000,
                end_ms: 2500,
                text: "Hello there.".into(),
                line: 1
            }
        );
        assert_eq!(cues[1].number, 2);
        assert_eq!((cues[1].start_ms, cues[1].end_ms), (3000, 5250));
        assert_eq!(cues[1].text, "Two lines,\nsecond one & a < b.");
        assert_eq!(cues[1].line, 5);
    }

    #[test]
    fn srt_broken_timestamp_names_the_line() {
        let bad =
            "1\n00:00:01,000 --> 00:00:02,500\nOk\n\n2\n00:00:03,000 --> 00:0x:05,000\nBroken\n";
        let err = parse_srt(bad).unwrap_err();
        assert_eq!(err, "line 6: bad timestamp `00:0x:05,000`");
        let err = parse_srt("1\nHello\n").unwrap_err();
        assert!(err.starts_with("line 2: expected a timing line"), "{err}");
        let err = parse_srt("1\n00:00:05,000 --> 00:00:01,000\nBackwards\n").unwrap_err();
        assert!(err.contains("ends before it starts"), "{err}");
    }

    const VTT: &str = "WEBVTT - Some title\nKind: captions\nLanguage: en\n\nNOTE This is a comment\nspanning two lines\n\nSTYLE\n::cue { color: yellow }\n\nintro\n00:01.000 --> 00:04.000 position:10% align:start\n<v Roger>Hi, <c.loud>there</c>!\n\n01:00:00.500 --> 01:00:02.000\nA &lt;tag&gt; &amp; text\n";

    #[test]
    fn vtt_skips_header_notes_and_styles() {
        let cues = parse_vtt(VTT).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!((cues[0].number, cues[0].line), (1, 11));
        assert_eq!((cues[0].start_ms, cues[0].end_ms), (1000, 4000));
        assert_eq!(cues[0].text, "Hi, there!");
        assert_eq!(cues[1].number, 2);
        assert_eq!(cues[1].start_ms, 3_600_500);
        assert_eq!(cues[1].text, "A <tag> & text");
        assert_eq!(cues[1].line, 15);
    }

    #[test]
    fn every_prefix_parses_or_errors_without_panic() {
        for (i, _) in SRT.char_indices() {
            let _ = parse_srt(&SRT[..i]);
        }
        for (i, _) in VTT.char_indices() {
            let _ = parse_vtt(&VTT[..i]);
        }
    }

    #[test]
    fn vtt_errors() {
        assert!(parse_vtt("1\n00:01.000 --> 00:02.000\nx\n")
            .unwrap_err()
            .contains("WEBVTT"));
        let err = parse_vtt("WEBVTT\n\n00:01.000 --> 00:02\nx\n").unwrap_err();
        assert_eq!(err, "line 3: bad timestamp `00:02`");
    }
}
