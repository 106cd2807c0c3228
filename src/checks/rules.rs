//! Which finding kinds are reported and at what severity: `--disable KIND`,
//! `--severity KIND=LEVEL` and their config-file equivalents, applied once to a pair's findings
//! before the verdict is taken.

use std::collections::BTreeMap;

use super::{Finding, Kind, Severity};
use crate::error::{Error, Result};

/// Per-kind switches. The default reports everything at the severity its check chose.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Rules {
    /// Kinds whose findings are dropped.
    pub disabled: Vec<Kind>,
    /// Kinds whose findings are all reported at this severity.
    pub severity: BTreeMap<Kind, Severity>,
}

impl Rules {
    /// Adds `--disable` values (comma-separated lists allowed); `flag` names the flag in errors.
    pub fn disable(&mut self, names: &str, flag: &str) -> Result<()> {
        for name in names.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let kind = parse_kind(name, flag)?;
            if !self.disabled.contains(&kind) {
                self.disabled.push(kind);
            }
        }
        Ok(())
    }

    /// Adds one `KIND=LEVEL` severity change; `flag` names the flag in errors.
    pub fn set_severity(&mut self, spec: &str, flag: &str) -> Result<()> {
        let (kind, level) = spec.split_once('=').ok_or_else(|| {
            Error::Usage(format!(
                "{flag} {spec:?}: expected KIND=LEVEL, e.g. punctuation=info"
            ))
        })?;
        let kind = parse_kind(kind.trim(), flag)?;
        let level = parse_severity(level.trim()).ok_or_else(|| {
            Error::Usage(format!(
                "{flag} {spec:?}: unknown level {:?} (use error, warning or info)",
                level.trim()
            ))
        })?;
        self.severity.insert(kind, level);
        Ok(())
    }

    /// Applies the rules to a pair's findings.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| !self.disabled.contains(&f.kind));
        for f in findings.iter_mut() {
            if let Some(&s) = self.severity.get(&f.kind) {
                f.severity = s;
            }
        }
    }

    /// Later rules (e.g. the command line over a config file) win.
    pub fn merge(&mut self, later: &Rules) {
        for &k in &later.disabled {
            if !self.disabled.contains(&k) {
                self.disabled.push(k);
            }
        }
        self.severity
            .extend(later.severity.iter().map(|(k, v)| (*k, *v)));
    }
}

/// A finding kind by its report name (`number_mismatch`); a few dashed or short spellings are
/// accepted because users type them (`number-mismatch`, `numbers`).
pub fn parse_kind(name: &str, flag: &str) -> Result<Kind> {
    let norm = name.to_ascii_lowercase().replace('-', "_");
    let alias = match norm.as_str() {
        "numbers" | "number" => "number_mismatch",
        "entities" | "entity" | "names" | "placeholders" => "entity_mismatch",
        "language" => "wrong_language",
        other => other,
    };
    alias.parse::<Kind>().map_err(|_| {
        let names: Vec<&str> = Kind::all().iter().map(|k| k.as_str()).collect();
        Error::Usage(format!(
            "{flag} {name:?}: unknown finding kind (one of {})",
            names.join(", ")
        ))
    })
}

fn parse_severity(s: &str) -> Option<Severity> {
    match s.to_ascii_lowercase().as_str() {
        "error" => Some(Severity::Error),
        "warning" | "warn" => Some(Severity::Warning),
        "info" | "note" => Some(Severity::Info),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{pair, sentence};

    fn finding(kind: Kind, severity: Severity) -> Finding {
        let (s, t) = ([sentence("a")], [sentence("b")]);
        pair(&s, "en", &t, "de", 2.0).finding(kind, severity, String::new(), serde_json::json!({}))
    }

    #[test]
    fn disabled_kinds_are_dropped_and_severities_changed() {
        let mut r = Rules::default();
        r.disable("punctuation, entity-mismatch", "--disable")
            .unwrap();
        r.set_severity("numbers=warning", "--severity").unwrap();
        let mut f = vec![
            finding(Kind::Punctuation, Severity::Info),
            finding(Kind::EntityMismatch, Severity::Warning),
            finding(Kind::NumberMismatch, Severity::Error),
            finding(Kind::Omission, Severity::Error),
        ];
        r.apply(&mut f);
        let got: Vec<_> = f.iter().map(|f| (f.kind, f.severity)).collect();
        assert_eq!(
            got,
            [
                (Kind::NumberMismatch, Severity::Warning),
                (Kind::Omission, Severity::Error)
            ]
        );
    }

    #[test]
    fn unknown_kinds_and_levels_name_the_flag_and_the_choices() {
        let mut r = Rules::default();
        let e = r.disable("omissions", "--disable").unwrap_err().to_string();
        assert!(e.contains("--disable") && e.contains("omission,"), "{e}");
        let e = r
            .set_severity("omission=fatal", "--severity")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("fatal") && e.contains("error, warning or info"),
            "{e}"
        );
        let e = r
            .set_severity("omission", "--severity")
            .unwrap_err()
            .to_string();
        assert!(e.contains("KIND=LEVEL"), "{e}");
    }

    #[test]
    fn the_command_line_wins_over_the_config_file() {
        let mut file = Rules::default();
        file.set_severity("punctuation=warning", "config").unwrap();
        let mut cli = Rules::default();
        cli.set_severity("punctuation=info", "--severity").unwrap();
        cli.disable("negation", "--disable").unwrap_err();
        cli.disable("truncation", "--disable").unwrap();
        file.merge(&cli);
        assert_eq!(file.severity[&Kind::Punctuation], Severity::Info);
        assert_eq!(file.disabled, [Kind::Truncation]);
    }
}
