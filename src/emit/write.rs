//! Writing reports: atomically to files (a temporary file in the target's directory,
//! fsync, rename, so a crash never leaves a half report a CI gate could read as passing),
//! or to stdout.

use std::io::Write;
use std::path::Path;

/// A report or inventory that could not be written. Keeps the I/O error as its source, so
/// `main` can tell a closed stdout (a quiet exit) from a full disk.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// Write `bytes` to `path` atomically; `-` writes to stdout.
pub fn write_atomic(path: &str, bytes: &[u8]) -> Result<(), WriteError> {
    let error = |source| WriteError { path: if path == "-" { "to stdout".to_string() } else { path.to_string() }, source };
    if path == "-" {
        let mut out = std::io::stdout().lock();
        return out.write_all(bytes).and_then(|_| out.flush()).map_err(error);
    }
    let target = Path::new(path);
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new().prefix(".trailwarden-").suffix(".tmp").tempfile_in(dir).map_err(error)?;
    file.write_all(bytes).map_err(error)?;
    file.as_file().sync_all().map_err(error)?;
    file.persist(target).map_err(|e| error(e.error))?;
    Ok(())
}

/// Check before a long scan that `path` can be written (its directory exists and is
/// writable), without leaving anything behind.
pub fn check_writable(path: &str) -> Result<(), String> {
    if path == "-" {
        return Ok(());
    }
    let target = Path::new(path);
    if target.is_dir() {
        return Err(format!("{path}: is a directory; give a file path"));
    }
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(format!("{path}: directory {} does not exist; create it first", dir.display()));
    }
    tempfile::Builder::new().prefix(".trailwarden-probe-").tempfile_in(dir).map_err(|e| format!("{path}: cannot write in {}: {e}", dir.display()))?;
    Ok(())
}
