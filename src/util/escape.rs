//! Escaping text for XML (JUnit reports, SVG plots), where one odd character must never make a
//! whole file unparsable.

/// Escapes `s` for XML 1.0 text and attribute values. Characters XML 1.0 cannot carry at all
/// (C0 controls other than tab, line feed and carriage return; U+FFFE, U+FFFF) become U+FFFD, so
/// one odd byte in a translation never makes the whole report unparsable. Tab, LF and CR are
/// written as character references so that attribute-value normalisation keeps them.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_invalid_characters() {
        assert_eq!(
            xml("a<b & \"c\" 'd' >"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;"
        );
        assert_eq!(
            xml("x\u{0}y\u{7}z\u{1b}\u{ffff}"),
            "x\u{fffd}y\u{fffd}z\u{fffd}\u{fffd}"
        );
        assert_eq!(xml("a\tb\nc\r"), "a&#9;b&#10;c&#13;");
        assert_eq!(xml("€ دليل 日本"), "€ دليل 日本");
    }
}
