//! Settings and where they come from: `mtcheck.toml`, `MTCHECK_*` environment variables and
//! command-line flags, resolved in this one place with the precedence
//! command line > environment > config file (language-pair section > top level) > defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::checks::rules::Rules;
use crate::error::{Error, Result};
use crate::finding::Verdict;

/// The file looked for in the current directory when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = "mtcheck.toml";
pub const DEFAULT_MIN_SCORE: f64 = 60.0;

/// Which verdict makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Exit 1 when the verdict is fail (an error finding or a score under --min-score).
    Error,
    /// Exit 1 when the verdict is warn or fail.
    Warning,
    /// Always exit 0 when the check ran.
    Never,
}

impl FailOn {
    /// True when `verdict` should fail the run.
    pub fn fails(self, verdict: Verdict) -> bool {
        matches!(
            (self, verdict),
            (FailOn::Error, Verdict::Fail) | (FailOn::Warning, Verdict::Warn | Verdict::Fail)
        )
    }

    fn parse(s: &str, origin: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(FailOn::Error),
            "warning" | "warn" => Ok(FailOn::Warning),
            "never" => Ok(FailOn::Never),
            _ => Err(Error::Usage(format!(
                "{origin} {s:?}: expected error, warning or never"
            ))),
        }
    }
}

/// Settings one layer (command line, environment, config file, a language-pair section) gives;
/// `None` and empty lists leave the decision to the layers below.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Model repo id or directory.
    pub model: Option<String>,
    /// Documents scoring under this (0-100) fail.
    pub min_score: Option<f64>,
    pub fail_on: Option<FailOn>,
    /// Finding kinds not reported.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Finding kind → error, warning or info.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Do-not-translate terms: when one occurs in a source sentence it must occur unchanged in
    /// the aligned target.
    #[serde(default)]
    pub glossary: Vec<String>,
    /// Regular expressions: findings whose source or target text matches one are not reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Embedding cache file (SQLite); `cache = false` in a file or `--no-cache` turns it off.
    pub cache: Option<CacheSetting>,
    /// In a config file: overrides for one language pair, keyed `SRC-TGT` by primary language
    /// (`[pairs.en-de]`). Part of the layer rather than a wrapper around it because serde's
    /// `flatten` would lose the line numbers of mistakes.
    #[serde(default)]
    pub pairs: BTreeMap<String, Layer>,
}

/// `cache = true`, `cache = false` or `cache = "path/to/cache.sqlite"`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CacheSetting {
    Enabled(bool),
    Path(PathBuf),
}

/// The config file: a top-level layer with optional `[pairs.SRC-TGT]` sections.
pub type ConfigFile = Layer;

/// Where a resolved value came from, for `mtcheck config show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    CommandLine,
    Environment,
    ConfigPair,
    ConfigFile,
    Default,
}

/// All layers; `resolve` turns them into the settings of one language pair.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub cli: Layer,
    pub env: Layer,
    pub file: ConfigFile,
    /// The config file read, if any.
    pub file_path: Option<PathBuf>,
}

/// The settings a check runs with.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub config_file: Option<PathBuf>,
    pub model: String,
    pub model_from: Origin,
    pub min_score: f64,
    pub min_score_from: Origin,
    pub fail_on: FailOn,
    pub fail_on_from: Origin,
    pub rules: Rules,
    pub glossary: Vec<String>,
    pub ignore: Vec<String>,
    /// The embedding cache file, or `None` when caching is off.
    pub cache: Option<PathBuf>,
}

impl Sources {
    /// Reads the environment (`MTCHECK_MODEL`, `MTCHECK_MIN_SCORE`, `MTCHECK_FAIL_ON`,
    /// `MTCHECK_DISABLE`, `MTCHECK_CACHE`) and the config file: `explicit` (from `--config`),
    /// else `MTCHECK_CONFIG`, else `mtcheck.toml` in the current directory if there is one.
    pub fn load(cli: Layer, explicit: Option<&Path>) -> Result<Self> {
        Self::load_with(cli, explicit, &|k| std::env::var(k).ok(), Path::new("."))
    }

    /// `load` with the environment and the working directory given (for tests).
    pub fn load_with(
        cli: Layer,
        explicit: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        cwd: &Path,
    ) -> Result<Self> {
        let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let mut e = Layer {
            model: var("MTCHECK_MODEL"),
            ..Layer::default()
        };
        if let Some(v) = var("MTCHECK_MIN_SCORE") {
            e.min_score =
                Some(v.trim().parse().map_err(|_| {
                    Error::Usage(format!("MTCHECK_MIN_SCORE {v:?} is not a number"))
                })?);
        }
        if let Some(v) = var("MTCHECK_FAIL_ON") {
            e.fail_on = Some(FailOn::parse(&v, "MTCHECK_FAIL_ON")?);
        }
        if let Some(v) = var("MTCHECK_DISABLE") {
            e.disable = vec![v];
        }
        if let Some(v) = var("MTCHECK_CACHE") {
            e.cache = Some(match v.trim() {
                "0" | "false" | "off" | "no" => CacheSetting::Enabled(false),
                "1" | "true" | "on" | "yes" => CacheSetting::Enabled(true),
                path => CacheSetting::Path(PathBuf::from(path)),
            });
        }
        let env_config = var("MTCHECK_CONFIG").map(PathBuf::from);
        let default = cwd.join(CONFIG_FILE_NAME);
        let path = match (explicit, env_config) {
            (Some(p), _) => Some(p.to_path_buf()),
            (None, Some(p)) => Some(p),
            (None, None) => default.is_file().then_some(default),
        };
        let file = match &path {
            Some(p) => read_config(p)?,
            None => ConfigFile::default(),
        };
        let sources = Sources {
            cli,
            env: e,
            file,
            file_path: path,
        };
        // Validate every layer now, so a typo fails before a model is loaded.
        sources.resolve(None)?;
        for (pair, section) in &sources.file.pairs {
            if !section.pairs.is_empty() {
                return Err(sources.file_error(format!(
                    "[pairs.{pair}] cannot contain further [pairs] sections"
                )));
            }
            if let Some((s, t)) = pair.split_once('-') {
                sources.resolve(Some((s, t)))?;
            } else {
                return Err(sources.file_error(format!(
                    "[pairs.{pair:?}]: expected a SRC-TGT language pair such as \"en-de\""
                )));
            }
        }
        Ok(sources)
    }

    fn file_error(&self, msg: String) -> Error {
        let path = self.file_path.clone().unwrap_or_default();
        Error::input(path, msg)
    }

    /// The settings for a language pair (`None`: the top level only).
    pub fn resolve(&self, pair: Option<(&str, &str)>) -> Result<Settings> {
        let section = pair.and_then(|(s, t)| {
            let key = format!(
                "{}-{}",
                crate::text::lang::primary(s),
                crate::text::lang::primary(t)
            );
            self.file.pairs.get(&key)
        });
        let empty = Layer::default();
        let section = section.unwrap_or(&empty);
        // Highest precedence first.
        let layers: [(&Layer, Origin); 4] = [
            (&self.cli, Origin::CommandLine),
            (&self.env, Origin::Environment),
            (section, Origin::ConfigPair),
            (&self.file, Origin::ConfigFile),
        ];
        fn pick<T: Clone>(
            layers: &[(&Layer, Origin)],
            get: impl Fn(&Layer) -> Option<T>,
            default: T,
        ) -> (T, Origin) {
            layers
                .iter()
                .find_map(|(l, o)| get(l).map(|v| (v, *o)))
                .unwrap_or((default, Origin::Default))
        }
        let (model, model_from) = pick(
            &layers,
            |l| l.model.clone(),
            crate::model::DEFAULT_MODEL.to_string(),
        );
        let (min_score, min_score_from) = pick(&layers, |l| l.min_score, DEFAULT_MIN_SCORE);
        if !(0.0..=100.0).contains(&min_score) {
            return Err(Error::Usage(format!(
                "min_score {min_score} ({}) must be between 0 and 100",
                origin_name(min_score_from)
            )));
        }
        let (fail_on, fail_on_from) = pick(&layers, |l| l.fail_on, FailOn::Error);
        let (cache_setting, _) = pick(&layers, |l| l.cache.clone(), CacheSetting::Enabled(false));
        let cache = match cache_setting {
            CacheSetting::Enabled(false) => None,
            CacheSetting::Enabled(true) => Some(default_cache_path().ok_or_else(|| {
                Error::Usage(
                    "cache = true needs a cache directory: set MTCHECK_CACHE_DIR or HOME, or give the cache a path".into(),
                )
            })?),
            CacheSetting::Path(p) => Some(p),
        };
        // Lists accumulate from the lowest layer up; severities of higher layers win.
        let mut rules = Rules::default();
        let mut glossary = Vec::new();
        let mut ignore = Vec::new();
        for (layer, origin) in layers.iter().rev() {
            let name = origin_name(*origin);
            let mut r = Rules::default();
            for d in &layer.disable {
                r.disable(d, name)?;
            }
            for (k, v) in &layer.severity {
                r.set_severity(&format!("{k}={v}"), name)?;
            }
            rules.merge(&r);
            for g in &layer.glossary {
                if !g.trim().is_empty() && !glossary.contains(g) {
                    glossary.push(g.clone());
                }
            }
            for pattern in &layer.ignore {
                regex::Regex::new(pattern).map_err(|e| {
                    Error::Usage(format!(
                        "{name}: ignore pattern {pattern:?} is not a valid regular expression: {}",
                        e.to_string().lines().last().unwrap_or_default().trim()
                    ))
                })?;
                ignore.push(pattern.clone());
            }
        }
        Ok(Settings {
            config_file: self.file_path.clone(),
            model,
            model_from,
            min_score,
            min_score_from,
            fail_on,
            fail_on_from,
            rules,
            glossary,
            ignore,
            cache,
        })
    }
}

fn origin_name(o: Origin) -> &'static str {
    match o {
        Origin::CommandLine => "command line",
        Origin::Environment => "environment",
        Origin::ConfigPair => "config file (language pair)",
        Origin::ConfigFile => "config file",
        Origin::Default => "default",
    }
}

/// `embeddings.sqlite` in mtcheck's cache directory (`$MTCHECK_CACHE_DIR`, `$XDG_CACHE_HOME`, ~/.cache).
pub fn default_cache_path() -> Option<PathBuf> {
    crate::model::tokenizer::default_cache_dir().map(|d| d.join("embeddings.sqlite"))
}

/// Parses a config file; errors name the file and the line.
pub fn read_config(path: &Path) -> Result<ConfigFile> {
    let text = crate::formats::read_text(path, 1024 * 1024).map_err(|e| match e {
        Error::Input { msg, .. } => Error::input(path, format!("config file {msg}")),
        other => other,
    })?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        });
        let msg = e.message().trim().replace('\n', " ");
        match line {
            Some(l) => Error::input(path, format!("line {l}: {msg}")),
            None => Error::input(path, msg),
        }
    })
}

impl Settings {
    /// The settings as TOML-like lines with their origins, for `mtcheck config show`.
    pub fn show(&self) -> String {
        let mut out = String::new();
        match &self.config_file {
            Some(p) => out += &format!("# config file: {}\n", p.display()),
            None => out += "# config file: none (no --config, MTCHECK_CONFIG or ./mtcheck.toml)\n",
        }
        out += &format!(
            "model = {:?}  # {}\n",
            self.model,
            origin_name(self.model_from)
        );
        out += &format!(
            "min_score = {}  # {}\n",
            self.min_score,
            origin_name(self.min_score_from)
        );
        let fail_on = serde_json::to_value(self.fail_on).unwrap_or_default();
        out += &format!(
            "fail_on = {}  # {}\n",
            fail_on,
            origin_name(self.fail_on_from)
        );
        let kinds: Vec<String> = self
            .rules
            .disabled
            .iter()
            .map(|k| format!("{:?}", k.as_str()))
            .collect();
        out += &format!("disable = [{}]\n", kinds.join(", "));
        out += "[severity]\n";
        for (k, v) in &self.rules.severity {
            let v = serde_json::to_value(v).unwrap_or_default();
            out += &format!("{} = {}\n", k.as_str(), v);
        }
        out += &format!("glossary = {:?}\n", self.glossary);
        out += &format!("ignore = {:?}\n", self.ignore);
        match &self.cache {
            Some(p) => out += &format!("cache = {:?}\n", p.display().to_string()),
            None => out += "cache = false\n",
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Kind, Severity};

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn write(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join(CONFIG_FILE_NAME);
        std::fs::write(&p, text).unwrap();
        p
    }

    const FILE: &str = r#"
model = "sentence-transformers/LaBSE"
min_score = 50
fail_on = "warning"
disable = ["punctuation"]
glossary = ["Debian", "OpenLDAP"]
ignore = ['^\s*Figure \d+']
[severity]
number_mismatch = "warning"

[pairs.en-ja]
min_score = 40
severity = { truncation = "info" }
"#;

    #[test]
    fn command_line_beats_environment_beats_file_beats_default() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), FILE);
        let load = |cli: Layer, e: &'static [(&'static str, &'static str)]| {
            Sources::load_with(cli, None, &env(e), dir.path())
                .unwrap()
                .resolve(None)
                .unwrap()
        };
        let s = load(Layer::default(), &[]);
        assert_eq!((s.min_score, s.min_score_from), (50.0, Origin::ConfigFile));
        assert_eq!(s.model, "sentence-transformers/LaBSE");
        assert_eq!(s.fail_on, FailOn::Warning);
        let s = load(Layer::default(), &[("MTCHECK_MIN_SCORE", "70")]);
        assert_eq!((s.min_score, s.min_score_from), (70.0, Origin::Environment));
        let cli = Layer {
            min_score: Some(80.0),
            ..Layer::default()
        };
        let s = load(cli, &[("MTCHECK_MIN_SCORE", "70")]);
        assert_eq!((s.min_score, s.min_score_from), (80.0, Origin::CommandLine));
        // Without a file, defaults.
        let empty = tempfile::tempdir().unwrap();
        let s = Sources::load_with(Layer::default(), None, &env(&[]), empty.path())
            .unwrap()
            .resolve(None)
            .unwrap();
        assert_eq!(
            (s.min_score, s.min_score_from, s.fail_on),
            (DEFAULT_MIN_SCORE, Origin::Default, FailOn::Error)
        );
        assert_eq!(s.model, crate::model::DEFAULT_MODEL);
    }

    #[test]
    fn a_language_pair_section_overrides_the_top_level_but_not_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), FILE);
        let src = Sources::load_with(Layer::default(), None, &env(&[]), dir.path()).unwrap();
        let s = src.resolve(Some(("en-US", "ja"))).unwrap();
        assert_eq!((s.min_score, s.min_score_from), (40.0, Origin::ConfigPair));
        assert_eq!(s.rules.severity[&Kind::Truncation], Severity::Info);
        // Top-level rules still apply to the pair.
        assert_eq!(s.rules.severity[&Kind::NumberMismatch], Severity::Warning);
        assert_eq!(s.rules.disabled, [Kind::Punctuation]);
        assert_eq!(s.glossary, ["Debian", "OpenLDAP"]);
        let other = src.resolve(Some(("en", "de"))).unwrap();
        assert_eq!(other.min_score, 50.0);
        let cli = Layer {
            min_score: Some(90.0),
            severity: [("truncation".to_string(), "error".to_string())].into(),
            ..Layer::default()
        };
        let src = Sources::load_with(cli, None, &env(&[]), dir.path()).unwrap();
        let s = src.resolve(Some(("en", "ja"))).unwrap();
        assert_eq!(s.min_score, 90.0);
        assert_eq!(s.rules.severity[&Kind::Truncation], Severity::Error);
    }

    #[test]
    fn config_errors_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "min_score = 50\nfail_on = \"sometimes\"\n");
        let e = Sources::load_with(Layer::default(), Some(&p), &env(&[]), dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("mtcheck.toml") && e.contains("line 2"), "{e}");
        write(dir.path(), "min_scor = 50\n");
        let e = Sources::load_with(Layer::default(), None, &env(&[]), dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1") && e.contains("min_scor"), "{e}");
        write(dir.path(), "disable = [\"spelling\"]\n");
        let e = Sources::load_with(Layer::default(), None, &env(&[]), dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("config file") && e.contains("spelling"), "{e}");
        write(dir.path(), "ignore = [\"(unclosed\"]\n");
        let e = Sources::load_with(Layer::default(), None, &env(&[]), dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("(unclosed"), "{e}");
        let missing = dir.path().join("nope.toml");
        let e = Sources::load_with(Layer::default(), Some(&missing), &env(&[]), dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope.toml") && e.contains("no such file"), "{e}");
        let e = Sources::load_with(
            Layer::default(),
            None,
            &env(&[("MTCHECK_FAIL_ON", "maybe")]),
            dir.path(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("MTCHECK_FAIL_ON"), "{e}");
    }

    #[test]
    fn show_lists_each_value_with_its_origin() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), FILE);
        let s = Sources::load_with(Layer::default(), None, &env(&[]), dir.path())
            .unwrap()
            .resolve(None)
            .unwrap();
        let text = s.show();
        assert!(text.contains("min_score = 50  # config file"), "{text}");
        assert!(text.contains("number_mismatch = \"warning\""), "{text}");
        assert!(text.contains("disable = [\"punctuation\"]"), "{text}");
    }

    #[test]
    fn fail_on_maps_verdicts_to_failure() {
        assert!(!FailOn::Error.fails(Verdict::Warn));
        assert!(FailOn::Error.fails(Verdict::Fail));
        assert!(FailOn::Warning.fails(Verdict::Warn));
        assert!(!FailOn::Never.fails(Verdict::Fail));
        assert!(!FailOn::Warning.fails(Verdict::Pass));
    }
}
