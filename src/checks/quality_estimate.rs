//! Links the learned quality estimate (`qe`) judges likely wrong: a `mistranslation` error at or
//! above the language pair's error threshold, a warning in the band below it, where no other
//! check flagged the link. The finding names the features that weighed most.

use serde_json::json;

use super::util::{describe, round3};
use super::{Finding, Kind, PairContext, Severity};
use crate::qe::{Estimate, Thresholds};

/// The severity the estimate deserves under `t`, if any.
pub fn severity(e: &Estimate, t: Thresholds) -> Option<Severity> {
    if e.probability >= t.error {
        Some(Severity::Error)
    } else if e.probability >= t.warning {
        Some(Severity::Warning)
    } else {
        None
    }
}

fn evidence(e: &Estimate, t: Thresholds) -> serde_json::Value {
    json!({
        "qe": round3(e.probability),
        "qe_error_threshold": t.error,
        "qe_warning_threshold": t.warning,
        "qe_reasons": e.reasons.iter().map(|(n, v)| json!({"feature": n, "log_odds": v})).collect::<Vec<_>>(),
    })
}

fn reasons_text(e: &Estimate) -> String {
    e.reasons
        .iter()
        .map(|(n, _)| n.replace('_', " "))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies the estimate of one link to its findings. An existing similarity-based
/// `mistranslation` finding about the link is raised to the estimate's severity and carries its
/// evidence. A link that another check already flagged keeps that finding's severity (the rule
/// that found it knows the error's kind, and the estimate leans on that very finding), which
/// carries the estimate as evidence. Otherwise a new finding is returned.
pub fn judge(
    pair: &PairContext,
    e: &Estimate,
    t: Thresholds,
    on_link: &mut [&mut Finding],
) -> Option<Finding> {
    let sev = severity(e, t)?;
    let ev = evidence(e, t);
    let attach = |f: &mut Finding| {
        if let (Some(obj), Some(add)) = (f.evidence.as_object_mut(), ev.as_object()) {
            obj.extend(add.clone());
        }
    };
    if let Some(f) = on_link
        .iter_mut()
        .find(|f| f.kind == Kind::Mistranslation && f.evidence.get("negation").is_none())
    {
        if sev > f.severity {
            f.severity = sev;
            f.message
                .push_str(&format!("; quality estimate {:.2}", e.probability));
        }
        attach(f);
        return None;
    }
    if let Some(f) = on_link
        .iter_mut()
        .filter(|f| f.severity >= Severity::Warning)
        .max_by_key(|f| f.severity)
    {
        attach(f);
        return None;
    }
    let message = format!(
        "source {} and target {} likely differ in meaning (quality estimate {:.2}; weighed most: {})",
        describe(&pair.src_index),
        describe(&pair.tgt_index),
        e.probability,
        reasons_text(e)
    );
    Some(pair.finding(Kind::Mistranslation, sev, message, ev))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(p: f64) -> Estimate {
        Estimate {
            probability: p,
            reasons: vec![("aligned_share".into(), 1.2), ("cosine".into(), 0.4)],
        }
    }

    const T: Thresholds = Thresholds {
        error: 0.8,
        warning: 0.5,
    };

    #[test]
    fn estimates_above_the_thresholds_become_an_error_or_a_warning_naming_the_features() {
        let s = [crate::checks::testing::sentence(
            "He travelled to North Korea.",
        )];
        let t = [crate::checks::testing::sentence("Er reiste in den Iran.")];
        let pair = crate::checks::testing::pair(&s, "en", &t, "de", 2.0);
        let f = judge(&pair, &estimate(0.9), T, &mut []).unwrap();
        assert_eq!(
            (f.kind, f.severity),
            (Kind::Mistranslation, Severity::Error)
        );
        assert!(f.message.contains("aligned share, cosine"), "{}", f.message);
        assert_eq!(f.evidence["qe"], 0.9);
        let f = judge(&pair, &estimate(0.6), T, &mut []).unwrap();
        assert_eq!(f.severity, Severity::Warning);
        assert!(judge(&pair, &estimate(0.3), T, &mut []).is_none());
    }

    #[test]
    fn a_similarity_warning_on_the_link_is_raised_not_repeated() {
        let s = [crate::checks::testing::sentence(
            "He travelled to North Korea.",
        )];
        let t = [crate::checks::testing::sentence("Er reiste in den Iran.")];
        let pair = crate::checks::testing::pair(&s, "en", &t, "de", 2.0);
        let mut old = pair.finding(
            Kind::Mistranslation,
            Severity::Warning,
            "low similarity".into(),
            json!({"z": 0.5}),
        );
        assert!(judge(&pair, &estimate(0.95), T, &mut [&mut old]).is_none());
        assert_eq!(old.severity, Severity::Error);
        assert_eq!(old.evidence["z"], 0.5);
        assert_eq!(old.evidence["qe"], 0.95);
        // An error of another kind already says the link is wrong.
        let mut number = pair.finding(Kind::NumberMismatch, Severity::Error, "x".into(), json!({}));
        assert!(judge(&pair, &estimate(0.95), T, &mut [&mut number]).is_none());
    }
}
