//! `-o json=PATH`: the report as pretty-printed JSON (the contract in `architecture.md`,
//! schema in `report.schema.json`).

use super::{RenderContext, Renderer, Report};

pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, String> {
        let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| format!("cannot serialise the report: {e}"))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
