//! `hat migrate aws-vault` (issue 15): the keys in aws-vault's file backend, built here
//! by a standard JOSE library (jwcrypto) from keyring's format, land in hat's key
//! store; aws-vault's credential_process lines point at hat with every other byte
//! kept; `--dry-run` writes nothing; a wrong passphrase imports nothing; a second run
//! changes nothing; no secret reaches stdout, stderr or a plain file.

use crate::support::{HAT, Run, Sandbox};

const WORK_ID: &str = "AKIAWORK000000000001";
const WORK_SECRET: &str = "workSecretKey/From+AwsVault0000000000001";
const PROD_ID: &str = "AKIAPROD000000000002";
const PROD_SECRET: &str = "prodSecretKey/From+AwsVault0000000000002";
const VAULT_PASS: &str = "vault pass phrase";
const HAT_PASS: &str = "hat pass phrase";

const CONFIG: &str = "[default]\r\nregion = eu-west-1\r\n\
[profile work]\n\
region = us-east-1\n\
credential_process = aws-vault export --format=json work\n\
\n\
[profile team/prod]\n\
credential_process=/usr/local/bin/aws-vault exec team/prod --json --no-session\n\
[profile other]\n\
credential_process = /bin/creds --profile x\n";

/// aws-vault's store: two long-term keys, a cached session and an SSO token (which
/// must not be imported), under `home/.awsvault/keys`.
fn vault_store(sandbox: &Sandbox) {
    let dir = sandbox.path("home/.awsvault/keys");
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/support/aws_vault_store.py"
    );
    let out = sandbox
        .peer("python3")
        .arg(script)
        .arg(&dir)
        .arg(VAULT_PASS)
        .arg(format!("work={WORK_ID}:{WORK_SECRET}"))
        .arg(format!("team/prod={PROD_ID}:{PROD_SECRET}"))
        .arg("sts.GetSessionToken,work,,1700000000=ASIASESSION000000001:sessionSecret")
        .arg("oidc:https://example.awsapps.com/start=x:y")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("team%2Fprod").is_file());
}

fn migrate(sandbox: &Sandbox, args: &[&str], vault_pass: &str) -> Run {
    let mut all = vec!["migrate", "aws-vault"];
    all.extend_from_slice(args);
    sandbox
        .hat(&all)
        .env("AWS_VAULT_FILE_PASSPHRASE", vault_pass)
        .env("HAT_KEYS_BACKEND", "file")
        .env("HAT_KEYS_PASSPHRASE", HAT_PASS)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
}

fn keys_from_hat(sandbox: &Sandbox, profile: &str) -> String {
    let out = sandbox
        .hat(&["credential-process", "--profile", profile])
        .env("HAT_KEYS_BACKEND", "file")
        .env("HAT_KEYS_PASSPHRASE", HAT_PASS)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .run();
    out.success();
    out.stdout.clone()
}

#[track_caller]
fn no_secret_in(text: &str) {
    for secret in [WORK_SECRET, PROD_SECRET, "sessionSecret", VAULT_PASS] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

#[test]
fn migrate_aws_vault_imports_the_file_backends_keys_and_points_its_lines_at_hat() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    vault_store(&sandbox);
    let config = sandbox.path("home/.aws/config");
    let hat_store = sandbox.path("home/.local/state/hat/keys.enc");

    let dry = migrate(&sandbox, &["--dry-run"], VAULT_PASS).run();
    dry.success()
        .stderr_has("would import the keys of 2 profiles from aws-vault into hat's key store: team/prod, work")
        .stderr_has("would point 2 profiles' credential_process at hat: work, team/prod")
        .stderr_has("dropped aws-vault's `--no-session`");
    assert!(
        dry.stdout.contains(
            "-credential_process = aws-vault export --format=json work\n+credential_process = "
        ),
        "{}",
        dry.stdout
    );
    no_secret_in(&dry.stdout);
    no_secret_in(&dry.stderr);
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        CONFIG,
        "--dry-run wrote"
    );
    assert!(!hat_store.exists(), "--dry-run stored keys");

    let run = migrate(&sandbox, &[], VAULT_PASS).run();
    run.success()
        .stderr_has(
            "imported the keys of 2 profiles from aws-vault into hat's key store: team/prod, work",
        )
        .stderr_has("aws-vault's own encrypted copies are untouched")
        .stderr_has("`aws-vault remove team/prod`, `aws-vault remove work`")
        .stderr_lacks("sts.GetSessionToken")
        .stderr_lacks("oidc:");
    no_secret_in(&run.stdout);
    no_secret_in(&run.stderr);
    let want = CONFIG
        .replace(
            "= aws-vault export --format=json work\n",
            &format!("= {HAT} credential-process --profile work\n"),
        )
        .replace(
            "=/usr/local/bin/aws-vault exec team/prod --json --no-session\n",
            &format!("={HAT} credential-process --profile team/prod\n"),
        );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), want);

    let work = keys_from_hat(&sandbox, "work");
    assert!(
        work.contains(WORK_ID) && work.contains(WORK_SECRET),
        "{work}"
    );
    let prod = keys_from_hat(&sandbox, "team/prod");
    assert!(
        prod.contains(PROD_ID) && prod.contains(PROD_SECRET),
        "{prod}"
    );
    // hat's store is encrypted: no plain copy of a secret anywhere under HOME but
    // aws-vault's own (encrypted) files.
    for secret in [WORK_SECRET, PROD_SECRET] {
        let found = crate::keys::files_containing(&sandbox.home(), secret);
        assert!(found.is_empty(), "{secret} in plain text in {found:?}");
    }

    let again = migrate(&sandbox, &[], VAULT_PASS).run();
    again
        .success()
        .stderr_has("profile `work`: its keys are already in hat's store")
        .stderr_has("nothing to change")
        .stderr_lacks("imported the keys");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), want);
}

#[test]
fn a_wrong_aws_vault_passphrase_is_one_clear_error_and_imports_nothing() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    vault_store(&sandbox);
    let out = migrate(&sandbox, &[], "not the passphrase").run();
    out.failure()
        .stderr_has("wrong passphrase")
        .stderr_has("nothing was imported")
        .stderr_has("AWS_VAULT_FILE_PASSPHRASE");
    no_secret_in(&out.stderr);
    assert!(!out.stderr.contains("not the passphrase"));
    assert!(!sandbox.path("home/.local/state/hat/keys.enc").exists());
    assert_eq!(
        std::fs::read_to_string(sandbox.path("home/.aws/config")).unwrap(),
        CONFIG
    );
}

#[test]
fn without_a_passphrase_or_terminal_it_says_where_to_give_it() {
    let sandbox = Sandbox::new();
    vault_store(&sandbox);
    sandbox
        .hat(&["migrate", "aws-vault"])
        .env("HAT_KEYS_BACKEND", "file")
        .env("HAT_KEYS_PASSPHRASE", HAT_PASS)
        .run()
        .failure()
        .stderr_has("set AWS_VAULT_FILE_PASSPHRASE");
}

#[test]
fn aws_vault_file_dir_moves_the_store() {
    let sandbox = Sandbox::new();
    vault_store(&sandbox);
    let moved = sandbox.path("elsewhere");
    std::fs::rename(sandbox.path("home/.awsvault/keys"), &moved).unwrap();
    migrate(&sandbox, &["--dry-run"], VAULT_PASS)
        .env("AWS_VAULT_FILE_DIR", moved.to_str().unwrap())
        .run()
        .success()
        .stderr_has("would import the keys of 2 profiles");
    migrate(&sandbox, &["--dry-run"], VAULT_PASS)
        .run()
        .success()
        .stderr_has("no aws-vault file backend at");
}

// aws-vault's everyday `exec` flags (cli/exec.go), as hat exec takes them.

#[test]
fn exec_json_prints_the_credential_process_answer_as_aws_vault_exec_json_does() {
    let sandbox = Sandbox::new();
    sandbox.config(crate::support::CHAIN_CONFIG);
    let out = sandbox
        .hat(&["exec", "a", "--json", "--duration", "1h"])
        .sts(crate::support::moto::url())
        .run();
    out.success();
    let answer: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(answer["Version"], 1, "{}", out.stdout);
    assert!(
        answer["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{answer}"
    );
    assert!(
        answer["SessionToken"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(
        answer["Expiration"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    // -j, aws-vault's short spelling, gives the same (now cached) credentials.
    let again = sandbox
        .hat(&["exec", "a", "-j", "-d", "1h", "-v"])
        .sts(crate::support::moto::url())
        .run();
    again.success();
    let cached: serde_json::Value = serde_json::from_str(again.stdout.trim()).unwrap();
    again.stderr_has("profile a: cached credentials");
    assert_eq!(cached["AccessKeyId"], answer["AccessKeyId"]);

    sandbox
        .hat(&["exec", "a", "--json", "--", "env"])
        .run()
        .failure()
        .stderr_has("--json prints the credentials and runs no command");
}

#[test]
fn exec_ecs_server_and_s_are_hats_server_and_ec2_server_says_why_not() {
    let sandbox = Sandbox::new();
    sandbox.config(crate::support::CHAIN_CONFIG);
    for flag in ["-s", "--ecs-server", "--server"] {
        let out = sandbox
            .hat(&[
                "exec",
                "base",
                flag,
                "--",
                "sh",
                "-c",
                "echo \"$AWS_CONTAINER_CREDENTIALS_FULL_URI|${AWS_ACCESS_KEY_ID:-none}\"",
            ])
            .run();
        out.success();
        assert!(
            out.stdout.starts_with("http://127.0.0.1:") && out.stdout.trim_end().ends_with("|none"),
            "{flag}: {}",
            out.stdout
        );
    }
    sandbox
        .hat(&["exec", "base", "--ec2-server", "--", "true"])
        .run()
        .failure()
        .stderr_has("hat does not emulate the EC2 metadata service")
        .stderr_has("hat exec base --server -- COMMAND");
    sandbox
        .hat(&["exec", "base", "--ec2-server"])
        .run()
        .failure()
        .stderr_has("does not emulate the EC2 metadata service");
}

#[test]
fn exec_region_takes_aws_vaults_spelling() {
    let sandbox = Sandbox::new();
    sandbox.config(crate::support::CHAIN_CONFIG);
    sandbox
        .hat(&[
            "exec",
            "base",
            "--region",
            "eu-west-2",
            "--",
            "sh",
            "-c",
            "echo $AWS_REGION",
        ])
        .run()
        .success()
        .stdout_has("eu-west-2");
}
