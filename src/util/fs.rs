//! Writing output files atomically: to a temporary file beside the destination, then renamed, so
//! a reader never sees half a report and an interrupted run leaves the old file in place.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `content` to `path` atomically. The file gets the permissions of any new file (0666
/// less the umask), not the owner-only 0600 of a temporary file.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::output(path, format!("cannot create a file here: {e}")))?;
    tmp.write_all(content)
        .map_err(|e| Error::output(path, e.to_string()))?;
    tmp.persist(path)
        .map_err(|e| Error::output(path, e.error.to_string()))?;
    Ok(())
}

/// Whether two paths name the same existing file (so an output never overwrites an input).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_replaces_the_old_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn reports_are_readable_by_others_like_any_new_file_not_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let usual = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        let path = dir.path().join("report.sarif");
        write_atomic(&path, b"{}").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, usual,
            "report mode {mode:o}, a new file gets {usual:o}"
        );
    }

    #[test]
    fn a_missing_folder_is_an_output_error_naming_the_file() {
        let err = write_atomic(Path::new("/nonexistent-dir/x/report.json"), b"").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent-dir/x/report.json:"),
            "{err}"
        );
    }
}
