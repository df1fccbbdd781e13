//! trailwarden: a CloudTrail compliance posture scanner.
//!
//! Data flows one way:
//!
//! ```text
//! AWS ─aws─▶ collect ─▶ inventory ─▶ checks ─▶ report ⇄ policy ─▶ emit ─▶ json/html/sarif/…
//! ```
//!
//! [`collect`] (the only code that talks to AWS, through [`aws`]) fills an
//! [`inventory::Inventory`]; [`checks`] evaluate it into outcomes (pure, no I/O); [`report`]
//! is the JSON contract built from them; [`policy`] applies the team's decisions to it
//! (suppressions, baseline, the gate); [`emit`] writes it in every format. [`cli`] only
//! parses, [`config`] reads `trailwarden.toml`, [`settings`] merges the two, and [`app`]
//! wires one command's stages together. `architecture.md` has the contracts.
//!
//! The modules are declared below in dependency order: each imports only modules declared
//! before it ([`model`], the shared vocabulary, imports nothing). A test
//! (`module_imports_follow_the_declared_order`) holds the sources to that.

pub mod model;
pub mod logs_pattern;
pub mod integrity;

pub mod aws;
pub mod inventory;
pub mod collect;
pub mod checks;
pub mod config;
pub mod report;
pub mod policy;
pub mod emit;

pub mod cli;
pub mod settings;
pub mod app;

#[cfg(test)]
mod layering_tests {
    /// Every `crate::X` a module's sources mention must be declared before it in `lib.rs`.
    #[test]
    fn module_imports_follow_the_declared_order() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let lib = std::fs::read_to_string(root.join("lib.rs")).unwrap();
        let order: Vec<&str> = lib.lines().filter_map(|l| l.strip_prefix("pub mod ")).map(|l| l.trim_end_matches(';')).collect();
        assert!(order.len() >= 12, "lib.rs declares {order:?}");
        for (position, module) in order.iter().enumerate() {
            let mut files = Vec::new();
            let dir = root.join(module);
            if dir.is_dir() {
                let mut stack = vec![dir];
                while let Some(d) = stack.pop() {
                    for entry in std::fs::read_dir(d).unwrap() {
                        let path = entry.unwrap().path();
                        if path.is_dir() { stack.push(path) } else if path.extension().is_some_and(|e| e == "rs") { files.push(path) }
                    }
                }
            } else {
                files.push(root.join(format!("{module}.rs")));
            }
            for file in files {
                let text = std::fs::read_to_string(&file).unwrap();
                for (i, _) in text.match_indices("crate::") {
                    let used: String = text[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    let Some(used_at) = order.iter().position(|m| *m == used) else { continue };
                    assert!(
                        used_at < position || used == *module,
                        "{} (module `{module}`) uses crate::{used}, which is declared after it: that reaches back up the flow",
                        file.display()
                    );
                }
            }
        }
    }
}
