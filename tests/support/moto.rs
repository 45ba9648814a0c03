//! moto's server on 127.0.0.1, the real peer for STS (and IAM, for a caller that is
//! denied). One shared server per test binary; a second one, with IAM authorization
//! switched on, for AccessDenied. Servers die with the test process (PDEATHSIG), and
//! log to files, never to the test runner's pipes.

use super::{free_port, require, wait_for_port};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// URL of the shared moto server (no authorization: every call is allowed).
pub fn url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| start(&[], &[]))
}

/// URL of a moto server speaking HTTPS with `cert` and `key` (PEM files), for the CA
/// bundle tests: `https://127.0.0.1:PORT`.
pub fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> String {
    let args = [
        "-c".to_string(),
        cert.display().to_string(),
        "-k".to_string(),
        key.display().to_string(),
    ];
    start(&[], &args).replacen("http://", "https://", 1)
}

/// URL of a moto server that enforces IAM after `free_actions` unauthenticated calls.
pub fn start_with_auth(free_actions: u32) -> String {
    start(
        &[("INITIAL_NO_AUTH_ACTION_COUNT", free_actions.to_string())],
        &[],
    )
}

/// [`start_with_auth`], recording every request (headers and body, one JSON object a
/// line: moto's recorder) into `record`, so a test can see which key signed each call.
pub fn start_recording_with_auth(free_actions: u32, record: &std::path::Path) -> String {
    start(
        &[
            ("INITIAL_NO_AUTH_ACTION_COUNT", free_actions.to_string()),
            ("MOTO_ENABLE_RECORDING", "True".to_string()),
            ("MOTO_RECORDER_FILEPATH", record.display().to_string()),
        ],
        &[],
    )
}

/// `aws ARGS` in `sandbox` against the moto server at `url` (one that checks IAM, set
/// up through the calls it lets through unchecked), with keys moto takes for its
/// administrator; asserts success and returns the JSON printed (Null when none).
#[track_caller]
pub fn admin(sandbox: &super::Sandbox, url: &str, args: &[&str]) -> serde_json::Value {
    let out = super::ok(
        sandbox
            .peer("aws")
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "x")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", url),
    );
    serde_json::from_str(&out).unwrap_or_default()
}

/// What the real AWS CLI, given the credentials in `exports` (as `Output::exports`
/// reads them back), says it is to the shared moto server's STS: the caller's ARN.
#[track_caller]
pub fn caller_arn(
    sandbox: &super::Sandbox,
    exports: &std::collections::HashMap<String, Option<String>>,
) -> String {
    let mut cmd = sandbox.peer("aws");
    cmd.args(super::CALLER_ARN)
        .env("AWS_ENDPOINT_URL_STS", url())
        // A profile without a region exports none; the CLI needs one to sign.
        .env("AWS_DEFAULT_REGION", "us-east-1");
    for (k, v) in exports {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    super::ok(&mut cmd).trim().to_string()
}

/// What the real AWS CLI, as `profile` of the sandbox's config (its
/// credential_process, its role), says it is to the shared moto server's STS.
#[track_caller]
pub fn profile_arn(sandbox: &super::Sandbox, profile: &str) -> String {
    super::ok(
        sandbox
            .peer("aws")
            .args(super::CALLER_ARN)
            .args(["--profile", profile])
            .env("AWS_ENDPOINT_URL_STS", url())
            .env("AWS_DEFAULT_REGION", "us-east-1"),
    )
    .trim()
    .to_string()
}

#[allow(unsafe_code)]
fn start(env: &[(&str, String)], args: &[String]) -> String {
    let program = require("moto_server");
    let port = free_port();
    let log_dir = std::env::temp_dir().join("hat-test-moto");
    std::fs::create_dir_all(&log_dir).unwrap();
    let log = std::fs::File::create(log_dir.join(format!("moto-{port}.log"))).unwrap();
    let mut cmd = Command::new(program);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; it only marks the child to be killed when
        // the thread that spawned it (kept alive below for the whole run) goes away.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut child = cmd.spawn().expect("start moto_server");
        tx.send(()).unwrap();
        let _ = child.wait();
    });
    rx.recv().unwrap();
    wait_for_port(port, "moto_server");
    format!("http://127.0.0.1:{port}")
}
