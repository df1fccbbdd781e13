//! Unit tests of the check logic (CT1xx–CT4xx) against hand-built inventories.
//!
//! No AWS, no emulator: each test builds an [`Inventory`] with the small builders below and
//! asserts the exact status (and, where it matters, key words of the message) of the
//! outcomes `checks::evaluate` gives. The contract is `design/checks.md`: in particular a
//! fact that is `Unavailable` must give ERROR, never PASS or FAIL.
//!
//! One file per area: coverage (CT1xx), trail configuration (CT2xx), buckets (CT3xx), keys
//! (CT4xx), and what cuts across them; the builders live in `fixtures`.

mod fixtures;

mod bucket;
mod coverage;
mod cross_cutting;
mod key;
mod monitoring;
mod trail_config;
