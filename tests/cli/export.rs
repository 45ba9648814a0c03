//! `hat export`: every format parses, botocore reads the credentials-file profile,
//! and the files keep what was in them.

use crate::support::{CHAIN_CONFIG, Sandbox, moto, parse_posix_exports};

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The credentials `credential-process` gives for `c` (from the same cache).
fn reference(sandbox: &Sandbox) -> serde_json::Value {
    let out = sandbox
        .hat(&["credential-process", "--profile", "c"])
        .sts(moto::url())
        .run();
    out.success();
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn json_and_env_print_the_same_credentials_as_credential_process() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let expected = reference(&sandbox);

    let json = sandbox
        .hat(&["export", "c", "--format", "json"])
        .sts(moto::url())
        .run();
    json.success();
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value, expected);

    let env = sandbox
        .hat(&["export", "c", "--format", "env"])
        .sts(moto::url())
        .run();
    env.success();
    let vars = parse_posix_exports(&env.stdout);
    let get = |name: &str| vars.get(name).cloned().flatten();
    assert_eq!(
        get("AWS_ACCESS_KEY_ID"),
        expected["AccessKeyId"].as_str().map(String::from)
    );
    assert_eq!(
        get("AWS_SESSION_TOKEN"),
        expected["SessionToken"].as_str().map(String::from)
    );
    assert_eq!(get("AWS_REGION").as_deref(), Some("us-west-2"));
    // And a real shell evaluates it.
    let out = sandbox
        .peer("sh")
        .args([
            "-c",
            "eval \"$1\"; echo \"$AWS_PROFILE $AWS_ACCESS_KEY_ID\"",
            "sh",
            &env.stdout,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("c {}", expected["AccessKeyId"].as_str().unwrap())
    );
}

#[test]
fn dotenv_writes_dot_env_keeping_other_lines_and_sh_reads_it() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let expected = reference(&sandbox);
    let dotenv = sandbox.write(".env", "DATABASE_URL=postgres://x\nAWS_ACCESS_KEY_ID=OLD\n");
    sandbox
        .hat(&["export", "c", "--format", "dotenv"])
        .sts(moto::url())
        .run()
        .success()
        .stderr_has("wrote c credentials to .env");
    let text = std::fs::read_to_string(&dotenv).unwrap();
    assert!(
        text.starts_with("DATABASE_URL=postgres://x\nAWS_ACCESS_KEY_ID="),
        "{text}"
    );
    assert!(!text.contains("=OLD"), "{text}");
    assert_eq!(mode(&dotenv), 0o600);
    let out = sandbox
        .peer("sh")
        .args([
            "-c",
            "set -a; . ./.env; set +a; echo \"$DATABASE_URL $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN\"",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "postgres://x {} {} {}",
            expected["AccessKeyId"].as_str().unwrap(),
            expected["SecretAccessKey"].as_str().unwrap(),
            expected["SessionToken"].as_str().unwrap()
        )
    );

    let elsewhere = sandbox.path("sub/ci.env");
    sandbox
        .hat(&[
            "export",
            "c",
            "--format",
            "dotenv",
            "--output",
            elsewhere.to_str().unwrap(),
        ])
        .sts(moto::url())
        .run()
        .success();
    assert!(
        std::fs::read_to_string(&elsewhere)
            .unwrap()
            .contains("AWS_PROFILE=c\n")
    );
}

const BOTOCORE_PROFILE: &str = r#"
import os, sys
import botocore.session
session = botocore.session.Session(profile=sys.argv[1])
creds = session.get_credentials()
sts = session.create_client("sts", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
print(creds.method, sts.get_caller_identity()["Arn"])
"#;

#[test]
fn credentials_format_writes_a_profile_botocore_reads_and_keeps_every_other_byte() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let before = "# my keys\r\n[work]\r\naws_access_key_id = AKIAWORK\r\naws_secret_access_key = w\r\n\r\n; end\r\n";
    let path = sandbox.write("home/.aws/credentials", before);
    let expected = reference(&sandbox);
    sandbox
        .hat(&[
            "export",
            "c",
            "--format",
            "credentials",
            "--profile-name",
            "c-hat",
        ])
        .sts(moto::url())
        .run()
        .success()
        .stderr_has("wrote profile `c-hat`");
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.starts_with(before), "{after}");
    let added = &after[before.len()..];
    assert_eq!(
        added,
        format!(
            "\r\n[c-hat]\r\naws_access_key_id = {}\r\naws_secret_access_key = {}\r\naws_session_token = {}\r\nexpiration = {}\r\n",
            expected["AccessKeyId"].as_str().unwrap(),
            expected["SecretAccessKey"].as_str().unwrap(),
            expected["SessionToken"].as_str().unwrap(),
            expected["Expiration"].as_str().unwrap(),
        )
    );
    assert_eq!(mode(&path), 0o600);

    let script = sandbox.write("read.py", BOTOCORE_PROFILE);
    let out = sandbox
        .peer("python3")
        .args([script.to_str().unwrap(), "c-hat"])
        .env("AWS_ENDPOINT_URL_STS", moto::url())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "shared-credentials-file arn:aws:sts::333333333333:assumed-role/c/hat-tester",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A second export replaces the same section in place.
    sandbox
        .hat(&[
            "export",
            "c",
            "--format",
            "credentials",
            "--profile-name",
            "c-hat",
            "--no-cache",
        ])
        .sts(moto::url())
        .run()
        .success();
    let again = std::fs::read_to_string(&path).unwrap();
    assert!(again.starts_with(before));
    assert_eq!(again.matches("[c-hat]").count(), 1, "{again}");
    assert_ne!(again, after);
}

#[test]
fn credentials_format_never_overwrites_long_term_keys_or_a_role_profile() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let before = "[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = w\n";
    let path = sandbox.write("home/.aws/credentials", before);
    sandbox
        .hat(&[
            "export",
            "base",
            "--format",
            "credentials",
            "--profile-name",
            "work",
        ])
        .run()
        .failure()
        .stderr_has("profile `work` holds long-term keys")
        .stderr_has("--profile-name base-hat");
    sandbox
        .hat(&["export", "c", "--format", "credentials"])
        .sts(moto::url())
        .run()
        .failure()
        .stderr_has("profile `c` has role_arn");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}
