//! The committed completion scripts under `completions/` match the CLI definition.
//! Regenerate with `HAT_UPDATE_COMPLETIONS=1 cargo test --test cli completions`.

use crate::support::Sandbox;
use std::path::Path;

#[test]
fn committed_completions_are_current() {
    let sandbox = Sandbox::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [("bash", "hat.bash"), ("zsh", "_hat"), ("fish", "hat.fish")] {
        let out = sandbox.hat(&["completions", shell]).run();
        out.success();
        let path = root.join(file);
        if std::env::var_os("HAT_UPDATE_COMPLETIONS").is_some() {
            std::fs::write(&path, &out.stdout).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is stale: run HAT_UPDATE_COMPLETIONS=1 cargo test --test cli completions"
        );
    }
}
