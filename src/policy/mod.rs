//! Policy: what the team decided, applied to a finished evaluation.
//!
//! Runs after evaluation and before rendering: which checks run ([`selection`]),
//! suppressions (each with a reason; expired ones stop applying and say so; unmatched ones
//! are warned about), the baseline comparison (new / unchanged / fixed by stable finding
//! id), and the exit code ([`gate`]). It never changes a verdict: a suppressed FAIL is still
//! a FAIL, flagged with its reason. It must not read files or call AWS: `app` hands it text
//! and values.

pub mod baseline;
pub mod gate;
pub mod selection;
pub mod suppressions;

pub use baseline::{BaselineError, apply_baseline};
pub use gate::exit_code;
pub use selection::{SelectionError, select_checks};
pub use suppressions::apply_suppressions;
