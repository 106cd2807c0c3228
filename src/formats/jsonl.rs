//! JSON Lines bilingual files: one object per line with `source`/`target` (or `src`/`tgt`, or the
//! language codes given) and an optional `id`.

use serde_json::Value;

use super::{lang_matches, Bilingual, FileFormat, ReadOptions, Segment};

/// The string under the first key matching `names` or language `lang`; JSON null counts as absent.
fn field<'a>(
    obj: &'a serde_json::Map<String, Value>,
    names: &[&str],
    lang: Option<&str>,
    n: usize,
) -> Result<Option<&'a str>, String> {
    let found = names
        .iter()
        .find_map(|k| obj.get_key_value(*k))
        .or_else(|| {
            let lang = lang?;
            obj.iter().find(|(k, _)| lang_matches(lang, k))
        });
    match found {
        None | Some((_, Value::Null)) => Ok(None),
        Some((_, Value::String(s))) => Ok(Some(s)),
        Some((k, _)) => Err(format!("line {n}: \"{k}\" is not a string")),
    }
}

pub(super) fn parse(text: &str, opts: &ReadOptions) -> Result<Bilingual, String> {
    let mut segments = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("line {n}: not valid JSON ({e})"))?;
        let Value::Object(obj) = value else {
            return Err(format!("line {n}: expected a JSON object"));
        };
        let source = field(&obj, &["source", "src"], opts.src_lang.as_deref(), n)?
            .ok_or_else(|| format!("line {n}: no \"source\" (or \"src\") key"))?;
        let target = field(
            &obj,
            &["target", "tgt", "translation"],
            opts.tgt_lang.as_deref(),
            n,
        )?
        .filter(|t| !t.trim().is_empty());
        let id = match obj.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(x)) => x.to_string(),
            _ => n.to_string(),
        };
        segments.push(Segment {
            id,
            source: source.to_string(),
            target: target.map(str::to_string),
            line: n,
            location: format!("row {n}"),
            state: None,
            notes: Vec::new(),
        });
    }
    if segments.is_empty() {
        return Err("contains no rows".into());
    }
    Ok(Bilingual {
        format: FileFormat::Jsonl,
        src_lang: opts.src_lang.clone(),
        tgt_lang: opts.tgt_lang.clone(),
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_ids_and_alternative_keys() {
        let text = "{\"id\": \"a1\", \"source\": \"Hello\", \"target\": \"Hallo\"}\n\n{\"src\": \"Bye\", \"tgt\": null}\n{\"id\": 7, \"src\": \"Yes\", \"tgt\": \"Ja\"}\n";
        let b = parse(text, &ReadOptions::default()).unwrap();
        let got: Vec<_> = b
            .segments
            .iter()
            .map(|s| {
                (
                    s.id.as_str(),
                    s.source.as_str(),
                    s.target.as_deref(),
                    s.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a1", "Hello", Some("Hallo"), 1),
                ("3", "Bye", None, 3),
                ("7", "Yes", Some("Ja"), 4)
            ]
        );
        assert_eq!(b.segments[1].location, "row 3");
    }

    #[test]
    fn bad_line_is_named() {
        let text = "{\"source\": \"a\", \"target\": \"b\"}\n{\"source\": \"c\", \"target\": }\n";
        let err = parse(text, &ReadOptions::default()).unwrap_err();
        assert!(err.starts_with("line 2: not valid JSON"), "{err}");
        let err = parse("{\"target\": \"b\"}\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(err, "line 1: no \"source\" (or \"src\") key");
        let err = parse("[1, 2]\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(err, "line 1: expected a JSON object");
    }
}
