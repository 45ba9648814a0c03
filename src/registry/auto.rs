//! The daily sync on `assume`. The cost on every `assume` is one `stat` of a small
//! stamp file that exists only while registries are recorded: its modification time is
//! when the last sync started, and its contents, empty after a good sync, are the
//! reason the last background sync failed. When the stamp is a day old, `assume`
//! touches it (so parallel shells start one sync, not many) and starts
//! `hat registry sync --auto` in the background: its own process group, no terminal
//! input, stdout and stderr to a log file, never waited for. That sync never prompts.

use crate::env::Env;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// How often `assume` starts a sync.
pub const INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// The stamp file.
pub fn stamp(env: &Env) -> PathBuf {
    super::dir(env).join("last-sync")
}

/// The background sync's output.
pub fn log_file(env: &Env) -> PathBuf {
    super::dir(env).join("sync.log")
}

/// Records a sync that just started (and, with `failure`, why it did not finish).
pub fn mark(env: &Env, failure: Option<&str>) {
    let text = failure.map(|f| format!("{f}\n")).unwrap_or_default();
    if let Err(e) = crate::fs::write(&stamp(env), text) {
        crate::verbose!("could not record the registry sync: {e:#}");
    }
}

/// Forgets the stamp: no registries are left, so `assume` has nothing to sync.
pub fn forget(env: &Env) {
    let _ = std::fs::remove_file(stamp(env));
}

/// On `assume`: warns once about a failed background sync, and starts a sync when the
/// last one is a day old. Never fails and never waits.
pub fn on_assume(env: &Env) {
    let path = stamp(env);
    let Ok(meta) = std::fs::metadata(&path) else {
        return;
    };
    if meta.len() > 0 {
        if let Ok(reason) = std::fs::read_to_string(&path) {
            for line in reason.lines().filter(|l| !l.is_empty()) {
                crate::log::warn(&format!("the background registry sync failed: {line}"));
            }
        }
        // Said once: empty the stamp but keep its time, so the next sync stays a day away.
        let when = meta.modified().ok();
        if crate::fs::write(&path, "").is_ok()
            && let (Some(when), Ok(file)) = (when, std::fs::File::options().write(true).open(&path))
        {
            let _ = file.set_modified(when);
        }
    }
    let due = meta
        .modified()
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .is_none_or(|age| age >= INTERVAL);
    if due {
        mark(env, None);
        start(env);
    }
}

fn start(env: &Env) {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    use std::os::unix::fs::OpenOptionsExt;
    // git's messages may name a URL with a user in it: private, like every hat file.
    let log = std::fs::File::options()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(log_file(env));
    let (out, err) = match log.and_then(|l| Ok((l.try_clone()?, l))) {
        Ok((a, b)) => (Stdio::from(a), Stdio::from(b)),
        Err(_) => (Stdio::null(), Stdio::null()),
    };
    let spawned = Command::new(exe)
        .args(["registry", "sync", "--auto"])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        // Not in the shell's foreground group: Ctrl-C at the prompt does not stop it,
        // and it can never read the terminal.
        .process_group(0)
        .spawn();
    if let Err(e) = spawned {
        crate::verbose!("could not start the registry sync: {e}");
    }
}
