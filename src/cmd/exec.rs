//! `hat exec PROFILE -- COMMAND`: run a command with a profile's credentials. Without
//! `--server` hat puts the same variables as `assume` into the command's environment
//! and replaces itself with it (Unix `exec`), so status and signals are the command's
//! own. With `--server` it keeps running beside the command, serving and refreshing
//! the credentials from [`crate::server`], passes signals on and exits with the
//! command's status.
//!
//! aws-vault's `exec` flags mean the same here where hat has the thing they ask for
//! (`-d`, `-n/--no-session`, `--region`, `-t/--mfa-token`, `-j/--json`,
//! `-s/--server`/`--ecs-server`, no command: `$SHELL`); `--ec2-server`, `--lazy` and
//! `--stdout` are refused with the reason, up front.

use crate::cli::ExecArgs;
use crate::config::ConfigSet;
use crate::creds::Credentials;
use crate::emit::{Exports, MANAGED};
use crate::env::Env;
use crate::exit::Exit;
use crate::server::{Endpoint, Fetch, Server};
use crate::{log, session};
use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::process::Command;
use std::sync::Arc;

/// Set in the command's environment: a nested `hat exec` of another profile refuses.
pub const MARK: &str = "HAT_EXEC_PROFILE";

/// Variables that would make an SDK in the child prefer something other than what hat
/// gives it (a web identity, another container endpoint, a profile).
const SHADOWING: &[&str] = &[
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// Ends with the command's status ([`Exit::status`]): nothing goes to stdout but
/// `--json`'s answer.
pub fn run(args: &ExecArgs, env: &Env) -> Result<String> {
    log::set_verbose(args.verbose);
    if let Some(outer) = env.get(MARK)
        && outer != args.profile
        && !args.force
    {
        bail!(
            "this shell is already inside `hat exec {outer}`; running `{}` in it would mix two profiles' credentials. Leave it first, or pass --force",
            args.profile
        );
    }
    refuse_what_hat_has_not(args)?;
    if args.json && !args.command.is_empty() {
        bail!(
            "--json prints the credentials and runs no command; drop the command, or drop --json"
        );
    }
    let config = crate::config::load(env)?;
    let mut options = args.fetch.options(args.region.as_ref(), Some(&args.tags))?;
    options.mfa_token = args.mfa_token.clone();
    options.no_session = args.no_session;
    let session = session::open(&config, env, &args.profile, &options)?;
    if args.json {
        // aws-vault's `exec --json`: the credential_process answer, on stdout.
        return Ok(format!("{}\n", session.credentials.to_process_json()?));
    }
    // No command: a shell, as `aws-vault exec PROFILE` starts one.
    let shell;
    let (program, rest) = match args.command.split_first() {
        Some(split) => split,
        None => {
            shell = vec![OsString::from(
                env.get("SHELL")
                    .filter(|s| !s.is_empty())
                    .unwrap_or("/bin/sh"),
            )];
            log::info(&format!(
                "starting {} with profile `{}`'s credentials; `exit` leaves it",
                shell[0].to_string_lossy(),
                args.profile
            ));
            (&shell[0], &shell[1..])
        }
    };

    if !args.server {
        let exports = Exports::role(
            &args.profile,
            session.region.as_deref(),
            &session.credentials,
        );
        let mut command = Command::new(program);
        command.args(rest).env(MARK, &args.profile);
        for name in SHADOWING {
            command.env_remove(name);
        }
        apply(&mut command, &exports);
        return Err(replace_with(command, program));
    }

    if crate::resolve::resolve(&config, "default").is_ok() && args.profile != "default" {
        log::warn(
            "profile `default` has credentials of its own, and SDKs that read ~/.aws prefer them to the server's; set AWS_PROFILE in the command, or move them to a named profile",
        );
    }
    let mut exports = Exports::cleared();
    exports.set("HAT_PROFILE", &args.profile);
    if let Some(region) = &session.region {
        exports
            .set("AWS_REGION", region)
            .set("AWS_DEFAULT_REGION", region);
    }
    // Refreshes start from the files as they are then, with the cache first.
    let fetch: Arc<Fetch> = {
        let (env, profile) = (env.clone(), args.profile.clone());
        // A code is accepted once: refreshes get theirs from the cache, `mfa_process`
        // or the `[mfa]` prompt, never from `--mfa-token` again.
        let options = session::SessionOptions {
            no_cache: false,
            mfa_token: None,
            ..options
        };
        Arc::new(move || {
            let config = ConfigSet::load(&env)?;
            Ok(session::open(&config, &env, &profile, &options)?.credentials)
        })
    };
    serve_and_wait(args, &exports, fetch, session.credentials, program, rest)
}

/// aws-vault's exec flags for things hat does not have, each refused with its reason
/// before anything is fetched.
fn refuse_what_hat_has_not(args: &ExecArgs) -> Result<()> {
    if args.ec2_server {
        bail!(
            "hat does not emulate the EC2 metadata service (it would have to own 169.254.169.254, which needs root and a route); use `hat exec {} --server -- COMMAND`, the container-credentials endpoint every SDK reads",
            args.profile
        );
    }
    if args.no_session && args.server {
        bail!(
            "--no-session and --server do not go together (as in aws-vault): the server hands out sessions and refreshes them before they expire, and the container endpoint's answer is a session with a token. Drop --server to give the command the long-term keys, or drop --no-session"
        );
    }
    if args.lazy {
        bail!(
            "--lazy is not taken: hat fetches the first credentials before the command starts, so an MFA prompt has the terminal, and --server refreshes them by itself later; drop --lazy"
        );
    }
    if args.stdout {
        bail!(
            "--stdout is not taken: hat exec does not sign in to IAM Identity Center. Sign in first with `hat sso login --use-device-code`, which prints the link and a code instead of opening a browser, then run this again"
        );
    }
    Ok(())
}

/// Sets what `exports` sets and removes what it clears.
fn apply(command: &mut Command, exports: &Exports) {
    for name in MANAGED {
        match exports.get(name) {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
}

/// Replaces hat with the command. Returns only when that fails: 127 when the command
/// is not found and 126 when it cannot be run, as a shell does.
fn replace_with(mut command: Command, program: &OsString) -> anyhow::Error {
    use std::os::unix::process::CommandExt;
    let error = command.exec();
    not_started(program, &error).into()
}

fn not_started(program: &OsString, error: &std::io::Error) -> Exit {
    let name = program.to_string_lossy();
    if error.kind() == std::io::ErrorKind::NotFound {
        eprintln!("hat: {name}: command not found");
        Exit::NOT_FOUND
    } else {
        eprintln!("hat: {name}: could not run it: {error}");
        Exit::NOT_RUNNABLE
    }
}

/// Runs the server and the command side by side until the command exits.
fn serve_and_wait(
    args: &ExecArgs,
    exports: &Exports,
    fetch: Arc<Fetch>,
    first: Credentials,
    program: &OsString,
    rest: &[OsString],
) -> Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (server, Endpoint { url, token }) = Server::bind(fetch, Some(first)).await?;
        tokio::spawn(server.serve());

        // Handlers first, so a signal that arrives while the command starts is not
        // lost (or fatal to hat).
        let forwarded = signals::listen()?;

        let mut command = tokio::process::Command::new(program);
        command.args(rest).env(MARK, &args.profile);
        for name in SHADOWING {
            command.env_remove(name);
        }
        apply(command.as_std_mut(), exports);
        command
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &url)
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", &token);
        crate::verbose!("credentials server at {url}");
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(error) => return Err(not_started(program, &error).into()),
        };
        if let Some(pid) = child.id() {
            signals::forward(forwarded, pid);
        }
        let status = child
            .wait()
            .await
            .context("could not wait for the command")?;
        Exit::status(exit_code(status))
    })
}

/// The command's status as a shell reports it: its code, or 128 + the signal.
fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        return code.clamp(0, 255) as u8;
    }
    match status.signal() {
        Some(signal) => (128 + signal).clamp(0, 255) as u8,
        None => 1,
    }
}

mod signals {
    use anyhow::Result;
    use rustix::process::{Pid, Signal};
    use tokio::signal::unix::{SignalKind, signal};

    /// Signals hat passes on to the command instead of dying of them.
    const FORWARDED: &[Signal] = &[
        Signal::INT,
        Signal::TERM,
        Signal::HUP,
        Signal::QUIT,
        Signal::USR1,
        Signal::USR2,
    ];

    pub struct Listening(Vec<(Signal, tokio::signal::unix::Signal)>);

    pub fn listen() -> Result<Listening> {
        let mut out = Vec::new();
        for sig in FORWARDED {
            out.push((*sig, signal(SignalKind::from_raw(sig.as_raw()))?));
        }
        Ok(Listening(out))
    }

    pub fn forward(listening: Listening, pid: u32) {
        let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
            return;
        };
        for (sig, mut stream) in listening.0 {
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    // Keys typed at the terminal (Ctrl-C, Ctrl-\) already reached the
                    // command, which shares hat's process group: sending them again
                    // would count twice (a second Ctrl-C means "force" to many tools).
                    if (sig == Signal::INT || sig == Signal::QUIT) && in_foreground() {
                        continue;
                    }
                    let _ = rustix::process::kill_process(pid, sig);
                }
            });
        }
    }

    /// Whether hat's process group owns the terminal, so the terminal's signals go to
    /// the whole group.
    fn in_foreground() -> bool {
        let Ok(tty) = std::fs::File::open("/dev/tty") else {
            return false;
        };
        rustix::termios::tcgetpgrp(&tty).is_ok_and(|group| group == rustix::process::getpgrp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn statuses_read_as_a_shell_reports_them() {
        // Raw wait statuses: code << 8 for an exit, the signal number for a kill.
        let code = |raw| exit_code(std::process::ExitStatus::from_raw(raw));
        assert_eq!(code(7 << 8), 7);
        assert_eq!(code(2), 130);
        assert_eq!(code(15), 143);
    }
}
