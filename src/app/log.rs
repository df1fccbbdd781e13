//! `-v` / `-vv`: what the AWS SDK does, on stderr — each attempt the SDK retries and why, and
//! credential loads (`-v`); every phase of every call (`-vv`). The SDK reports these as
//! `tracing` events; this module only installs the subscriber that prints them. It must never
//! raise a level past `debug` by itself: the SDK's `trace` events carry whole requests, signed
//! headers and the session token among them. RUST_LOG, when set, is the user's explicit choice
//! and wins (and then nothing is dropped).

use tracing_core::field::{Field, Visit};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The levels `-v` and `-vv` stand for.
fn default_filter(verbose: u8) -> &'static str {
    match verbose {
        1 => "warn,trailwarden=info,aws_config=info,aws_smithy_runtime::client::retries=debug,aws_smithy_runtime::client::orchestrator=info",
        _ => "info,trailwarden=debug,aws_config=debug,aws_smithy_runtime=debug,aws_smithy_runtime_api=debug",
    }
}

/// Install the stderr logger for `-v` (count > 0); nothing otherwise.
pub fn init(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let explicit = std::env::var("RUST_LOG").ok().filter(|t| !t.trim().is_empty());
    let filter = match &explicit {
        Some(text) => EnvFilter::try_new(text).unwrap_or_else(|e| {
            eprintln!("trailwarden: warning: RUST_LOG={text:?} is not a log filter ({e}); using the levels of -{}; unset RUST_LOG or give e.g. RUST_LOG=aws_smithy_runtime=debug", "v".repeat(verbose as usize));
            EnvFilter::new(default_filter(verbose))
        }),
        None => EnvFilter::new(default_filter(verbose)),
    };
    let quiet = (verbose == 1 && explicit.is_none()).then_some(RoutineRetryLines);
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(true);
    // A second init (a test calling run twice) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(filter).with(quiet).with(fmt).try_init();
}

/// `-v`: drops the two debug lines the SDK's retry strategy writes for every attempt that
/// needs no retry ("no client rate limiter configured …", "… classified as
/// NoActionIndicated, not retrying"), so what is left is the retries. Matching is on the
/// text: if the SDK rewords them, they show again, nothing else is lost.
struct RoutineRetryLines;

impl<S: Subscriber> Layer<S> for RoutineRetryLines {
    fn event_enabled(&self, event: &Event<'_>, _ctx: Context<'_, S>) -> bool {
        if !event.metadata().target().starts_with("aws_smithy_runtime::client::retries") {
            return true;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        !is_routine(&message.0)
    }
}

fn is_routine(message: &str) -> bool {
    message.starts_with("no client rate limiter configured") || (message.contains("classified as NoActionIndicated") && message.ends_with("not retrying"))
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_levels_parse_and_never_reach_trace() {
        for verbose in [1, 2, 3] {
            let text = default_filter(verbose);
            assert!(EnvFilter::try_new(text).is_ok(), "{text}");
            assert!(!text.contains("trace"), "{text}: trace events carry signed requests");
        }
    }

    #[test]
    fn only_the_per_attempt_routine_lines_are_routine() {
        assert!(is_routine("no client rate limiter configured, so no token is required for the initial request."));
        assert!(is_routine("attempt #1 classified as NoActionIndicated, not retrying"));
        assert!(!is_routine("attempt #1 classified as ThrottlingError, retrying after 130ms"));
        assert!(!is_routine("attempt #3 failed with TransientError; not retrying: max attempts reached"));
    }
}
