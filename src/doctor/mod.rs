//! `hat doctor`'s checks: each looks at one part of the setup and answers findings, a
//! status and a message with, for every problem, the fix a person can apply (and, for
//! the few hat may apply itself with `--fix`, a [`Repair`]). Checks read; only
//! [`Repair::apply`] writes. No finding ever holds a secret: tokens and keys are
//! described by their state (valid, expired, refreshable), never quoted.

mod clock;
mod files;
mod setup;
mod shell;

use crate::env::Env;
use anyhow::{Context as _, Result};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Worth knowing, nothing wrong (an endpoint set by the environment).
    Note,
    /// Something that will bite later (an expired token that cannot refresh).
    Warn,
    /// Something that breaks hat now or exposes a secret.
    Fail,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Note => "note",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        }
    }
}

/// What `--fix` may do: nothing else is ever changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    Mode { path: PathBuf, mode: u32 },
    Remove(PathBuf),
}

impl Repair {
    pub fn apply(&self) -> Result<String> {
        use std::os::unix::fs::PermissionsExt;
        match self {
            Repair::Mode { path, mode } => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(*mode))
                    .with_context(|| format!("could not change the mode of {}", path.display()))?;
                Ok(format!("set {} to {mode:o}", path.display()))
            }
            Repair::Remove(path) => {
                match std::fs::remove_file(path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(e)
                            .with_context(|| format!("could not delete {}", path.display()));
                    }
                    _ => {}
                }
                Ok(format!("removed {}", path.display()))
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub status: Status,
    pub message: String,
    pub fix: Option<String>,
    #[serde(skip)]
    pub repair: Option<Repair>,
}

impl Finding {
    pub fn ok(check: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            check,
            status: Status::Ok,
            message: message.into(),
            fix: None,
            repair: None,
        }
    }

    pub fn note(check: &'static str, message: impl Into<String>, fix: Option<String>) -> Finding {
        Finding {
            status: Status::Note,
            fix,
            ..Finding::ok(check, message)
        }
    }

    pub fn warn(
        check: &'static str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            status: Status::Warn,
            fix: Some(fix.into()),
            ..Finding::ok(check, message)
        }
    }

    pub fn fail(
        check: &'static str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            status: Status::Fail,
            fix: Some(fix.into()),
            ..Finding::ok(check, message)
        }
    }

    fn repair(mut self, repair: Repair) -> Finding {
        self.repair = Some(repair);
        self
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Skip what needs the network (the clock against STS).
    pub offline: bool,
}

/// Every check, in the order a person would fix things.
pub fn run(env: &Env, options: Options) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(shell::check(env));
    let config = files::check_aws_files(env, &mut findings);
    findings.extend(files::check_modes(env));
    if options.offline {
        findings.push(Finding::note(
            "clock",
            "not compared with STS (--offline)",
            None,
        ));
    } else {
        findings.push(clock::check(env, config.as_ref()));
    }
    if let Some(config) = &config {
        findings.extend(setup::check_sso(env, config));
    }
    findings.push(setup::check_browser(env));
    findings.push(setup::check_keys(env));
    findings.extend(setup::check_endpoints(env));
    findings
}

/// Applies each finding's repair; a repaired finding becomes `ok` and says what was
/// done, one that could not be repaired keeps its status and says why.
pub fn repair(findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        let Some(repair) = finding.repair.take() else {
            continue;
        };
        match repair.apply() {
            Ok(done) => {
                finding.status = Status::Ok;
                finding.message = format!("fixed: {} ({done})", finding.message);
                finding.fix = None;
            }
            Err(e) => finding.fix = Some(format!("{:#}", e)),
        }
    }
}

/// `~/x` for paths under HOME, to keep lines short.
fn show(env: &Env, path: &std::path::Path) -> String {
    if let Some(home) = env.home()
        && let Ok(rest) = path.strip_prefix(&home)
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}
