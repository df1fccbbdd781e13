//! `-v` / `-vv`: what the AWS SDK does, on stderr — retries, timeouts and credential loads
//! (`-v`), every call and attempt (`-vv`). The SDK reports these as `tracing` events; this
//! module only installs the subscriber that prints them. It must never raise a level past
//! `debug` by itself: the SDK's `trace` events carry whole requests, signed headers and the
//! session token among them. RUST_LOG, when set, is the user's explicit choice and wins.

use tracing_subscriber::EnvFilter;

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
    let filter = match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => EnvFilter::try_new(&text).unwrap_or_else(|e| {
            eprintln!("trailwarden: warning: RUST_LOG={text:?} is not a log filter ({e}); using the levels of -{}; unset RUST_LOG or give e.g. RUST_LOG=aws_smithy_runtime=debug", "v".repeat(verbose as usize));
            EnvFilter::new(default_filter(verbose))
        }),
        _ => EnvFilter::new(default_filter(verbose)),
    };
    // A second init (a test calling run twice) keeps the first subscriber.
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter).with_target(true).try_init();
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
}
