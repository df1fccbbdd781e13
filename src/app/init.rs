//! `trailwarden init`: write the commented config template.

use super::AppError;
use crate::emit::write_atomic;
use crate::model::ExitCode;

pub fn run(path: &str, force: bool) -> Result<ExitCode, AppError> {
    if std::path::Path::new(path).exists() && !force {
        return Err(AppError::Usage(format!("{path} already exists; pass --force to overwrite it")));
    }
    write_atomic(path, crate::config::TEMPLATE.as_bytes())?;
    eprintln!("trailwarden: wrote {path}");
    Ok(ExitCode::Clean)
}
