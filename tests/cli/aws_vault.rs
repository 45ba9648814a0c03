//! `hat migrate aws-vault` (issue 15): the keys in aws-vault's file backend, built here
//! by a standard JOSE library (jwcrypto) from keyring's format, land in hat's key
//! store; aws-vault's credential_process lines point at hat with every other byte
//! kept; `--dry-run` writes nothing; a wrong passphrase imports nothing; a second run
//! changes nothing; no secret reaches stdout, stderr or a plain file.

use crate::support::fake_sts::{FakeSts, Reply, param};
use crate::support::keyring::Keyring;
use crate::support::{HAT, Run, Sandbox, ok};

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
    vault_store_with(
        sandbox,
        &[
            format!("work={WORK_ID}:{WORK_SECRET}"),
            format!("team/prod={PROD_ID}:{PROD_SECRET}"),
            "sts.GetSessionToken,work,,1700000000=ASIASESSION000000001:sessionSecret".into(),
            "oidc:https://example.awsapps.com/start=x:y".into(),
        ],
    );
    assert!(sandbox.path("home/.awsvault/keys/team%2Fprod").is_file());
}

/// aws-vault's file store with the given `KEY=ID:SECRET` items.
fn vault_store_with(sandbox: &Sandbox, items: &[String]) {
    ok(sandbox
        .peer("python3")
        .arg(fixture("aws_vault_store.py"))
        .arg(sandbox.path("home/.awsvault/keys"))
        .arg(VAULT_PASS)
        .args(items));
}

/// A Python fixture under tests/support.
fn fixture(script: &str) -> String {
    format!("{}/tests/support/{script}", env!("CARGO_MANIFEST_DIR"))
}

/// `run` with hat's keys in its file store under HAT_PASS, and no Secret Service.
fn file_keys(run: Run) -> Run {
    run.env("HAT_KEYS_BACKEND", "file")
        .env("HAT_KEYS_PASSPHRASE", HAT_PASS)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
}

fn migrate(sandbox: &Sandbox, args: &[&str], vault_pass: &str) -> Run {
    let mut all = vec!["migrate", "aws-vault"];
    all.extend_from_slice(args);
    file_keys(
        sandbox
            .hat(&all)
            .env("AWS_VAULT_FILE_PASSPHRASE", vault_pass),
    )
}

fn keys_from_hat(sandbox: &Sandbox, profile: &str) -> String {
    let out = file_keys(sandbox.hat(&["credential-process", "--profile", profile])).run();
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
    // aws-vault's --file-dir, here too.
    migrate(
        &sandbox,
        &["--dry-run", "--file-dir", moved.to_str().unwrap()],
        VAULT_PASS,
    )
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
    // -j, aws-vault's short spelling, gives the same (now cached) credentials, and
    // aws-vault's --debug is -v.
    let again = sandbox
        .hat(&["exec", "a", "-j", "-d", "1h", "--debug"])
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

// aws-vault's Secret Service backend (keyring's `secret-service`, go-libsecret), in a
// real gnome-keyring on a private bus, written as aws-vault writes it.

const CI_ID: &str = "AKIACI00000000000003";
const CI_SECRET: &str = "ciSecretKey/From+TheSecretService000003";

/// aws-vault's usual config: `work` has no credentials of its own (aws-vault finds its
/// keys by name), `prod` is a role on it, `ci` runs aws-vault as credential_process.
const SS_CONFIG: &str = "[profile work]\nregion = us-east-1\n\n\
[profile prod]\nrole_arn = arn:aws:iam::111111111111:role/prod\nsource_profile = work\n\n\
[profile ci]\ncredential_process = aws-vault export --format=json ci\n";

fn ss_store(sandbox: &Sandbox, keyring: &Keyring, collection: &str) {
    ok(sandbox
        .peer("python3")
        .envs(keyring.env())
        .arg(fixture("aws_vault_secret_service.py"))
        .arg(collection)
        .arg(format!("work={WORK_ID}:{WORK_SECRET}"))
        .arg(format!("ci={CI_ID}:{CI_SECRET}"))
        .arg("sts.GetSessionToken,d29yaw,,1700000000=ASIASESSION000000001:sessionSecret")
        .arg("oidc:https://example.awsapps.com/start=x:y"));
}

fn ss_migrate(sandbox: &Sandbox, keyring: &Keyring, args: &[&str]) -> Run {
    let mut all = vec!["migrate", "aws-vault"];
    all.extend_from_slice(args);
    keyring.apply(sandbox.hat(&all).env("HAT_KEYS_BACKEND", "keychain"))
}

/// The labels of the items whose `profile` attribute is `profile` (aws-vault's items).
fn vault_items(keyring: &Keyring, profile: &str) -> String {
    keyring
        .secret_tool(&["search", "--all", "profile", profile], None)
        .1
}

#[test]
fn migrate_aws_vault_imports_the_secret_service_collection_aws_vault_wrote() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    sandbox.config(SS_CONFIG);
    ss_store(&sandbox, &keyring, "awsvault");
    let config = sandbox.path("home/.aws/config");

    let dry = ss_migrate(&sandbox, &keyring, &["--dry-run"]).run();
    dry.success()
        .stderr_has("would import the keys of 2 profiles from aws-vault into hat's key store: ci, work")
        .stderr_has("left 1 cached sessions and 1 SSO tokens in aws-vault's Secret Service collection `awsvault`")
        .stderr_has("no aws-vault file backend at");
    assert!(
        dry.stdout.contains(&format!(
            "region = us-east-1\n+credential_process = {HAT} credential-process --profile work\n"
        )),
        "{}",
        dry.stdout
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), SS_CONFIG);
    assert!(
        !keyring
            .secret_tool(&["lookup", "service", "hat", "username", "work"], None)
            .0,
        "--dry-run stored keys"
    );

    let run = ss_migrate(&sandbox, &keyring, &[]).run();
    run.success()
        .stderr_has("imported the keys of 2 profiles from aws-vault into hat's key store: ci, work")
        .stderr_has("once hat works for you, remove them with `aws-vault remove ci`, `aws-vault remove work`");
    no_secret_in(&run.stdout);
    no_secret_in(&run.stderr);
    assert!(!run.stderr.contains(CI_SECRET));
    // `work` gets hat's line (it had no credentials but aws-vault's), `ci`'s line is
    // rewritten, the role stays as it was.
    let want = SS_CONFIG
        .replace(
            "region = us-east-1\n",
            &format!(
                "region = us-east-1\ncredential_process = {HAT} credential-process --profile work\n"
            ),
        )
        .replace(
            "= aws-vault export --format=json ci\n",
            &format!("= {HAT} credential-process --profile ci\n"),
        );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), want);

    // In hat's keychain item, where `secret-tool` reads it, and through hat.
    let (ok, stored) = keyring.secret_tool(&["lookup", "service", "hat", "username", "work"], None);
    assert!(
        ok && stored.contains(WORK_ID) && stored.contains(WORK_SECRET),
        "{stored}"
    );
    let ci = keyring
        .apply(sandbox.hat(&["credential-process", "--profile", "ci"]))
        .run();
    ci.success();
    assert!(
        ci.stdout.contains(CI_ID) && ci.stdout.contains(CI_SECRET),
        "{}",
        ci.stdout
    );
    // Nothing in plain text under HOME.
    for secret in [WORK_SECRET, CI_SECRET] {
        let found = crate::keys::files_containing(&sandbox.home(), secret);
        assert!(found.is_empty(), "{secret} in plain text in {found:?}");
    }
    // The AWS CLI uses them through hat's lines: `work`'s keys, and `prod`'s role on them.
    for (profile, arn) in [("work", ":user/"), ("prod", "assumed-role/prod/")] {
        let out = crate::keys::aws(
            &sandbox,
            &keyring,
            &[
                "sts",
                "get-caller-identity",
                "--profile",
                profile,
                "--query",
                "Arn",
                "--output",
                "text",
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains(arn),
            "{profile}: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // aws-vault's copies stay without --remove.
    assert!(vault_items(&keyring, "work").contains("label = work"));

    // --remove: what hat holds goes from aws-vault's collection; its sessions stay.
    let dry_remove = ss_migrate(&sandbox, &keyring, &["--remove", "--dry-run"]).run();
    dry_remove.success().stderr_has(
        "would remove aws-vault's copies of ci (the Secret Service collection `awsvault`",
    );
    assert!(vault_items(&keyring, "work").contains("label = work"));
    let removed = ss_migrate(&sandbox, &keyring, &["--remove"]).run();
    removed
        .success()
        .stderr_has("profile `work`: its keys are already in hat's store")
        .stderr_has("removed aws-vault's copies of ci (the Secret Service collection `awsvault`")
        .stderr_has("nothing to change");
    no_secret_in(&removed.stderr);
    assert_eq!(
        vault_items(&keyring, "work"),
        "",
        "aws-vault's item is left"
    );
    assert_eq!(vault_items(&keyring, "ci"), "", "aws-vault's item is left");
    assert!(
        vault_items(&keyring, "sts.GetSessionToken,d29yaw,,1700000000").contains("label = sts."),
        "aws-vault's cached session was removed"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), want);
    // hat's copy is the one that stays.
    let (ok, stored) = keyring.secret_tool(&["lookup", "service", "hat", "username", "work"], None);
    assert!(ok && stored.contains(WORK_SECRET));
}

#[test]
fn the_collection_name_comes_from_aws_vaults_variable_or_flag() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    sandbox.config(SS_CONFIG);
    ss_store(&sandbox, &keyring, "team-vault");
    ss_migrate(&sandbox, &keyring, &["--dry-run"])
        .run()
        .success()
        .stderr_has("the Secret Service has no collection `awsvault` (aws-vault's)");
    ss_migrate(&sandbox, &keyring, &["--dry-run"])
        .env("AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME", "team-vault")
        .run()
        .success()
        .stderr_has("would import the keys of 2 profiles");
    ss_migrate(
        &sandbox,
        &keyring,
        &["--dry-run", "--secret-service-collection", "team-vault"],
    )
    .run()
    .success()
    .stderr_has("would import the keys of 2 profiles");
}

#[test]
fn aws_vault_backend_picks_the_one_store_read_as_aws_vault_does() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    vault_store(&sandbox);
    // No Secret Service here: named, it is an error; unnamed, it is simply not there.
    migrate(&sandbox, &["--dry-run"], VAULT_PASS)
        .env("AWS_VAULT_BACKEND", "secret-service")
        .run()
        .failure()
        .stderr_has("no Secret Service answers on the D-Bus session bus");
    migrate(&sandbox, &["--dry-run"], VAULT_PASS)
        .run()
        .success()
        .stderr_has("no Secret Service on the D-Bus session bus")
        .stderr_has("would import the keys of 2 profiles");
    migrate(&sandbox, &["--dry-run", "--backend", "file"], VAULT_PASS)
        .env("AWS_VAULT_BACKEND", "secret-service")
        .run()
        .success()
        .stderr_lacks("Secret Service")
        .stderr_has("would import the keys of 2 profiles");
    for other in ["keychain", "kwallet", "pass"] {
        migrate(&sandbox, &[], VAULT_PASS)
            .env("AWS_VAULT_BACKEND", other)
            .run()
            .failure()
            .stderr_has(&format!("AWS_VAULT_BACKEND is `{other}`"))
            .stderr_has("aws-vault exec --no-session PROFILE -- hat keys add PROFILE --env");
    }
    migrate(&sandbox, &["--backend", "vault"], VAULT_PASS)
        .run()
        .failure()
        .stderr_has("--backend is `vault`, which is not one of aws-vault's backends");
    assert!(!sandbox.path("home/.local/state/hat/keys.enc").exists());
}

#[test]
fn remove_deletes_the_file_backends_copies_once_hat_holds_the_keys() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    vault_store(&sandbox);
    let dir = sandbox.path("home/.awsvault/keys");
    migrate(&sandbox, &["--remove", "--dry-run"], VAULT_PASS)
        .run()
        .success()
        .stderr_has("would remove aws-vault's copies of team/prod (");
    assert!(dir.join("work").is_file() && dir.join("team%2Fprod").is_file());

    let out = migrate(&sandbox, &["--remove"], VAULT_PASS).run();
    out.success()
        .stderr_has("imported the keys of 2 profiles")
        .stderr_has("removed aws-vault's copies of team/prod (")
        .stderr_has("left 1 cached sessions and 1 SSO tokens in aws-vault's file backend");
    no_secret_in(&out.stderr);
    assert!(!dir.join("work").exists() && !dir.join("team%2Fprod").exists());
    // aws-vault's session and token files are its own.
    assert!(dir.join("sts.GetSessionToken,work,,1700000000").is_file());
    assert!(keys_from_hat(&sandbox, "work").contains(WORK_SECRET));
    assert!(keys_from_hat(&sandbox, "team/prod").contains(PROD_SECRET));
}

// `hat exec` with aws-vault's `-n/--no-session`, `-t/--mfa-token`, no command, and the
// flags it refuses.

const MFA_SERIAL: &str = "arn:aws:iam::000000000000:mfa/tester";

/// `user`: long-term keys behind MFA (aws-vault would make a GetSessionToken session of
/// them); `prod`: a role on them behind the same device.
fn mfa_config() -> String {
    format!(
        "[profile user]\naws_access_key_id = {}\naws_secret_access_key = {}\nmfa_serial = {MFA_SERIAL}\n\n\
         [profile prod]\nrole_arn = arn:aws:iam::111111111111:role/prod\nsource_profile = user\nmfa_serial = {MFA_SERIAL}\n",
        crate::support::BASE_KEY_ID,
        crate::support::BASE_SECRET
    )
}

const SHOW_KEYS: &[&str] = &[
    "--",
    "sh",
    "-c",
    "echo \"$AWS_ACCESS_KEY_ID|${AWS_SESSION_TOKEN:-none}\"",
];

#[test]
fn exec_no_session_hands_over_the_long_term_keys_instead_of_an_mfa_session() {
    let sandbox = Sandbox::new();
    sandbox.config(&mfa_config());
    let fake = FakeSts::start(vec![Reply::Ok]);
    for flag in ["--no-session", "-n"] {
        let mut args = vec!["exec", "user", flag];
        args.extend_from_slice(SHOW_KEYS);
        let out = sandbox.hat(&args).sts(&fake.url).run();
        out.success();
        assert_eq!(
            out.stdout.trim(),
            format!("{}|none", crate::support::BASE_KEY_ID),
            "{flag}"
        );
    }
    assert!(fake.actions().is_empty(), "{:?}", fake.actions());

    // Without it, the MFA session, with aws-vault's `-t` code.
    let mut args = vec!["exec", "user", "-t", "123456"];
    args.extend_from_slice(SHOW_KEYS);
    let out = sandbox.hat(&args).sts(&fake.url).run();
    out.success();
    assert!(!out.stdout.contains("|none"), "{}", out.stdout);
    assert_eq!(fake.actions(), ["GetSessionToken"]);
    assert_eq!(
        param(&fake.requests()[0], "TokenCode").as_deref(),
        Some("123456")
    );
}

#[test]
fn exec_no_session_assumes_a_role_behind_mfa_with_the_code_on_assume_role() {
    let sandbox = Sandbox::new();
    sandbox.config(&mfa_config());
    let fake = FakeSts::start(vec![Reply::Ok]);
    let mut args = vec!["exec", "prod", "--no-session", "--mfa-token", "654321"];
    args.extend_from_slice(SHOW_KEYS);
    let out = sandbox.hat(&args).sts(&fake.url).run();
    out.success();
    assert!(!out.stdout.contains("|none"), "{}", out.stdout);
    assert_eq!(fake.actions(), ["AssumeRole"]);
    let request = &fake.requests()[0];
    assert_eq!(param(request, "TokenCode").as_deref(), Some("654321"));
    assert_eq!(param(request, "SerialNumber").as_deref(), Some(MFA_SERIAL));
}

#[test]
fn exec_without_a_command_starts_the_shell_as_aws_vault_exec_does() {
    let sandbox = Sandbox::new();
    sandbox.config(crate::support::CHAIN_CONFIG);
    sandbox
        .hat(&["exec", "base"])
        .env("SHELL", "/bin/sh")
        .stdin("echo \"in $HAT_EXEC_PROFILE: $AWS_ACCESS_KEY_ID\"\n")
        .run()
        .success()
        .stderr_has("starting /bin/sh with profile `base`'s credentials")
        .stdout_has(&format!("in base: {}", crate::support::BASE_KEY_ID));
}

#[test]
fn exec_refuses_aws_vaults_flags_for_what_hat_has_not_and_says_why() {
    let sandbox = Sandbox::new();
    sandbox.config(crate::support::CHAIN_CONFIG);
    for (args, why) in [
        (
            &["exec", "base", "--lazy", "-s", "--", "true"][..],
            "--lazy is not taken: hat fetches the first credentials before the command starts",
        ),
        (
            &["exec", "base", "--stdout", "--", "true"][..],
            "hat sso login --use-device-code",
        ),
        (
            &["exec", "base", "--no-session", "--server", "--", "true"][..],
            "--no-session and --server do not go together",
        ),
    ] {
        sandbox
            .hat(args)
            .run()
            .failure()
            .stderr_has(why)
            .stderr_lacks("unexpected argument");
    }
}

#[test]
fn a_locked_aws_vault_collection_is_one_clear_error() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    sandbox.config(SS_CONFIG);
    ss_store(&sandbox, &keyring, "awsvault");
    keyring.lock_collection("awsvault");
    ss_migrate(&sandbox, &keyring, &[])
        .run()
        .failure()
        .stderr_has(
            "aws-vault's Secret Service collection `awsvault` is locked and was not unlocked",
        )
        .stderr_has("unlock it");
    assert_eq!(
        std::fs::read_to_string(sandbox.path("home/.aws/config")).unwrap(),
        SS_CONFIG
    );
}

#[test]
fn profiles_with_only_aws_vaults_keys_get_hats_line_and_work_without_aws_vault() {
    let sandbox = Sandbox::new();
    // `team/prod` has a section with no credentials; `work` has none at all; `admin` is
    // a role whose own name held keys; `old` still has plaintext keys.
    let config = "[profile team/prod]\nregion = eu-west-1\n\n\
         [profile admin]\nrole_arn = arn:aws:iam::111111111111:role/admin\n\n\
         [profile ops]\nrole_arn = arn:aws:iam::222222222222:role/ops\nsource_profile = work\n\n\
         [profile child]\ninclude_profile = ops\nregion = us-east-2\n";
    sandbox.config(config);
    // `legacy` never was in aws-vault, and its keys are plaintext too.
    sandbox.credentials(
        "[old]\naws_access_key_id = AKIAOLD0000000000004\naws_secret_access_key = oldPlain\n\
         [legacy]\naws_access_key_id = AKIALEGACY0000000006\naws_secret_access_key = legacyPlain\n",
    );
    vault_store_with(
        &sandbox,
        &[
            format!("work={WORK_ID}:{WORK_SECRET}"),
            format!("team/prod={PROD_ID}:{PROD_SECRET}"),
            "admin=AKIAADMIN00000000005:adminSecret".to_string(),
            "old=AKIAOLD0000000000004:oldPlain".to_string(),
            "my laptop=AKIASPACE00000000008:spaceSecret".to_string(),
        ],
    );
    let out = migrate(&sandbox, &[], VAULT_PASS)
        .env("AWS_VAULT_PROMPT", "ykman")
        .run();
    out.success()
        .stderr_has("imported the keys of 4 profiles")
        .stderr_has("`my laptop` cannot be a profile name")
        .stderr_has("aws-vault exec --no-session 'my laptop' -- hat keys add NAME --env")
        .stderr_has("AWS_VAULT_PROMPT=ykman: in hat that is `prompt = \"ykman\"` under [mfa]")
        .stderr_has("pointed 2 profiles' credential_process at hat: team/prod, work")
        .stderr_has("profile `admin` has role_arn and no source_profile")
        .stderr_has("profile `old` still has plaintext keys")
        .stderr_has("hat keys import old")
        .stderr_has(
            "1 more profiles keep long-term keys in plaintext (legacy): `hat keys import --all`",
        )
        .stderr_has(
            "profile `child` has aws-vault's `include_profile = ops`, which hat and the AWS SDKs do not read",
        );
    no_secret_in(&out.stderr);
    for secret in ["adminSecret", "oldPlain", "legacyPlain", "spaceSecret"] {
        assert!(!out.stderr.contains(secret), "{secret} leaked");
    }
    let want = config
        .replace(
            "region = eu-west-1\n",
            &format!("region = eu-west-1\ncredential_process = {HAT} credential-process --profile team/prod\n"),
        )
        + &format!("\n[profile work]\ncredential_process = {HAT} credential-process --profile work\n");
    assert_eq!(
        std::fs::read_to_string(sandbox.path("home/.aws/config")).unwrap(),
        want
    );
    // `work`'s keys now come from hat's store, for hat and through its line.
    file_keys(sandbox.hat(&[
        "exec",
        "work",
        "--",
        "sh",
        "-c",
        "echo \"$AWS_ACCESS_KEY_ID\"",
    ]))
    .run()
    .success()
    .stdout_has(WORK_ID);
}

#[test]
fn with_both_stores_the_secret_service_wins_and_remove_takes_only_what_hat_holds() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    sandbox.config(SS_CONFIG);
    ss_store(&sandbox, &keyring, "awsvault");
    // The file backend holds `work`'s same keys, and other keys for `ci`.
    vault_store_with(
        &sandbox,
        &[
            format!("work={WORK_ID}:{WORK_SECRET}"),
            "ci=AKIAOTHERCI000000007:otherCiSecret".to_string(),
        ],
    );
    let dir = sandbox.path("home/.awsvault/keys");
    let out = ss_migrate(&sandbox, &keyring, &["--remove"])
        .env("AWS_VAULT_FILE_PASSPHRASE", VAULT_PASS)
        .run();
    out.success()
        .stderr_has("imported the keys of 2 profiles from aws-vault into hat's key store: ci, work")
        .stderr_has(&format!(
            "profile `ci`: {} holds other keys than the Secret Service collection `awsvault`",
            dir.join("ci").display()
        ));
    assert!(!out.stderr.contains("otherCiSecret"));
    let (_, stored) = keyring.secret_tool(&["lookup", "service", "hat", "username", "ci"], None);
    assert!(stored.contains(CI_ID), "the Secret Service's keys win");
    // Both copies of `work` went; the file's other `ci` keys stay.
    assert_eq!(vault_items(&keyring, "work"), "");
    assert_eq!(vault_items(&keyring, "ci"), "");
    assert!(!dir.join("work").exists());
    assert!(dir.join("ci").is_file());
}
