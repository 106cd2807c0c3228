//! `unfinished`: segments of a translation file without a translation, marked fuzzy, or in a
//! state that says they are not yet translated or reviewed. The file itself says so; no model
//! is involved.

use serde_json::json;

use crate::finding::{Finding, Kind, Severity};
use crate::formats::Segment;

/// XLIFF states (1.2 and 2.0) that mean "not yet translated or reviewed".
const OPEN_STATES: &[&str] = &[
    "new",
    "needs-translation",
    "needs-adaptation",
    "needs-l10n",
    "needs-review-translation",
    "needs-review-adaptation",
    "needs-review-l10n",
    "initial",
];

/// A finding about segment `seg`, with both texts and its line.
fn finding(seg: &Segment, target: Option<&str>, severity: Severity, what: &str) -> Finding {
    let mut f = Finding::new(
        Kind::Unfinished,
        severity,
        (0..0, &[]),
        (0..0, &[]),
        format!("{}: {what}", seg.location),
        json!({"segment": seg.id, "state": seg.state}),
    );
    f.source_text = seg.source.clone();
    f.target_text = target.unwrap_or_default().to_string();
    f.source_line = Some(seg.line);
    f.target_line = Some(seg.line);
    f
}

/// A segment without a translation (warning). `index` is its position among the file's
/// segments with source text, recorded so that the whole-document pass can find it again
/// (see `merged_into`).
pub fn untranslated(seg: &Segment, index: usize) -> Finding {
    let mut f = finding(seg, None, Severity::Warning, "no translation");
    f.evidence["segment_index"] = json!(index);
    f
}

/// What a translated segment's state says: fuzzy (warning; gettext ignores fuzzy entries) or
/// not yet translated or reviewed (info).
pub fn by_state(seg: &Segment, target: &str) -> Option<Finding> {
    match seg.state.as_deref()? {
        "fuzzy" => Some(finding(
            seg,
            Some(target),
            Severity::Warning,
            "marked fuzzy (gettext ignores fuzzy translations)",
        )),
        s if OPEN_STATES.contains(&s) => Some(finding(
            seg,
            Some(target),
            Severity::Info,
            &format!("state is {s:?}, not yet translated or reviewed"),
        )),
        _ => None,
    }
}

/// Whether `f` is the `untranslated` finding of segment `index`.
pub fn is_untranslated_segment(f: &Finding, index: usize) -> bool {
    f.kind == Kind::Unfinished && f.evidence["segment_index"] == json!(index)
}

/// An untranslated segment whose content the translator put into a neighbour's target: not a
/// missing translation but a merge (info), naming where its content went.
pub fn merged_into(f: &mut Finding, own_location: &str, host_location: &str, host_target: &str) {
    f.severity = Severity::Info;
    f.target_text = host_target.to_string();
    f.message = format!(
        "{own_location}: no translation of its own; its content is translated together with \
         {host_location}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(state: Option<&str>) -> Segment {
        Segment {
            id: "u7".into(),
            source: "Save the file".into(),
            target: None,
            line: 12,
            location: "trans-unit u7".into(),
            state: state.map(str::to_string),
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_missing_translation_is_a_warning_that_remembers_its_segment() {
        let f = untranslated(&segment(None), 3);
        assert_eq!((f.kind, f.severity), (Kind::Unfinished, Severity::Warning));
        assert_eq!(f.message, "trans-unit u7: no translation");
        assert_eq!((f.source_line, f.target_line), (Some(12), Some(12)));
        assert!(is_untranslated_segment(&f, 3) && !is_untranslated_segment(&f, 4));
    }

    #[test]
    fn fuzzy_warns_open_states_inform_and_final_states_say_nothing() {
        let fuzzy = by_state(&segment(Some("fuzzy")), "Datei speichern").unwrap();
        assert_eq!(fuzzy.severity, Severity::Warning);
        assert_eq!(fuzzy.target_text, "Datei speichern");
        let review = by_state(&segment(Some("needs-review-translation")), "x").unwrap();
        assert_eq!(review.severity, Severity::Info);
        assert!(review.message.contains("\"needs-review-translation\""));
        assert!(by_state(&segment(Some("final")), "x").is_none());
        assert!(by_state(&segment(None), "x").is_none());
    }

    #[test]
    fn a_merged_segment_becomes_info_naming_its_host() {
        let mut f = untranslated(&segment(None), 0);
        merged_into(
            &mut f,
            "row 2",
            "row 1",
            "Both sentences, translated together.",
        );
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(
            f.message,
            "row 2: no translation of its own; its content is translated together with row 1"
        );
        assert_eq!(f.target_text, "Both sentences, translated together.");
    }
}
