//! `hat exec`: the command gets the profile's variables (or, with --server, a local
//! container-credentials endpoint that botocore reads and that refreshes), and its exit
//! status and signals come back as a shell would report them.

use crate::support::{CALLER_ARN, CHAIN_CONFIG, HAT, Sandbox, moto};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[test]
fn exit_statuses_pass_through_with_and_without_the_server() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for code in [0, 1, 7] {
        let script = format!("exit {code}");
        sandbox
            .hat(&["exec", "base", "--", "sh", "-c", &script])
            .run()
            .code(code);
        sandbox
            .hat(&["exec", "base", "--server", "--", "sh", "-c", &script])
            .run()
            .code(code);
    }
}

#[test]
fn a_command_killed_by_sigint_reports_130_as_in_a_shell() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    // Without --server hat has become the command: the shell that started it sees the
    // signal itself.
    let out = sandbox
        .peer("bash")
        .args([
            "-c",
            r#""$0" exec base -- sh -c 'kill -INT $$'; echo "status=$?""#,
            HAT,
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "status=130");
}

#[test]
fn the_server_passes_sigint_and_sigterm_on_and_exits_128_plus_the_signal() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let mut child = sandbox
            .hat(&[
                "exec",
                "base",
                "--server",
                "--",
                "sh",
                "-c",
                "echo ready; exec sleep 60",
            ])
            .command()
            .spawn()
            .unwrap();
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready, "ready\n");
        let pid = i32::try_from(child.id()).unwrap();
        #[allow(unsafe_code)]
        // SAFETY: kill only sends a signal to the hat process this test started.
        unsafe {
            libc::kill(pid, signal);
        }
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "after signal {signal}");
    }
}

#[test]
fn the_command_gets_the_profiles_variables_and_nothing_stale() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let out = sandbox
        .hat(&["exec", "c", "--", "env"])
        .sts(moto::url())
        .env("AWS_SESSION_TOKEN", "stale-token-from-before")
        .env("AWS_ROLE_ARN", "arn:aws:iam::1:role/stale")
        .run();
    out.success();
    let vars: HashMap<&str, &str> = out
        .stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .collect();
    let get = |name: &str| vars.get(name).map(|v| v.to_string());
    assert_eq!(get("AWS_PROFILE").as_deref(), Some("c"));
    assert_eq!(get("HAT_EXEC_PROFILE").as_deref(), Some("c"));
    assert_eq!(get("AWS_REGION").as_deref(), Some("us-west-2"));
    assert!(get("AWS_ACCESS_KEY_ID").is_some_and(|k| k.starts_with("ASIA")));
    assert!(get("AWS_CREDENTIAL_EXPIRATION").is_some());
    assert_ne!(
        get("AWS_SESSION_TOKEN").as_deref(),
        Some("stale-token-from-before")
    );
    assert_eq!(get("AWS_ROLE_ARN"), None);
}

#[test]
fn the_aws_cli_under_exec_is_the_assumed_role() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for server in [false, true] {
        let mut args = vec!["exec", "c"];
        if server {
            args.push("--server");
        }
        args.extend(["--", "aws"]);
        args.extend(CALLER_ARN);
        let out = sandbox.hat(&args).sts(moto::url()).run();
        out.success();
        assert_eq!(
            out.stdout.trim(),
            "arn:aws:sts::333333333333:assumed-role/c/hat-tester",
            "server: {server}"
        );
    }
}

#[test]
fn a_missing_command_exits_127_and_one_that_cannot_run_126() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let script = sandbox.write("not-executable.sh", "echo hi\n");
    let script = script.to_str().unwrap();
    for server in [&[][..], &["--server"]] {
        let with = |command: &str| {
            let mut args = vec!["exec", "base"];
            args.extend_from_slice(server);
            args.extend(["--", command]);
            sandbox.hat(&args).run()
        };
        with("hat-no-such-command")
            .code(127)
            .stderr_has("hat-no-such-command: command not found");
        with(script).code(126).stderr_has("could not run it");
    }
}

#[test]
fn a_profile_that_cannot_be_resolved_runs_nothing() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let marker = sandbox.path("ran");
    let script = format!("touch {}", marker.display());
    sandbox
        .hat(&["exec", "cc", "--", "sh", "-c", &script])
        .run()
        .failure()
        .stderr_has("no profile named `cc`")
        .stderr_has("Did you mean `c`?");
    assert!(!marker.exists());
}

#[test]
fn nesting_another_profile_needs_force() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let inner = |force: &str| format!("\"$0\" exec {force} a -- sh -c 'echo $HAT_EXEC_PROFILE'");
    sandbox
        .hat(&["exec", "base", "--", "sh", "-c", &inner(""), HAT])
        .sts(moto::url())
        .run()
        .failure()
        .stderr_has("already inside `hat exec base`")
        .stderr_has("--force");
    let forced = sandbox
        .hat(&["exec", "base", "--", "sh", "-c", &inner("--force"), HAT])
        .sts(moto::url())
        .run();
    forced.success();
    assert_eq!(forced.stdout.trim(), "a");
    // The same profile again is harmless.
    sandbox
        .hat(&[
            "exec",
            "base",
            "--",
            "sh",
            "-c",
            "\"$0\" exec base -- true",
            HAT,
        ])
        .run()
        .success();
}

const BOTOCORE_CONTAINER: &str = r#"
import os, sys, urllib.request, urllib.error
import botocore.session
session = botocore.session.get_session()
creds = session.get_credentials()
print(creds.method)
sts = session.create_client("sts", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
print(sts.get_caller_identity()["Arn"])
print("keys in env:", "AWS_ACCESS_KEY_ID" in os.environ or "AWS_SECRET_ACCESS_KEY" in os.environ)
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
for headers in ({}, {"Authorization": "wrong"}, {"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] + "x"}):
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5)
        print(200)
    except urllib.error.HTTPError as e:
        print(e.code)
"#;

#[test]
fn botocore_reads_the_server_and_a_wrong_token_gets_401() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let script = sandbox.write("container.py", BOTOCORE_CONTAINER);
    let out = sandbox
        .hat(&[
            "exec",
            "c",
            "--server",
            "--",
            "python3",
            script.to_str().unwrap(),
        ])
        .sts(moto::url())
        .run();
    out.success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "container-role",
            "arn:aws:sts::333333333333:assumed-role/c/hat-tester",
            "keys in env: False",
            "401",
            "401",
            "401"
        ],
        "{}",
        out.stderr
    );
}

/// A credential_process that hands out credentials living 6 seconds, numbered by a
/// counter file, so a test can watch them expire and be replaced.
const SHORT_LIVED: &str = r#"#!/bin/sh
n=$(cat "$0.count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$0.count"
exp=$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "ASIASHORT%011d", "SecretAccessKey": "s%d", "SessionToken": "t%d", "Expiration": "%s"}\n' "$n" "$n" "$n" "$exp"
"#;

const BOTOCORE_REFRESH: &str = r#"
import os, time
import botocore.session
session = botocore.session.get_session()
creds = session.get_credentials()
first = creds.get_frozen_credentials()
sts = session.create_client("sts", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
sts.get_caller_identity()
time.sleep(8)
second = creds.get_frozen_credentials()
sts.get_caller_identity()
print(first.access_key, second.access_key)
"#;

#[test]
fn the_server_refreshes_credentials_that_expire_while_the_command_runs() {
    let sandbox = Sandbox::new();
    let generator = sandbox.write("short-lived.sh", SHORT_LIVED);
    sandbox.config(&format!(
        "[profile short]\ncredential_process = sh {}\n",
        generator.display()
    ));
    let script = sandbox.write("refresh.py", BOTOCORE_REFRESH);
    let out = sandbox
        .hat(&[
            "exec",
            "short",
            "--server",
            "--",
            "python3",
            script.to_str().unwrap(),
        ])
        .sts(moto::url())
        .run();
    out.success();
    let keys: Vec<&str> = out.stdout.split_whitespace().collect();
    assert_eq!(keys.len(), 2, "{}", out.stdout);
    assert!(keys.iter().all(|k| k.starts_with("ASIASHORT")), "{keys:?}");
    assert_ne!(
        keys[0], keys[1],
        "the expired credentials were served again"
    );
    let runs: u32 = std::fs::read_to_string(sandbox.path("short-lived.sh.count"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(runs >= 2, "the credential_process ran {runs} time(s)");
}

#[test]
fn the_server_lives_exactly_as_long_as_the_command() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let out = sandbox
        .hat(&[
            "exec",
            "base",
            "--server",
            "--",
            "sh",
            "-c",
            "echo $AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ])
        .run();
    out.success();
    let url = out.stdout.trim();
    let address = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    assert!(address.starts_with("127.0.0.1:"), "{url}");
    assert!(
        std::net::TcpStream::connect(address).is_err(),
        "the server outlived the command"
    );
}

#[test]
fn the_server_child_keeps_its_stdin_and_stdout() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let mut child = sandbox
        .hat(&[
            "exec",
            "base",
            "--server",
            "--",
            "sh",
            "-c",
            "read x; echo got $x",
        ])
        .command()
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got hello\n");
}
