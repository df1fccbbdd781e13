//! The progress bar on stderr: the stage, units done / total, AWS requests sent, facts that
//! could not be read so far, and the time left. Drawn only when stderr is a terminal and
//! `--quiet` was not given, so logs, pipes and CI output never see it.
//!
//! It must not be taken for a result: counts of errors here are what failed so far, the
//! report is the judgement. It must never write to stdout (the report or summary goes there).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Facts read as Unavailable so far (every stage), for the bar's error count.
static UNREADABLE: AtomicU64 = AtomicU64::new(0);

/// One more fact could not be read.
pub fn count_unreadable() {
    UNREADABLE.fetch_add(1, Ordering::Relaxed);
}

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Drawn when stderr is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
        let style = ProgressStyle::with_template("trailwarden: {prefix:<24} [{bar:24}] {pos}/{len} · {msg} · ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        Progress { bar: Some(bar) }
    }

    /// `done` of `total` units of `stage` are finished.
    pub fn update(&self, stage: &str, done: usize, total: usize) {
        let Some(bar) = &self.bar else { return };
        if bar.prefix() != stage {
            bar.set_prefix(stage.to_string());
            bar.reset_eta();
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(format!("{} requests · {} unreadable", crate::aws::attempts_sent(), UNREADABLE.load(Ordering::Relaxed)));
    }

    /// Remove the bar (the summary follows on stdout).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
