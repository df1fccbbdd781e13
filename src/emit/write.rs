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
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Write what `produce` writes to `path` atomically (`-`: stdout), through a buffer: a large
/// report is streamed to its file instead of being held in memory whole first.
pub fn write_atomic_with(path: &str, produce: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), WriteError> {
    let error = |source| WriteError { path: if path == "-" { "to stdout".to_string() } else { path.to_string() }, source };
    if path == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        return produce(&mut out).and_then(|_| out.flush()).map_err(error);
    }
    let target = Path::new(path);
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file = tempfile::Builder::new().prefix(".trailwarden-").suffix(".tmp").tempfile_in(dir).map_err(error)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    produce(&mut out).and_then(|_| out.flush()).map_err(error)?;
    let file = out.into_inner().map_err(|e| error(e.into_error()))?;
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

/// An `io::Write` that hashes what passes through it to `inner` (`io::sink()`: only hashes):
/// the SHA-256 of a report as it is written, without keeping its bytes.
pub struct HashingWriter<W> {
    inner: W,
    hasher: sha2::Sha256,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> HashingWriter<W> {
        use sha2::Digest;
        HashingWriter { inner, hasher: sha2::Sha256::new() }
    }

    /// Lower-case hex of the SHA-256 of everything written.
    pub fn hex(self) -> String {
        use sha2::Digest;
        hex::encode(self.hasher.finalize())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_taken_while_writing_is_the_hash_of_what_was_written() {
        let text = b"{\n  \"schema_version\": \"5\"\n}\n".repeat(1000);
        let mut written = Vec::new();
        let mut through = HashingWriter::new(&mut written);
        for chunk in text.chunks(777) {
            through.write_all(chunk).unwrap();
        }
        let hash = through.hex();
        assert_eq!(written, text);
        assert_eq!(hash, super::super::sha256_hex(&text));
        let mut only = HashingWriter::new(std::io::sink());
        only.write_all(&text).unwrap();
        assert_eq!(only.hex(), hash, "into io::sink(): the same hash, nothing kept");
    }
}
