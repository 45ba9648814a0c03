//! Where MFA codes come from, in this order: `--mfa-token` (used once); the profile's
//! `mfa_process` (aws-vault's key: a command that prints the code); the `[mfa] prompt`
//! setting: `terminal` (the default, a hidden prompt on /dev/tty), `ykman` (a YubiKey's
//! OATH code), `zenity` / `kdialog` / `osascript` (a desktop dialog, for when there is
//! no terminal), or `pass-through` (the setting's own `command`).
//!
//! Commands get the profile and the MFA device in the environment (`HAT_MFA_PROFILE`,
//! `HAT_MFA_SERIAL`), never a secret on their command line; their stderr reaches the
//! user; they must answer within the time limit; what they print must be a 6-digit code.
//! Every failure names the command. Settings are read only when a code is needed, never
//! on the cached path.

use crate::env::Env;
use crate::settings::{self, MfaSettings};
use anyhow::{Context as _, Result, anyhow, bail};
use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a command may take to print a code unless `[mfa] timeout` says otherwise:
/// long enough to find a YubiKey and touch it.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 60;

/// Hands out MFA codes for one run.
pub struct Codes<'a> {
    env: &'a Env,
    /// `--mfa-token`, until the first code is needed.
    token: Option<String>,
    /// The profile's `mfa_process`.
    process: Option<String>,
    /// `[mfa]`, read on the first code that needs it.
    settings: Option<MfaSettings>,
}

/// What a code is asked for: shown to the user and given to commands.
pub struct Need<'n> {
    pub serial: &'n str,
    pub profile: &'n str,
}

impl<'a> Codes<'a> {
    pub fn new(env: &'a Env, token: Option<String>, process: Option<String>) -> Codes<'a> {
        Codes {
            env,
            token,
            process,
            settings: None,
        }
    }

    /// A code for `serial`, which `profile` needs.
    pub fn code(&mut self, serial: &str, profile: &str) -> Result<String> {
        let need = Need { serial, profile };
        if let Some(code) = self.token.take() {
            return check(&code);
        }
        if let Some(command) = self.process.clone() {
            return self.run(&need, "mfa_process", shell(&command), &command);
        }
        let settings = self.settings()?.clone();
        let timeout = settings.timeout.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
        let prompt = settings.prompt.as_deref().unwrap_or("terminal");
        let question = format!("MFA code for {serial} (profile {profile})");
        match prompt {
            "terminal" => terminal(&need, &settings::path(self.env)),
            "ykman" => {
                let account = settings
                    .ykman_account
                    .as_deref()
                    .unwrap_or("{serial}")
                    .replace("{serial}", serial)
                    .replace("{profile}", profile);
                let mut cmd = Command::new("ykman");
                cmd.args(["oath", "accounts", "code", "--single", &account]);
                notify(&format!(
                    "hat: touch your YubiKey for the MFA code of profile {profile} (OATH account {account})"
                ));
                self.run_with(&need, "ykman", cmd, "ykman oath accounts code", timeout)
            }
            "zenity" => {
                let mut cmd = Command::new("zenity");
                cmd.args([
                    "--entry",
                    "--hide-text",
                    "--title",
                    "hat",
                    "--text",
                    &question,
                ]);
                self.run_with(&need, "zenity", cmd, "zenity", timeout)
            }
            "kdialog" => {
                let mut cmd = Command::new("kdialog");
                cmd.args(["--title", "hat", "--password", &question]);
                self.run_with(&need, "kdialog", cmd, "kdialog", timeout)
            }
            "osascript" => {
                let script = format!(
                    "text returned of (display dialog \"{}\" default answer \"\" with hidden answer with title \"hat\")",
                    question.replace('\\', "\\\\").replace('"', "\\\"")
                );
                let mut cmd = Command::new("osascript");
                cmd.args(["-e", &script]);
                self.run_with(&need, "osascript", cmd, "osascript", timeout)
            }
            "pass-through" => {
                let Some(command) = settings.command.clone() else {
                    bail!(
                        "[mfa] prompt = \"pass-through\" needs `command = \"...\"` in {}: the command that prints the code",
                        settings::path(self.env).display()
                    );
                };
                self.run_with(&need, "[mfa] command", shell(&command), &command, timeout)
            }
            other => bail!(
                "[mfa] prompt = \"{other}\" in {} is not one hat knows; use terminal, ykman, zenity, kdialog, osascript or pass-through",
                settings::path(self.env).display()
            ),
        }
    }

    fn settings(&mut self) -> Result<&MfaSettings> {
        if self.settings.is_none() {
            self.settings = Some(settings::load(self.env)?.mfa);
        }
        Ok(self.settings.as_ref().expect("just set"))
    }

    fn run(&mut self, need: &Need<'_>, what: &str, cmd: Command, shown: &str) -> Result<String> {
        let timeout = self.settings()?.timeout.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
        self.run_with(need, what, cmd, shown, timeout)
    }

    fn run_with(
        &self,
        need: &Need<'_>,
        what: &str,
        cmd: Command,
        shown: &str,
        timeout: u64,
    ) -> Result<String> {
        let output = run_command(cmd, need, Duration::from_secs(timeout)).map_err(|e| {
            anyhow!(
                "{what} `{shown}` gave no MFA code for profile `{}`: {e}",
                need.profile
            )
        })?;
        let first = output.lines().next().unwrap_or("");
        check(first).map_err(|_| {
            anyhow!(
                "{what} `{shown}` printed no 6-digit MFA code for profile `{}` (its first line has {} characters)",
                need.profile,
                first.trim().chars().count()
            )
        })
    }
}

/// `sh -c COMMAND`, as aws-vault runs `mfa_process` (the command is the user's own
/// configuration, not a secret).
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", command]);
    cmd
}

/// Runs `cmd` with the profile and device in its environment, stdin closed, stderr
/// passed through to the user, and stdout read; killed past `timeout`.
fn run_command(mut cmd: Command, need: &Need<'_>, timeout: Duration) -> Result<String> {
    cmd.env("HAT_MFA_PROFILE", need.profile)
        .env("HAT_MFA_SERIAL", need.serial)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    // Its own process group, so a time limit stops what it started too (a `sleep` under
    // `sh -c` would otherwise keep stderr open after the shell is gone).
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!("it is not installed (not found on PATH)"),
        _ => anyhow!("it could not start ({e})"),
    })?;
    let mut stdout = child.stdout.take().expect("piped");
    // Read on a thread so a command that fills the pipe cannot stall the time limit.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().context("could not wait for it")? {
            break status;
        }
        if started.elapsed() >= timeout {
            if let Some(group) = rustix::process::Pid::from_raw(child.id() as i32) {
                let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "it did not answer within {}s (the time limit is `timeout` under [mfa] in hat's settings)",
                timeout.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = reader.join().unwrap_or_default();
    if !status.success() {
        match status.code() {
            Some(code) => bail!("it exited with status {code}"),
            None => bail!("it was killed by a signal"),
        }
    }
    Ok(text)
}

/// The notice while a command waits for a touch: on the terminal when there is one,
/// else on stderr and as a desktop notification when `notify-send` is installed.
fn notify(message: &str) {
    if crate::tty::available() {
        crate::tty::tell(&format!("{message}\n"));
        return;
    }
    crate::log::info(message);
    let _ = Command::new("notify-send")
        .args(["hat", message])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|mut child| std::thread::spawn(move || child.wait()));
}

/// The hidden prompt on /dev/tty, three tries for a mistyped code. With no terminal,
/// the error names the settings that would work without one.
fn terminal(need: &Need<'_>, settings_file: &std::path::Path) -> Result<String> {
    if !crate::tty::available() {
        bail!(
            "profile `{}` needs an MFA code from {} and there is no terminal to ask on; pass it with --mfa-token CODE, set `mfa_process = COMMAND` in the profile, or set `prompt = \"ykman\"` (or zenity, kdialog, osascript, pass-through) under [mfa] in {}",
            need.profile,
            need.serial,
            settings_file.display()
        );
    }
    let mut tries = 0;
    loop {
        let answer = crate::tty::ask(&format!("MFA code for {}: ", need.serial)).map_err(|e| {
            anyhow!(
                "profile `{}` needs an MFA code from {}, but hat could not ask for one ({e}); pass it with --mfa-token CODE",
                need.profile,
                need.serial
            )
        })?;
        tries += 1;
        match check(&answer) {
            Ok(code) => return Ok(code),
            Err(e) if tries < 3 => crate::tty::tell(&format!("{e}\n")),
            Err(e) => return Err(e),
        }
    }
}

/// A code is six digits (surrounding white space dropped).
pub fn check(code: &str) -> Result<String> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        bail!(
            "an MFA code is 6 digits; got {} characters. Type the code your MFA device shows now",
            code.chars().count()
        );
    }
    Ok(code.to_string())
}
