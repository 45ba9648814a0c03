//! The AWS files (do they parse, and where not) and the private directories and files
//! (hat's cache and state, the AWS CLI's SSO cache, the shared credentials file): their
//! modes, and temporary files that a killed writer left behind.

use super::{Finding, Repair, show};
use crate::config::ConfigSet;
use crate::env::Env;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Parses both AWS files; the set, when it parses, for the checks that read it.
pub fn check_aws_files(env: &Env, findings: &mut Vec<Finding>) -> Option<ConfigSet> {
    const CHECK: &str = "aws-files";
    let config_path = env.config_file();
    let credentials_path = env.credentials_file();
    match ConfigSet::load(env) {
        Ok(set) => {
            let profiles = set.profile_names().count();
            let missing: Vec<String> = [&config_path, &credentials_path]
                .into_iter()
                .filter(|p| !p.exists())
                .map(|p| show(env, p))
                .collect();
            let mut message = format!(
                "{} and {} parse ({profiles} profile{})",
                show(env, &config_path),
                show(env, &credentials_path),
                if profiles == 1 { "" } else { "s" }
            );
            if !missing.is_empty() {
                message.push_str(&format!("; {} does not exist", missing.join(" and ")));
            }
            findings.push(Finding::ok(CHECK, message));
            for warning in &set.warnings {
                findings.push(Finding::warn(
                    CHECK,
                    warning.clone(),
                    "correct or remove that line: hat and the AWS SDKs skip it",
                ));
            }
            Some(set)
        }
        Err(e) => {
            findings.push(Finding::fail(
                CHECK,
                format!("{e:#}"),
                "correct that line; until then no profile of the file can be used",
            ));
            None
        }
    }
}

/// What a private path should be: directories 0700, files 0600 (or tighter).
fn too_open(mode: u32) -> bool {
    mode & 0o077 != 0
}

pub fn check_modes(env: &Env) -> Vec<Finding> {
    const CHECK: &str = "modes";
    let mut findings = Vec::new();
    let cache = env.cache_dir();
    let sso = env.sso_cache_dir();
    // Directories whose files are all private; the state directory's browser profiles
    // are the browsers' own, so only its files are looked at, not below.
    // (directory, whether hat made it): the AWS CLI makes its SSO directories with the
    // umask (0755) and its files 0600, so a loose directory there only shows names.
    let dirs: Vec<(PathBuf, bool)> = vec![
        (cache.clone(), true),
        (cache.join("credentials"), true),
        (
            sso.parent().map(Path::to_path_buf).unwrap_or_default(),
            false,
        ),
        (sso.clone(), false),
        (env.state_dir(), true),
    ];
    let mut looked = 0;
    for (dir, own) in &dirs {
        let Ok(meta) = std::fs::metadata(dir) else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        looked += 1;
        let mode = meta.permissions().mode() & 0o777;
        if too_open(mode) {
            let message = format!("{} is {mode:o}: other users can list it", show(env, dir));
            let fix = format!("chmod 700 {} (or hat doctor --fix)", show(env, dir));
            let finding = if *own {
                Finding::fail(CHECK, message, fix)
            } else {
                Finding::warn(CHECK, message, fix)
            };
            findings.push(finding.repair_mode(dir, 0o700));
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if is_temp(&name) {
                let age = meta
                    .modified()
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok());
                if age.is_some_and(|a| a > crate::fs::STALE_AFTER) {
                    findings.push(
                        Finding::warn(
                            CHECK,
                            format!(
                                "{} is a temporary file a killed writer left (it may hold credentials)",
                                show(env, &path)
                            ),
                            "delete it (or hat doctor --fix)",
                        )
                        .repair_remove(&path),
                    );
                }
                continue;
            }
            let mode = meta.permissions().mode() & 0o777;
            if too_open(mode) {
                findings.push(
                    Finding::fail(
                        CHECK,
                        format!("{} is {mode:o}: other users can read it", show(env, &path)),
                        format!("chmod 600 {} (or hat doctor --fix)", show(env, &path)),
                    )
                    .repair_mode(&path, 0o600),
                );
            }
        }
    }
    // The shared credentials file holds long-term keys; the AWS CLI writes it 0600.
    let credentials = env.credentials_file();
    if let Ok(meta) = std::fs::metadata(&credentials) {
        looked += 1;
        let mode = meta.permissions().mode() & 0o777;
        if too_open(mode) {
            findings.push(
                Finding::fail(
                    CHECK,
                    format!(
                        "{} is {mode:o}: other users can read its keys",
                        show(env, &credentials)
                    ),
                    format!(
                        "chmod 600 {} (or hat doctor --fix)",
                        show(env, &credentials)
                    ),
                )
                .repair_mode(&credentials, 0o600),
            );
        }
    }
    if findings.is_empty() {
        findings.push(Finding::ok(
            CHECK,
            if looked == 0 {
                "no cache or state directory yet".to_string()
            } else {
                "cache, state and credential files are private (0700 directories, 0600 files)"
                    .to_string()
            },
        ));
    }
    findings
}

/// A writer's temporary file: hat's own prefix, or the `.tmp` one earlier versions of
/// hat (and the `tempfile` crate's default) used.
fn is_temp(name: &str) -> bool {
    name.starts_with(crate::fs::TEMP_PREFIX) || name.starts_with(".tmp")
}

impl Finding {
    fn repair_mode(self, path: &Path, mode: u32) -> Finding {
        self.repair(Repair::Mode {
            path: path.to_path_buf(),
            mode,
        })
    }

    fn repair_remove(self, path: &Path) -> Finding {
        self.repair(Repair::Remove(path.to_path_buf()))
    }
}
