//! `-o json=PATH`: the report as pretty-printed JSON (the contract in `architecture.md`,
//! schema in `report.schema.json`).

use super::{RenderContext, Renderer, RenderError};
use crate::report::{Report};

pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, _ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| RenderError::new("JSON", e.to_string()))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
