//! `hat migrate` (issue 15): Granted's and awsume's credential_process lines pointed at
//! hat, awsume's settings brought into hat's config.toml, every other byte kept,
//! `--dry-run` a diff that writes nothing, and a second run a no-op.

use crate::support::{Sandbox, moto};

/// What `granted sso populate` writes, a hand-written line with Granted's own
/// arguments, and an IAM user whose keys are in Granted's keychain.
const GRANTED_CONFIG: &str = "# team profiles\r\n[default]\r\nregion = eu-west-1\r\n\
[profile sso/admin]\n\
granted_sso_start_url      = https://example.awsapps.com/start\n\
granted_sso_region         = us-east-1\n\
granted_sso_account_id     = 123456789012\n\
granted_sso_role_name      = Admin\n\
common_fate_generated_from = aws-sso\n\
credential_process         = granted credential-process --profile sso/admin\n\
\n\
[profile by-hand]\n\
sso_session = corp\n\
sso_account_id = 123456789012\n\
sso_role_name = Dev\n\
credential_process=granted credential-process --url https://cf.example.com --profile by-hand\n\
[profile iam]\n\
credential_process = granted credential-process --profile iam\n\
[sso-session corp]\n\
sso_start_url = https://corp.awsapps.com/start\n\
sso_region = us-east-1\n";

#[test]
fn migrate_granted_points_its_lines_at_hat_keeping_every_other_byte() {
    let sandbox = Sandbox::new();
    sandbox.config(GRANTED_CONFIG);
    let config = sandbox.path("home/.aws/config");

    let dry = sandbox.hat(&["migrate", "granted", "--dry-run"]).run();
    dry.success()
        .stderr_has("would point 2 profiles' credential_process at hat: sso/admin, by-hand")
        .stderr_has("profile `iam`: its keys are in Granted's keychain")
        .stderr_has("dropped Granted's `--url https://cf.example.com`");
    assert!(
        dry.stdout.contains(
            "-credential_process         = granted credential-process --profile sso/admin\n+credential_process         = "
        ),
        "{}",
        dry.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        GRANTED_CONFIG,
        "--dry-run wrote"
    );

    sandbox.hat(&["migrate", "granted"]).run().success();
    let after = std::fs::read_to_string(&config).unwrap();
    // The test binary is not on PATH, so the line names it by its absolute path.
    let hat = crate::support::HAT;
    let want = GRANTED_CONFIG
        .replace(
            "= granted credential-process --profile sso/admin",
            &format!("= {hat} credential-process --profile sso/admin"),
        )
        .replace(
            "=granted credential-process --url https://cf.example.com --profile by-hand",
            &format!("={hat} credential-process --profile by-hand"),
        );
    assert_eq!(after, want);

    let again = sandbox.hat(&["migrate", "granted"]).run();
    again.success().stderr_has("nothing to change");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), want);
    assert_eq!(again.stdout, "");
}

/// awsume's config.yaml as `awsume --config set ...` leaves it (PyYAML's `safe_dump`:
/// keys sorted, the console plugin's settings nested under `console`), with one of
/// awsume's defaults among them.
const AWSUME_YAML: &str = r#"colors: true
console:
  browser_command: '"/opt/google/chrome/chrome" --user-data-dir=/tmp/{profile} "{url}" --no-first-run'
  services:
    c: cloudformation
fuzzy-match: true
region: us-west-2
role-duration: 43200
role-session-name: alice-cli
"#;

/// hat's own settings file, with comments and spacing that must survive.
const HAT_TOML: &str = "# my settings\n[mfa]\nprompt   = \"terminal\"   # ask me\n";

/// A chain hat can assume against moto, and a line that runs awsume as a
/// credential_process (it never worked: awsume prints shell code), CRLF endings kept.
const AWSUME_CONFIG: &str = "[profile base]\r\n\
aws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\n\
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n\
region = eu-west-1\r\n\
\r\n\
[profile a]\n\
role_arn = arn:aws:iam::111111111111:role/a\n\
source_profile = base\n\
\n\
# for the CLI\n\
[profile via-awsume]\n\
credential_process = awsumepy a --mfa-token 123456\n";

/// What awsume writes into the credentials file: `awsume a -o out` and autoawsume's
/// `awsume a -a` (configparser's `key = value`, `manager = awsume` first).
const AWSUME_CREDENTIALS: &str = "[out]\n\
manager = awsume\n\
aws_access_key_id = ASIAEXAMPLEOUT\n\
aws_secret_access_key = secret\n\
aws_session_token = token\n\
region = eu-west-1\n\
expiration = 2024-01-01 12:00:00\n\
\n\
[autoawsume-a]\n\
manager = awsume\n\
aws_access_key_id = ASIAEXAMPLEAUTO\n\
aws_secret_access_key = secret\n\
aws_session_token = token\n\
autoawsume = true\n\
expiration = 2024-01-01 12:00:00\n\
awsumepy_command = a -a\n\
\n";

#[test]
fn migrate_awsume_brings_its_settings_into_hat_and_names_the_rest() {
    let sandbox = Sandbox::new();
    sandbox
        .config(AWSUME_CONFIG)
        .credentials(AWSUME_CREDENTIALS);
    let yaml = sandbox.write("home/.awsume/config.yaml", AWSUME_YAML);
    let toml = sandbox.write("home/.config/hat/config.toml", HAT_TOML);
    let session = sandbox.write(
        "home/.awsume/cache/aws-credentials-AKIAIOSFODNN7EXAMPLE",
        "{\"Expiration\": \"2024-01-01 12:00:00\"}",
    );
    let files = [
        sandbox.path("home/.aws/config"),
        sandbox.path("home/.aws/credentials"),
        yaml.clone(),
        toml.clone(),
        session.clone(),
    ];
    let contents = || {
        files
            .iter()
            .map(|f| std::fs::read(f).unwrap())
            .collect::<Vec<_>>()
    };
    let before = contents();

    let dry = sandbox.hat(&["migrate", "awsume", "--dry-run"]).run();
    dry.success()
        .stderr_has("would set [console] browser = \"custom\"")
        .stderr_has("would set [session] role_session_name = \"alice-cli\"")
        .stderr_has("awsume's `region: us-west-2` has no counterpart")
        .stderr_has("awsume's `role-duration: 43200` has no counterpart")
        .stderr_has("`assume PROFILE -d 43200`")
        .stderr_has("awsume's `fuzzy-match: true` has no counterpart")
        .stderr_has("awsume's `console.services: {c}` has no counterpart")
        .stderr_has("profile `autoawsume-a`")
        .stderr_has("autoawsume's copy of `a`'s credentials")
        .stderr_has("a profile holding only `credential_process = hat credential-process --profile a` stays fresh")
        .stderr_has("profile `out`")
        .stderr_has("holds 1 MFA sessions")
        .stderr_has("would point 1 profiles' credential_process at hat: a")
        .stderr_has("dropped awsume's `--mfa-token …`")
        .stderr_lacks("123456")
        .stderr_lacks("colors");
    assert!(
        dry.stdout.contains("+browser = \"custom\"\n")
            && dry.stdout.contains("+role_session_name = \"alice-cli\"\n"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains(
            "-credential_process = awsumepy a --mfa-token 123456\n+credential_process = "
        ),
        "{}",
        dry.stdout
    );
    assert!(contents() == before, "--dry-run wrote");

    sandbox.hat(&["migrate", "awsume"]).run().success();
    let after = std::fs::read_to_string(&toml).unwrap();
    assert!(
        after.starts_with(HAT_TOML),
        "hat's own lines changed:\n{after}"
    );
    let hat = crate::support::HAT;
    assert_eq!(
        std::fs::read_to_string(sandbox.path("home/.aws/config")).unwrap(),
        AWSUME_CONFIG.replace(
            "= awsumepy a --mfa-token 123456",
            &format!("= {hat} credential-process --profile a")
        )
    );
    // awsume's own files are left for awsume.
    for file in [&files[1], &yaml, &session] {
        assert_eq!(
            std::fs::read(file).unwrap(),
            before[files.iter().position(|f| f == file).unwrap()]
        );
    }

    // hat reads what was written: the role's session is named as awsume named it.
    let arn = sandbox
        .hat(&[
            "exec",
            "a",
            "--",
            "aws",
            "sts",
            "get-caller-identity",
            "--query",
            "Arn",
            "--output",
            "text",
        ])
        .sts(moto::url())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .run();
    arn.success()
        .stdout_has("arn:aws:sts::111111111111:assumed-role/a/alice-cli");
    // And the AWS CLI, through the rewritten line, gets the same role.
    let cli = sandbox
        .peer("aws")
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            "via-awsume",
            "--query",
            "Arn",
            "--output",
            "text",
        ])
        .env("AWS_ENDPOINT_URL_STS", moto::url())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&cli.stdout).contains("assumed-role/a/alice-cli"),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );

    let again = sandbox.hat(&["migrate", "awsume"]).run();
    again
        .success()
        .stderr_has("is the same already")
        .stderr_has("nothing to change")
        .stderr_lacks("would set")
        .stderr_lacks("] role_session_name = \"alice-cli\" in");
    assert_eq!(again.stdout, "");
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), after);
}

#[test]
fn migrate_awsume_keeps_hats_own_settings_and_names_a_browser_command_that_needs_a_shell() {
    let sandbox = Sandbox::new();
    // awsume with XDG_CONFIG_HOME set keeps its file there.
    let xdg = sandbox.path("xdg");
    sandbox.write(
        "xdg/awsume/config.yaml",
        "console:\n  browser_command: cp -r /a /tmp/{profile}; chrome --user-data-dir=/tmp/{profile} \"{url}\"\nrole-session-name: alice-cli\n",
    );
    let own = "[session]\nrole_session_name = \"hat-{user}\"\n";
    let toml = sandbox.write("xdg/hat/config.toml", own);
    let out = sandbox
        .hat(&["migrate", "awsume"])
        .env("XDG_CONFIG_HOME", xdg.to_str().unwrap())
        .run();
    out.success()
        .stderr_has("awsume's `role-session-name: alice-cli`: kept hat's own [session] role_session_name = \"hat-{user}\"")
        .stderr_has("it needs a shell (`;`)")
        .stderr_has("no `awsume` credential_process lines");
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), own);
    assert_eq!(out.stdout, "");

    // A file that is not awsume's YAML is an error naming it, and nothing is written.
    sandbox.write("xdg/awsume/config.yaml", "role-duration: [\n");
    let bad = sandbox
        .hat(&["migrate", "awsume"])
        .env("XDG_CONFIG_HOME", xdg.to_str().unwrap())
        .run();
    bad.failure().stderr_has("xdg/awsume/config.yaml");
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), own);
}

/// A line that asks awsume for a profile nobody defined is pointed at hat all the same
/// (it asked for those credentials), and said; with no awsume settings file at all.
#[test]
fn migrate_awsume_says_when_a_line_names_a_missing_profile() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile x]\ncredential_process = awsume ghost\n");
    let out = sandbox.hat(&["migrate", "awsume", "--dry-run"]).run();
    out.success()
        .stderr_has("no awsume settings at")
        .stderr_has(
            "profile `ghost`, which an awsume credential_process line names, is not defined",
        );
    assert!(
        std::fs::read_to_string(sandbox.path("home/.aws/config"))
            .unwrap()
            .contains("= awsume ghost\n")
    );
    assert!(
        !sandbox.path("home/.config/hat").exists(),
        "--dry-run made hat's settings"
    );
}
