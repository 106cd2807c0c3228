//! Many pairs at once: the manifest (JSONL, TSV or a directory with a naming rule), deterministic
//! shards for job arrays, the per-pair JSONL record, resuming an interrupted run, the workers
//! that check pairs in parallel with one loaded model, and the summary.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::check::{prepare, Limits, PairChecker};
use super::config::Sources;
use crate::error::{Error, Result};
use crate::finding::Verdict;
use crate::reference::LoadedReference;
use crate::report::{self, Format, Report};
use crate::util::fs::{same_file, write_atomic};
use crate::util::hash::fnv1a64;

/// One pair to check: two documents, or one bilingual file (`target` absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Stable name of the pair (the manifest's `id`, else the target path as written).
    pub id: String,
    pub source: PathBuf,
    pub target: Option<PathBuf>,
    pub src_lang: Option<String>,
    pub tgt_lang: Option<String>,
}

/// Reads a manifest: a `.jsonl` file of `{"source", "target", "src_lang", "tgt_lang", "id"}`
/// objects, a `.tsv` file with a header naming those columns, or a directory (see `scan_dir`).
/// Relative paths are relative to the manifest's folder. Without `root` they must be relative
/// and stay inside that folder (a manifest from a pull request must not read `~/.ssh`); with
/// `root` (`--root DIR`) they may be absolute or use `..`, but must resolve inside `root`. Every
/// named file must exist, so a typo fails before a model is loaded.
pub fn read_manifest(
    path: &Path,
    src_lang: Option<&str>,
    tgt_lang: Option<&str>,
    root: Option<&Path>,
) -> Result<Vec<Job>> {
    let jobs = if path.is_dir() {
        scan_dir(path, src_lang, tgt_lang)?
    } else {
        let text = crate::formats::read_text(path, 256 * 1024 * 1024)?;
        // A manifest named without a folder lives in the current one.
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let root = match root {
            Some(r) => Some(
                r.canonicalize()
                    .map_err(|e| Error::Usage(format!("--root {}: {e}", r.display())))?,
            ),
            None => None,
        };
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let mut jobs = if ext.eq_ignore_ascii_case("tsv") {
            parse_tsv(path, &text)?
        } else {
            parse_jsonl(path, &text)?
        };
        for (line, job) in &mut jobs {
            job.source = inside(path, *line, base, root.as_deref(), &job.source)?;
            if let Some(t) = &job.target {
                job.target = Some(inside(path, *line, base, root.as_deref(), t)?);
            }
            job.src_lang = job.src_lang.take().or(src_lang.map(str::to_string));
            job.tgt_lang = job.tgt_lang.take().or(tgt_lang.map(str::to_string));
        }
        jobs.into_iter().map(|(_, j)| j).collect()
    };
    let mut seen = HashSet::new();
    for j in &jobs {
        if !seen.insert(j.id.as_str()) {
            return Err(Error::input(
                path,
                format!("pair id {:?} appears twice; ids must be unique", j.id),
            ));
        }
    }
    if jobs.is_empty() {
        return Err(Error::input(path, "lists no pairs"));
    }
    Ok(jobs)
}

/// Jobs for translation files named on the command line (`mtcheck batch *.po`, or a pre-commit
/// hook's file list): each file is one pair, its id the path as given. These are the user's own
/// paths, so no folder restriction applies; each must exist and be an XLIFF, TMX or PO file.
pub fn file_jobs(
    paths: &[PathBuf],
    src_lang: Option<&str>,
    tgt_lang: Option<&str>,
) -> Result<Vec<Job>> {
    let mut jobs = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        if !crate::formats::is_translation_file(p) {
            return Err(Error::input(
                p,
                "is not a translation file (.po, .xlf, .xliff, .tmx); give one manifest, or \
                 translation files only",
            ));
        }
        if !p.is_file() {
            return Err(Error::input(p, "does not exist or is not a file"));
        }
        let id = p.display().to_string();
        if !seen.insert(id.clone()) {
            continue;
        }
        jobs.push(Job {
            id,
            source: p.clone(),
            target: None,
            src_lang: src_lang.map(str::to_string),
            tgt_lang: tgt_lang.map(str::to_string),
        });
    }
    Ok(jobs)
}

/// `rel` resolved against `base`; refused when it does not exist, or when it leaves `root` (the
/// `--root` folder), or without a root when it is absolute, uses `..` or leaves `base`.
fn inside(
    manifest: &Path,
    line: usize,
    base: &Path,
    root: Option<&Path>,
    rel: &Path,
) -> Result<PathBuf> {
    let at = |msg: String| Error::input(manifest, format!("line {line}: {msg}"));
    let escapes = rel.is_absolute() || rel.components().any(|c| matches!(c, Component::ParentDir));
    if root.is_none() && escapes {
        return Err(at(format!(
            "{} is outside the manifest's folder (paths must be relative, without ..; \
             give --root DIR to allow any path inside DIR)",
            rel.display()
        )));
    }
    let full = base.join(rel);
    if !full.is_file() {
        return Err(at(format!("{} does not exist", full.display())));
    }
    // A symbolic link inside the folder may still point out of it.
    let Ok(f) = full.canonicalize() else {
        return Err(at(format!("{} cannot be resolved", full.display())));
    };
    match root {
        Some(r) if !f.starts_with(r) => Err(at(format!(
            "{} is outside --root {}",
            rel.display(),
            r.display()
        ))),
        Some(_) => Ok(full),
        None => {
            let Ok(b) = base.canonicalize() else {
                return Err(at(format!("{} cannot be resolved", base.display())));
            };
            if f.starts_with(&b) {
                Ok(full)
            } else {
                Err(at(format!(
                    "{} links outside the manifest's folder",
                    rel.display()
                )))
            }
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonJob {
    id: Option<String>,
    source: PathBuf,
    target: Option<PathBuf>,
    src_lang: Option<String>,
    tgt_lang: Option<String>,
}

fn parse_jsonl(path: &Path, text: &str) -> Result<Vec<(usize, Job)>> {
    let mut out = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let j: JsonJob = serde_json::from_str(line).map_err(|e| {
            Error::input(
                path,
                format!(
                    "line {}: not a pair object ({e}); expected {{\"source\": …, \"target\": …}}",
                    k + 1
                ),
            )
        })?;
        out.push((k + 1, job(j)));
    }
    Ok(out)
}

fn job(j: JsonJob) -> Job {
    let id =
        j.id.unwrap_or_else(|| j.target.as_ref().unwrap_or(&j.source).display().to_string());
    Job {
        id,
        source: j.source,
        target: j.target,
        src_lang: j.src_lang.filter(|s| !s.is_empty()),
        tgt_lang: j.tgt_lang.filter(|s| !s.is_empty()),
    }
}

fn parse_tsv(path: &Path, text: &str) -> Result<Vec<(usize, Job)>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let cols: Vec<String> = header
        .split('\t')
        .map(|c| c.trim().to_lowercase())
        .collect();
    let col = |name: &str| cols.iter().position(|c| c == name);
    let Some(src_col) = col("source") else {
        return Err(Error::input(
            path,
            "line 1: the header must name a `source` column (and `target`, `src_lang`, `tgt_lang`, `id` as needed)",
        ));
    };
    let mut out = Vec::new();
    for (k, line) in lines {
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        let get = |c: Option<usize>| {
            c.and_then(|c| fields.get(c))
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string())
        };
        let Some(source) = get(Some(src_col)) else {
            return Err(Error::input(
                path,
                format!("line {}: no source path", k + 1),
            ));
        };
        let j = JsonJob {
            id: get(col("id")),
            source: source.into(),
            target: get(col("target")).map(PathBuf::from),
            src_lang: get(col("src_lang")),
            tgt_lang: get(col("tgt_lang")),
        };
        out.push((k + 1, job(j)));
    }
    Ok(out)
}

/// A directory of pairs: either `src/` and `tgt/` trees with the same relative paths, or files
/// named `NAME.SRC.EXT` and `NAME.TGT.EXT` side by side (which needs `--src-lang`/`--tgt-lang`).
pub fn scan_dir(dir: &Path, src_lang: Option<&str>, tgt_lang: Option<&str>) -> Result<Vec<Job>> {
    let (src_tree, tgt_tree) = (dir.join("src"), dir.join("tgt"));
    let mut jobs = Vec::new();
    if src_tree.is_dir() && tgt_tree.is_dir() {
        for rel in files_under(&src_tree)? {
            let target = tgt_tree.join(&rel);
            if target.is_file() {
                jobs.push(Job {
                    id: rel.display().to_string(),
                    source: src_tree.join(&rel),
                    target: Some(target),
                    src_lang: src_lang.map(str::to_string),
                    tgt_lang: tgt_lang.map(str::to_string),
                });
            }
        }
        return Ok(jobs);
    }
    let (Some(sl), Some(tl)) = (src_lang, tgt_lang) else {
        return Err(Error::Usage(format!(
            "{}: a directory of NAME.SRC.EXT / NAME.TGT.EXT files needs --src-lang and --tgt-lang (or give it src/ and tgt/ subfolders)",
            dir.display()
        )));
    };
    for rel in files_under(dir)? {
        let name = rel.to_string_lossy().to_string();
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        let Some(base) = stem.strip_suffix(&format!(".{sl}")) else {
            continue;
        };
        let target = dir.join(format!("{base}.{tl}.{ext}"));
        if target.is_file() {
            jobs.push(Job {
                id: base.to_string(),
                source: dir.join(&rel),
                target: Some(target),
                src_lang: Some(sl.to_string()),
                tgt_lang: Some(tl.to_string()),
            });
        }
    }
    Ok(jobs)
}

/// Files under `root` as relative paths, sorted (so that shards are deterministic).
fn files_under(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::input(&d, e.to_string()))?;
        for e in entries {
            let e = e.map_err(|e| Error::input(&d, e.to_string()))?;
            let p = e.path();
            let kind = e.file_type().map_err(|e| Error::input(&p, e.to_string()))?;
            if kind.is_dir() {
                stack.push(p);
            } else if kind.is_file() {
                if let Ok(rel) = p.strip_prefix(root) {
                    out.push(rel.to_path_buf());
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `I/N` (0 ≤ I < N): this process's share of the jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let err = || format!("{s:?}: expected I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| err())?,
            n.trim().parse().map_err(|_| err())?,
        );
        if count == 0 || index >= count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Jobs of this shard: by a stable hash of the pair id, so that adding a pair to the manifest
    /// moves no other pair to another shard.
    pub fn select(&self, jobs: Vec<Job>) -> Vec<Job> {
        jobs.into_iter()
            .filter(|j| fnv1a64(j.id.as_bytes()) % self.count as u64 == self.index as u64)
            .collect()
    }
}

/// One line of the JSONL output: the pair and its report, or why it could not be checked.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub report: Option<&'a Report>,
}

/// A pair an interrupted run already finished, as its line in the output records it.
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: String,
    pub report: Report,
}

impl Finished {
    /// What the pair came to, for the summary.
    pub fn outcome(&self) -> Outcome {
        Outcome::of(&self.id, &self.report)
    }
}

/// The pairs already finished in an output file of an interrupted run (pairs that could not be
/// read are retried, and so are not among them). A last line cut off by the interruption is
/// dropped from the file, so appending continues on a clean line.
pub fn resume(path: &Path) -> Result<Vec<Finished>> {
    let mut done = Vec::new();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(done),
        Err(e) => return Err(Error::input(path, e.to_string())),
    };
    let mut good_len = 0u64;
    let mut reader = std::io::BufReader::new(file);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| Error::input(path, e.to_string()))?;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        let Some(id) = v.get("id").and_then(|i| i.as_str()).map(str::to_string) else {
            return Err(Error::input(
                path,
                "is not an mtcheck batch output (a line has no \"id\"); refusing to resume into it",
            ));
        };
        if v.get("error").is_none() {
            let report = serde_json::from_value(v).map_err(|e| {
                Error::input(
                    path,
                    format!("the line of pair {id:?} is not an mtcheck report ({e}); refusing to resume into it"),
                )
            })?;
            done.push(Finished { id, report });
        }
        good_len += n as u64;
    }
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::output(path, e.to_string()))?;
    f.set_len(good_len)
        .map_err(|e| Error::output(path, e.to_string()))?;
    Ok(done)
}

/// Appends one record and flushes it, so a killed run keeps every finished pair.
pub fn append(out: &mut dyn Write, path: &Path, record: &Record) -> Result<()> {
    let line = serde_json::to_string(record).map_err(|e| Error::Internal(e.to_string()))?;
    writeln!(out, "{line}")
        .and_then(|_| out.flush())
        .map_err(|e| Error::output(path, e.to_string()))
}

/// What one pair came to, for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub verdict: Option<Verdict>,
    pub score: Option<f64>,
    pub errors: usize,
    pub warnings: usize,
    pub error: Option<String>,
}

impl Outcome {
    /// A pair that could not be read.
    pub fn unreadable(id: &str, error: String) -> Self {
        Self {
            id: id.to_string(),
            verdict: None,
            score: None,
            errors: 0,
            warnings: 0,
            error: Some(error),
        }
    }

    /// A pair that was checked.
    pub fn of(id: &str, report: &Report) -> Self {
        Self {
            id: id.to_string(),
            verdict: Some(report.verdict),
            score: Some(report.score),
            errors: report.counts.errors,
            warnings: report.counts.warnings,
            error: None,
        }
    }
}

/// How a batch runs, beyond its jobs.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Pairs checked at once (`--jobs`); each runs the shared model.
    pub workers: usize,
    /// The JSONL output file (`--output`); `None`: records go to the writer given to `run`.
    pub output: Option<PathBuf>,
    /// Skip the pairs `output` already holds and append (`--resume`).
    pub resume: bool,
    /// Only this shard's pairs (`--shard I/N`).
    pub shard: Option<Shard>,
    /// A combined report of every pair in manifest order (`--report FILE --format F`).
    pub report: Option<(PathBuf, Format)>,
    pub limits: Limits,
    /// The model's reference distributions, for every pair.
    pub reference: Option<LoadedReference>,
    /// The quality-estimate weights for every pair, or why there are none.
    pub qe: crate::qe::Weights,
    /// Draw a progress bar (on a terminal, outside CI).
    pub progress: bool,
}

/// A batch ready to run: its jobs after sharding, minus what an interrupted run finished. Made
/// before the model loads, so that a bad manifest or output file fails fast.
pub struct Plan {
    options: BatchOptions,
    /// Pairs still to check, in manifest order.
    jobs: Vec<Job>,
    /// Pairs the interrupted run finished (only this manifest's and shard's).
    previous: Vec<Finished>,
    /// Manifest position of every pair of the run, for the combined report's order.
    order: HashMap<String, usize>,
}

/// What a batch came to.
#[derive(Debug)]
pub struct BatchRun {
    /// Every pair of the run, those finished by an interrupted run first.
    pub outcomes: Vec<Outcome>,
    /// How many of `outcomes` the interrupted run had finished.
    pub skipped: usize,
    /// Some pair's verdict fails its language pair's `fail_on` setting.
    pub failed: bool,
}

impl BatchRun {
    /// 2 when a pair could not be read, else 1 when one fails, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.outcomes.iter().any(|o| o.error.is_some()) {
            2
        } else {
            i32::from(self.failed)
        }
    }
}

impl Plan {
    /// Plans a batch of `jobs` (as `read_manifest` gives them). Refuses output files that are
    /// inputs of the manifest; reads the output of an interrupted run when resuming.
    pub fn new(mut jobs: Vec<Job>, options: BatchOptions) -> Result<Self> {
        if options.workers == 0 {
            return Err(Error::Usage("--jobs must be at least 1".into()));
        }
        let outputs = [
            options.output.as_ref(),
            options.report.as_ref().map(|r| &r.0),
        ];
        for out in outputs.into_iter().flatten() {
            let clash = jobs.iter().any(|j| {
                same_file(out, &j.source) || j.target.as_ref().is_some_and(|t| same_file(out, t))
            });
            if clash {
                return Err(Error::Usage(format!(
                    "{} is an input file of the manifest; refusing to overwrite it",
                    out.display()
                )));
            }
        }
        if let Some(shard) = options.shard {
            jobs = shard.select(jobs);
        }
        let mut previous = match (&options.output, options.resume) {
            (Some(p), true) => resume(p)?,
            _ => Vec::new(),
        };
        // Only this manifest's (and shard's) pairs count: the summary, the exit code and the
        // combined report cover the whole run, the pairs the interrupted run finished included.
        let order: HashMap<String, usize> = jobs
            .iter()
            .enumerate()
            .map(|(k, j)| (j.id.clone(), k))
            .collect();
        previous.retain(|f| order.contains_key(&f.id));
        let done: HashSet<&str> = previous.iter().map(|f| f.id.as_str()).collect();
        jobs.retain(|j| !done.contains(j.id.as_str()));
        Ok(Self {
            options,
            jobs,
            previous,
            order,
        })
    }

    /// Judge every pair with these reference distributions (known once the model has loaded).
    pub fn with_reference(mut self, reference: Option<LoadedReference>) -> Self {
        self.options.reference = reference;
        self
    }

    /// Judge every pair's links with these quality-estimate weights.
    pub fn with_quality_estimate(mut self, qe: crate::qe::Weights) -> Self {
        self.options.qe = qe;
        self
    }

    /// Pairs left to check.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// Checks every remaining pair with `checker`, `workers` at a time, appending one JSONL
    /// record per pair as it finishes (to the output file, else to `stdout`). A pair that cannot
    /// be read is recorded with its error and the run goes on; an internal error stops it.
    pub fn run(
        self,
        sources: &Sources,
        checker: &dyn PairChecker,
        stdout: &mut dyn Write,
    ) -> Result<BatchRun> {
        let Plan {
            options,
            jobs,
            previous,
            order,
        } = self;
        let mut file;
        let (sink, sink_path): (&mut dyn Write, PathBuf) = match &options.output {
            Some(p) => {
                file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(options.resume)
                    .write(true)
                    .truncate(!options.resume)
                    .open(p)
                    .map_err(|e| Error::output(p, e.to_string()))?;
                (&mut file, p.clone())
            }
            None => (stdout, PathBuf::from("<stdout>")),
        };
        let progress = if options.progress {
            indicatif::ProgressBar::new(jobs.len() as u64)
        } else {
            indicatif::ProgressBar::hidden()
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.workers)
            .build()
            .map_err(|e| Error::Internal(format!("starting the pair workers: {e}")))?;
        let mut failed = false;
        for f in &previous {
            let langs = (f.report.source.lang.as_str(), f.report.target.lang.as_str());
            failed |= sources
                .resolve(Some(langs))?
                .fail_on
                .fails(f.report.verdict);
        }
        let mut outcomes = Vec::new();
        let mut reports = Vec::new();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| -> Result<()> {
            let (jobs, options) = (&jobs, &options);
            scope.spawn(move || {
                pool.install(|| {
                    jobs.par_iter().for_each_with(tx, |tx, job| {
                        let result = (|| {
                            let mut p = prepare(
                                sources,
                                &job.source,
                                job.target.as_deref(),
                                (job.src_lang.as_deref(), job.tgt_lang.as_deref()),
                                &options.limits,
                            )?;
                            p.opts.reference = options.reference.clone();
                            p.opts.qe = options.qe.clone();
                            let report = checker.check(&p.input, &p.opts)?;
                            Ok::<_, Error>((report, p.settings.fail_on))
                        })();
                        // The receiver lives until every sender is gone.
                        let _ = tx.send((job, result));
                    })
                })
            });
            for (job, result) in rx {
                progress.inc(1);
                match result {
                    Ok((report, fail_on)) => {
                        let record = Record {
                            id: &job.id,
                            error: None,
                            report: Some(&report),
                        };
                        append(sink, &sink_path, &record)?;
                        failed |= fail_on.fails(report.verdict);
                        outcomes.push(Outcome::of(&job.id, &report));
                        if options.report.is_some() {
                            reports.push((job.id.clone(), report));
                        }
                    }
                    Err(e) if e.is_user_error() => {
                        let msg = e.to_string();
                        let record = Record {
                            id: &job.id,
                            error: Some(msg.clone()),
                            report: None,
                        };
                        append(sink, &sink_path, &record)?;
                        outcomes.push(Outcome::unreadable(&job.id, msg));
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })?;
        progress.finish_and_clear();
        let skipped = previous.len();
        let mut all: Vec<Outcome> = previous.iter().map(Finished::outcome).collect();
        all.append(&mut outcomes);
        if let Some((path, format)) = &options.report {
            // Reports in manifest order, whatever order the workers finished in.
            reports.extend(previous.into_iter().map(|f| (f.id, f.report)));
            reports.sort_by_key(|(id, _)| order.get(id).copied().unwrap_or(usize::MAX));
            let reports: Vec<Report> = reports.into_iter().map(|(_, r)| r).collect();
            write_atomic(
                path,
                report::render_many(&reports, *format, Default::default()).as_bytes(),
            )?;
        }
        Ok(BatchRun {
            outcomes: all,
            skipped,
            failed,
        })
    }
}

/// The summary table: counts by verdict, then the worst pairs. `outcomes` includes the `skipped`
/// pairs a resumed run found finished.
pub fn summary(outcomes: &[Outcome], skipped: usize, wall_s: f64, worst: usize) -> String {
    let count = |v| outcomes.iter().filter(|o| o.verdict == Some(v)).count();
    let failed_to_read = outcomes.iter().filter(|o| o.error.is_some()).count();
    let mut s = format!(
        "{} pairs checked in {wall_s:.1}s: {} pass, {} warn, {} fail, {} unreadable",
        outcomes.len(),
        count(Verdict::Pass),
        count(Verdict::Warn),
        count(Verdict::Fail),
        failed_to_read
    );
    if skipped > 0 {
        s += &format!(" ({skipped} of them finished by the earlier run)");
    }
    s += "\n";
    let mut bad: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.error.is_some() || o.verdict != Some(Verdict::Pass))
        .collect();
    bad.sort_by(|a, b| {
        let key = |o: &Outcome| o.score.unwrap_or(-1.0);
        key(a).total_cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    if !bad.is_empty() {
        s += &format!(
            "\n{:<6} {:>6} {:>6} {:>8}  pair\n",
            "verdict", "score", "errors", "warnings"
        );
        for o in bad.iter().take(worst) {
            match &o.error {
                Some(e) => {
                    s += &format!(
                        "{:<7} {:>6} {:>6} {:>8}  {}: {e}\n",
                        "error", "-", "-", "-", o.id
                    )
                }
                None => {
                    s += &format!(
                        "{:<7} {:>6.1} {:>6} {:>8}  {}\n",
                        o.verdict.map_or("", Verdict::as_str),
                        o.score.unwrap_or_default(),
                        o.errors,
                        o.warnings,
                        o.id
                    )
                }
            }
        }
        if bad.len() > worst {
            s += &format!("… and {} more\n", bad.len() - worst);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, rel: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "Some text.").unwrap();
    }

    /// Checks without a model: every readable pair gets the sample report, its verdict decided
    /// by the target's text ("bad" fails), and `seen` counts the calls.
    struct FakeChecker {
        seen: std::sync::atomic::AtomicUsize,
    }

    impl PairChecker for FakeChecker {
        fn check(
            &self,
            input: &crate::pipeline::input::Input,
            _: &crate::pipeline::check::CheckOptions,
        ) -> Result<Report> {
            self.seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (_, tgt) = input.documents();
            let mut r = crate::report::testing::passing_rtl_report();
            r.target.path = tgt.path.display().to_string();
            if tgt.sentences[0].text.contains("bad") {
                r.verdict = Verdict::Fail;
                r.score = 10.0;
            }
            Ok(r)
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    /// A folder with pairs a (pass), b (fail) and c (target missing, so unreadable), and a
    /// manifest listing them.
    fn workspace() -> (tempfile::TempDir, Vec<Job>, Sources) {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.en.txt", "The museum opens on Saturday.");
        write("a.de.txt", "Das Museum öffnet am Samstag.");
        write("b.en.txt", "The museum opens on Saturday.");
        write("b.de.txt", "This one is bad.");
        write("c.en.txt", "The museum opens on Saturday.");
        write("c.de.txt", "");
        let manifest = dir.path().join("pairs.jsonl");
        let line = |id: &str| {
            format!(
                "{{\"id\": \"{id}\", \"source\": \"{id}.en.txt\", \"target\": \"{id}.de.txt\", \
                 \"src_lang\": \"en\", \"tgt_lang\": \"de\"}}\n"
            )
        };
        std::fs::write(&manifest, [line("a"), line("b"), line("c")].concat()).unwrap();
        let jobs = read_manifest(&manifest, None, None, None).unwrap();
        let sources = Sources::load_with(Default::default(), None, &no_env, dir.path()).unwrap();
        (dir, jobs, sources)
    }

    fn options(workers: usize) -> BatchOptions {
        BatchOptions {
            workers,
            ..BatchOptions::default()
        }
    }

    #[test]
    fn a_batch_records_every_pair_and_its_exit_code_says_the_worst() {
        let (dir, jobs, sources) = workspace();
        let checker = FakeChecker {
            seen: Default::default(),
        };
        let mut out = Vec::new();
        let report = dir.path().join("all.json");
        let opts = BatchOptions {
            report: Some((report.clone(), Format::Json)),
            ..options(2)
        };
        let run = Plan::new(jobs, opts)
            .unwrap()
            .run(&sources, &checker, &mut out)
            .unwrap();
        assert_eq!(checker.seen.load(std::sync::atomic::Ordering::SeqCst), 2);
        let text = String::from_utf8(out).unwrap();
        let mut ids: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        ids.sort();
        assert_eq!(ids, ["\"a\"", "\"b\"", "\"c\""]);
        assert!(
            text.contains("\"error\":"),
            "the empty target is recorded: {text}"
        );
        assert_eq!(run.outcomes.len(), 3);
        assert!(run.failed);
        // An unreadable pair outranks a failing one.
        assert_eq!(run.exit_code(), 2);
        // The combined report holds the checked pairs in manifest order, whatever finished first.
        let combined = std::fs::read_to_string(&report).unwrap();
        let targets: Vec<String> = combined
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["target"]["path"].to_string()
            })
            .collect();
        assert_eq!(targets.len(), 2);
        assert!(targets[0].contains("a.de.txt") && targets[1].contains("b.de.txt"));
    }

    #[test]
    fn a_resumed_batch_checks_only_what_the_interrupted_run_left() {
        let (dir, jobs, sources) = workspace();
        let output = dir.path().join("out.jsonl");
        let first = FakeChecker {
            seen: Default::default(),
        };
        let opts = BatchOptions {
            output: Some(output.clone()),
            ..options(1)
        };
        // The first run stops after pair a: its output holds one finished record and half a line.
        let only_a: Vec<Job> = jobs.iter().filter(|j| j.id == "a").cloned().collect();
        Plan::new(only_a, opts.clone())
            .unwrap()
            .run(&sources, &first, &mut Vec::new())
            .unwrap();
        let mut text = std::fs::read_to_string(&output).unwrap();
        text.push_str("{\"id\": \"b\", \"ver");
        std::fs::write(&output, text).unwrap();

        let second = FakeChecker {
            seen: Default::default(),
        };
        let resumed = BatchOptions {
            resume: true,
            ..opts
        };
        let plan = Plan::new(jobs, resumed).unwrap();
        assert_eq!(plan.jobs().len(), 2, "a is done; b and c are left");
        let run = plan.run(&sources, &second, &mut Vec::new()).unwrap();
        assert_eq!(second.seen.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!((run.skipped, run.outcomes.len()), (1, 3));
        let lines: Vec<String> = std::fs::read_to_string(&output)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(lines.len(), 3, "the cut line is gone: {lines:?}");
        assert!(lines
            .iter()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    }

    #[test]
    fn a_batch_refuses_to_write_over_its_inputs_and_needs_a_worker() {
        let (dir, jobs, _) = workspace();
        let opts = BatchOptions {
            output: Some(dir.path().join("a.de.txt")),
            ..options(1)
        };
        let e = Plan::new(jobs.clone(), opts).err().unwrap().to_string();
        assert!(e.contains("a.de.txt is an input file"), "{e}");
        let e = Plan::new(jobs, options(0)).err().unwrap().to_string();
        assert_eq!(e, "--jobs must be at least 1");
    }

    #[test]
    fn jsonl_and_tsv_manifests_resolve_paths_against_their_folder() {
        let d = tempfile::tempdir().unwrap();
        for f in ["a.en.txt", "a.de.txt", "b/x.xlf"] {
            touch(d.path(), f);
        }
        let m = d.path().join("pairs.jsonl");
        std::fs::write(
            &m,
            "{\"source\": \"a.en.txt\", \"target\": \"a.de.txt\", \"src_lang\": \"en\"}\n\n{\"id\": \"x\", \"source\": \"b/x.xlf\"}\n",
        )
        .unwrap();
        let jobs = read_manifest(&m, None, Some("de"), None).unwrap();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].id, "a.de.txt");
        assert_eq!(jobs[0].source, d.path().join("a.en.txt"));
        assert_eq!(
            (jobs[0].src_lang.as_deref(), jobs[0].tgt_lang.as_deref()),
            (Some("en"), Some("de"))
        );
        assert_eq!((jobs[1].id.as_str(), jobs[1].target.as_ref()), ("x", None));
        let t = d.path().join("pairs.tsv");
        std::fs::write(
            &t,
            "source\ttarget\tsrc_lang\ttgt_lang\na.en.txt\ta.de.txt\ten\tde\n",
        )
        .unwrap();
        let jobs = read_manifest(&t, None, None, None).unwrap();
        assert_eq!(jobs[0].target, Some(d.path().join("a.de.txt")));
        assert_eq!(jobs[0].tgt_lang.as_deref(), Some("de"));
    }

    #[test]
    fn manifests_naming_missing_files_or_paths_outside_are_refused() {
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), "in/a.txt");
        touch(d.path(), "secret.txt");
        let m = d.path().join("in/pairs.jsonl");
        for (line, what) in [
            (
                "{\"source\": \"a.txt\", \"target\": \"missing.txt\"}",
                "does not exist",
            ),
            (
                "{\"source\": \"../secret.txt\", \"target\": \"a.txt\"}",
                "outside",
            ),
            (
                "{\"source\": \"/etc/passwd\", \"target\": \"a.txt\"}",
                "outside",
            ),
            ("{\"src\": \"a.txt\"}", "line 1: not a pair object"),
        ] {
            std::fs::write(&m, line).unwrap();
            let e = read_manifest(&m, None, None, None).unwrap_err().to_string();
            assert!(e.contains("pairs.jsonl") && e.contains(what), "{line}: {e}");
        }
        std::fs::write(
            &m,
            "{\"id\": \"1\", \"source\": \"a.txt\"}\n{\"id\": \"1\", \"source\": \"a.txt\"}\n",
        )
        .unwrap();
        let e = read_manifest(&m, None, None, None).unwrap_err().to_string();
        assert!(e.contains("twice"), "{e}");
    }

    #[test]
    fn absolute_manifest_paths_need_a_root_and_must_stay_inside_it() {
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), "data/a.txt");
        touch(d.path(), "secret.txt");
        let m = d.path().join("lists/pairs.jsonl");
        std::fs::create_dir_all(m.parent().unwrap()).unwrap();
        let abs = d.path().join("data/a.txt");
        std::fs::write(
            &m,
            format!("{{\"source\": {abs:?}}}\n{{\"source\": \"../data/a.txt\"}}\n"),
        )
        .unwrap();
        let e = read_manifest(&m, None, None, None).unwrap_err().to_string();
        assert!(e.contains("--root DIR"), "the error names the way out: {e}");
        let data = d.path().join("data");
        let jobs = read_manifest(&m, None, None, Some(&data)).unwrap();
        assert_eq!(jobs.len(), 2);
        // Inside the root only.
        std::fs::write(&m, "{\"source\": \"../secret.txt\"}\n").unwrap();
        let e = read_manifest(&m, None, None, Some(&data))
            .unwrap_err()
            .to_string();
        assert!(e.contains("outside --root"), "{e}");
        let e = read_manifest(&m, None, None, Some(&d.path().join("nope")))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--root "), "{e}");
    }

    #[test]
    fn batch_takes_translation_files_named_on_the_command_line() {
        // A pre-commit hook passes the staged files themselves, not a manifest.
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), "locale/de.po");
        touch(d.path(), "locale/fr.xlf");
        touch(d.path(), "notes.txt");
        let files = [
            d.path().join("locale/de.po"),
            d.path().join("locale/fr.xlf"),
        ];
        let jobs = file_jobs(&files, Some("en"), None).unwrap();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].id, files[0].display().to_string());
        assert_eq!(
            (jobs[0].target.clone(), jobs[0].src_lang.as_deref()),
            (None, Some("en"))
        );
        let e = file_jobs(&[files[0].clone(), d.path().join("notes.txt")], None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("notes.txt") && e.contains("not a translation file"),
            "{e}"
        );
        let e = file_jobs(&[d.path().join("gone.po")], None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("gone.po") && e.contains("does not exist"), "{e}");
    }

    #[test]
    fn directories_pair_by_tree_or_by_language_suffix() {
        let d = tempfile::tempdir().unwrap();
        for f in ["src/news/1.txt", "tgt/news/1.txt", "src/2.txt"] {
            touch(d.path(), f);
        }
        let jobs = read_manifest(d.path(), Some("ar"), Some("en"), None).unwrap();
        assert_eq!(jobs.len(), 1, "2.txt has no target");
        assert_eq!(jobs[0].id, "news/1.txt");
        let d = tempfile::tempdir().unwrap();
        for f in ["a.en.po", "a.fr.po", "b.en.txt", "b.fr.txt", "c.en.txt"] {
            touch(d.path(), f);
        }
        let jobs = read_manifest(d.path(), Some("en"), Some("fr"), None).unwrap();
        let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let e = read_manifest(d.path(), None, None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--src-lang"), "{e}");
    }

    #[test]
    fn shards_cover_every_pair_exactly_once() {
        let jobs: Vec<Job> = (0..200)
            .map(|k| Job {
                id: format!("pair-{k}"),
                source: "s".into(),
                target: None,
                src_lang: None,
                tgt_lang: None,
            })
            .collect();
        for n in [1, 3, 7] {
            let mut seen: Vec<String> = Vec::new();
            for i in 0..n {
                let part = Shard { index: i, count: n }.select(jobs.clone());
                assert!(n == 1 || part.len() < jobs.len());
                seen.extend(part.into_iter().map(|j| j.id));
            }
            seen.sort();
            let mut all: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
            all.sort();
            assert_eq!(seen, all, "N={n}");
        }
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
    }

    #[test]
    fn resume_skips_finished_pairs_and_drops_a_cut_last_line() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.jsonl");
        let report = crate::report::testing::sample_report();
        let line = |id: &str| {
            serde_json::to_string(&Record {
                id,
                error: None,
                report: Some(&report),
            })
            .unwrap()
        };
        std::fs::write(
            &p,
            format!(
                "{}\n{{\"id\":\"b\",\"error\":\"x: no such file\"}}\n{}",
                line("a"),
                &line("c")[..40]
            ),
        )
        .unwrap();
        let done = resume(&p).unwrap();
        assert_eq!(done.len(), 1);
        let a = &done[0];
        assert_eq!(a.id, "a");
        // The report reads back as it was written.
        assert_eq!(
            serde_json::to_value(&a.report).unwrap(),
            serde_json::to_value(&report).unwrap()
        );
        let o = a.outcome();
        assert_eq!(o.verdict, Some(report.verdict));
        assert_eq!(
            (o.errors, o.warnings),
            (report.counts.errors, report.counts.warnings)
        );
        let left = std::fs::read_to_string(&p).unwrap();
        assert!(left.ends_with("\"error\":\"x: no such file\"}\n"), "{left}");
        // Any other file is refused and left as it was.
        for other in [
            "not json at all\n",
            "{\"name\": 1}\n",
            "{\"id\":\"a\",\"score\":90,\"verdict\":\"fail\"}\n",
        ] {
            std::fs::write(&p, other).unwrap();
            assert!(resume(&p).is_err());
            assert_eq!(std::fs::read_to_string(&p).unwrap(), other);
        }
    }
}
