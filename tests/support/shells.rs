//! Real bash, zsh and fish, started with strict flags and no rc files, to evaluate
//! what hat prints exactly as a user's shell would.

use super::{HAT, Output, Run, Sandbox, require};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sh {
    Bash,
    Zsh,
    Fish,
}

pub const ALL: [Sh; 3] = [Sh::Bash, Sh::Zsh, Sh::Fish];

impl Sh {
    pub fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }

    /// The line a user puts in their rc file.
    pub fn init_line(self) -> String {
        match self {
            Sh::Fish => format!("'{HAT}' init fish | source"),
            sh => format!("eval \"$('{HAT}' init {})\"", sh.name()),
        }
    }

    fn strict_flags(self) -> &'static [&'static str] {
        match self {
            Sh::Bash => &["--noprofile", "--norc", "-euo", "pipefail", "-c"],
            Sh::Zsh => &["--no-rcs", "-eu", "-c"],
            Sh::Fish => &["--no-config", "--private", "-c"],
        }
    }

    /// Runs `script` in this shell, in the sandbox, with strict flags.
    pub fn run(self, sandbox: &Sandbox, script: &str) -> Run {
        let program = require(self.name());
        let mut run = sandbox.hat(&[]);
        run.program = program;
        run.args = self
            .strict_flags()
            .iter()
            .map(|s| s.to_string())
            .chain([script.to_string()])
            .collect();
        run
    }
}

/// Runs a script in every shell and returns each outcome.
pub fn each(
    sandbox: &Sandbox,
    script: impl Fn(Sh) -> String,
    setup: impl Fn(Run) -> Run,
) -> Vec<(Sh, Output)> {
    ALL.iter()
        .map(|sh| (*sh, setup(sh.run(sandbox, &script(*sh))).run()))
        .collect()
}
