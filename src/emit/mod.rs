//! Emitters: one module per output format behind one small trait, and the atomic writes.
//!
//! Each emitter turns a finished [`Report`] into bytes. Emitters only format: they never
//! re-judge a verdict, never parse a message's text, never call AWS or read configuration;
//! what they need beyond the report comes in the [`RenderContext`].

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod sarif;
pub mod summary;
mod write;

use sha2::{Digest, Sha256};

use crate::model::OutputFormat;
use crate::report::Report;

pub use write::{HashingWriter, WriteError, check_writable, write_atomic, write_atomic_with};

/// What emitters may need beyond the report itself.
#[derive(Debug, Clone, Default)]
pub struct RenderContext {
    /// The config file in use (`--config` or ./trailwarden.toml), if any.
    pub config_path: Option<String>,
    /// SARIF: the file every result is located in (`--sarif-artifact`; default the config file, else `trailwarden.toml`).
    pub sarif_artifact: Option<String>,
    /// HTML framework view: a framework key such as `cis-5.0` (`--framework`).
    pub framework: String,
    /// SHA-256 (hex) of the JSON report rendered from the same report, for the HTML header.
    pub json_sha256: Option<String>,
    /// SHA-256 (hex) of the inventory file the report was evaluated from, when there is one.
    pub inventory_sha256: Option<String>,
}

/// A report that could not be formatted (a template or serialisation failure).
#[derive(Debug, thiserror::Error)]
#[error("cannot render the {format} report: {message}")]
pub struct RenderError {
    pub format: &'static str,
    pub message: String,
}

impl RenderError {
    pub fn new(format: &'static str, message: impl Into<String>) -> RenderError {
        RenderError { format, message: message.into() }
    }
}

/// One output format.
pub trait Renderer {
    fn render(&self, report: &Report, ctx: &RenderContext) -> Result<Vec<u8>, RenderError>;
}

/// The emitter of a format.
pub fn renderer(format: OutputFormat) -> Box<dyn Renderer> {
    match format {
        OutputFormat::Json => Box::new(json::Json),
        OutputFormat::Html => Box::new(html::Html),
        OutputFormat::Sarif => Box::new(sarif::Sarif),
        OutputFormat::Junit => Box::new(junit::Junit),
        OutputFormat::Markdown => Box::new(markdown::Markdown),
        OutputFormat::Csv => Box::new(csv::Csv),
        OutputFormat::Ocsf => Box::new(ocsf::Ocsf),
    }
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
