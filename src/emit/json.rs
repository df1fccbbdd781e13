//! `-o json=PATH`: the report as pretty-printed JSON (the contract in `architecture.md`,
//! schema in `report.schema.json`).

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Report};

pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let mut bytes = Vec::new();
        Json::write(report, &mut bytes).map_err(|e| RenderError::new("JSON", e.to_string()))?;
        Ok(bytes)
    }
}

impl Json {
    /// The report's bytes (exactly [`Renderer::render`]'s), streamed to `out`: at 1,000
    /// accounts the JSON is about 30 MB, which neither the file nor the hash needs in memory.
    pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report).map_err(|e| match e.io_error_kind() {
            Some(kind) => std::io::Error::new(kind, e),
            None => std::io::Error::other(format!("cannot serialise the JSON report: {e}")),
        })?;
        out.write_all(b"\n")
    }

    /// Stream the report to `out` and return the SHA-256 of its bytes (`io::sink()`: only
    /// the hash, nothing stored).
    pub fn write_hashed(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<String> {
        let mut hashing = super::HashingWriter::new(out);
        Json::write(report, &mut hashing)?;
        Ok(hashing.hex())
    }
}
