//! Real bash, zsh, fish and nushell, started with strict flags and no rc files, to
//! evaluate what hat prints exactly as a user's shell would.

use super::{HAT, Output, Run, Sandbox, require};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sh {
    Bash,
    Zsh,
    Fish,
    /// Nushell: its language is nothing like the others', so its tests are its own
    /// (`tests/cli/nushell.rs`) and it is not in [`ALL`].
    Nu,
}

/// The shells whose wrappers evaluate the code hat prints.
pub const ALL: [Sh; 3] = [Sh::Bash, Sh::Zsh, Sh::Fish];

impl Sh {
    pub fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
            Sh::Nu => "nu",
        }
    }

    /// The shell's executable. For nushell that is the official binary itself, also
    /// when `nu` on PATH is the npm package's node launcher (which would add a node
    /// process to every run and to what strace sees).
    #[track_caller]
    pub fn program(self) -> PathBuf {
        let found = require(self.name());
        if self != Sh::Nu {
            return found;
        }
        let real = found.canonicalize().unwrap_or(found.clone());
        let mut magic = [0u8; 2];
        let script = std::fs::File::open(&real)
            .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut magic))
            .is_ok_and(|()| &magic == b"#!");
        if !script {
            return real;
        }
        // <prefix>/node_modules/nushell/lib/index.js -> the platform package, nested
        // under nushell/node_modules or hoisted next to it.
        let package = real
            .parent()
            .and_then(Path::parent)
            .unwrap_or(Path::new("/"));
        let scopes = [
            package.join("node_modules/@nushell"),
            package.join("../@nushell"),
        ];
        scopes
            .iter()
            .filter_map(|scope| std::fs::read_dir(scope).ok())
            .flatten()
            .map(|entry| entry.unwrap().path().join("bin/nu"))
            .find(|nu| nu.is_file())
            .unwrap_or_else(|| {
                panic!(
                    "{} is a launcher script and the nushell binary it starts was not found",
                    real.display()
                )
            })
    }

    /// The line a user puts in their rc file (for nushell, at the end of config.nu: it
    /// saves the script where nushell sources it at startup).
    pub fn init_line(self) -> String {
        match self {
            Sh::Fish => format!("'{HAT}' init fish | source"),
            Sh::Nu => format!(
                "mkdir ($nu.data-dir | path join \"vendor/autoload\"); ^'{HAT}' init nu | save -f ($nu.data-dir | path join \"vendor/autoload/hat.nu\")"
            ),
            sh => format!("eval \"$('{HAT}' init {})\"", sh.name()),
        }
    }

    fn strict_flags(self) -> &'static [&'static str] {
        match self {
            Sh::Bash => &["--noprofile", "--norc", "-euo", "pipefail", "-c"],
            Sh::Zsh => &["--no-rcs", "-eu", "-c"],
            Sh::Fish => &["--no-config", "--private", "-c"],
            // nushell stops at the first error on its own.
            Sh::Nu => &["--no-config-file", "-c"],
        }
    }

    /// Runs `script` in this shell, in the sandbox, with strict flags.
    pub fn run(self, sandbox: &Sandbox, script: &str) -> Run {
        let program = self.program();
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

/// What awsume itself would put in AWSUME_EXPIRATION for `epoch` in the zone `tz`: its
/// own expression (`aws.py`: STS's UTC expiry `.astimezone(dateutil.tz.tzlocal())`,
/// then `app.py`'s `strftime('%Y-%m-%dT%H:%M:%S')`), run by the test venv's Python
/// (dateutil comes with botocore).
#[track_caller]
pub fn awsume_expiration(sandbox: &Sandbox, epoch: &str, tz: &str) -> String {
    super::ok(
        sandbox
            .peer("python3")
            .args([
                "-c",
                "import sys, datetime, dateutil.tz\n\
                 e = datetime.datetime.fromtimestamp(int(sys.argv[1]), dateutil.tz.tzutc())\n\
                 print(e.astimezone(dateutil.tz.tzlocal()).strftime('%Y-%m-%dT%H:%M:%S'))",
                epoch,
            ])
            .env("TZ", tz),
    )
    .trim()
    .to_string()
}
