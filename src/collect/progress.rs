//! Progress lines on stderr, only when stderr is a terminal (never in logs or CI output).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Progress {
    enabled: bool,
    drew: AtomicBool,
}

impl Progress {
    pub fn new() -> Progress {
        Progress { enabled: std::io::stderr().is_terminal(), drew: AtomicBool::new(false) }
    }

    pub fn update(&self, stage: &str, done: usize, total: usize) {
        if self.enabled {
            self.drew.store(true, Ordering::Relaxed);
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2Ktrailwarden: {stage} {done}/{total}");
            let _ = err.flush();
        }
    }

    pub fn finish(&self) {
        if self.enabled && self.drew.load(Ordering::Relaxed) {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
