//! Thin entry point: parse the command line, run the command, turn the result into the exit
//! code. An error is printed as `trailwarden: error: …` with its cause chain on one line; a
//! closed stdout (`trailwarden checks | head -1`) is a quiet exit 0.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = trailwarden::cli::Cli::parse();
    match trailwarden::app::run(cli) {
        Ok(code) => std::process::ExitCode::from(code.code()),
        Err(e) if e.is_broken_pipe() => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trailwarden: error: {}", e.one_line());
            std::process::ExitCode::from(trailwarden::model::ExitCode::Usage.code())
        }
    }
}
