//! IAM Identity Center (issue 5): sign-in flows against the project's fake SSO OIDC and
//! portal, the token cache shared with botocore both ways, one refresh for many
//! shells, role credentials cached like assumed roles, and `hat sso populate`.

use crate::support::fake_sso::{self, DeviceOutcome, FakeSso, Options};
use crate::support::{Run, Sandbox};
use std::path::PathBuf;

pub(crate) const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-central-1

[profile gone]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Gone
";

pub(crate) const START_URL: &str = "https://corp.awsapps.com/start";

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    sb
}

pub(crate) fn with_fake(run: Run, fake: &FakeSso) -> Run {
    run.env("AWS_ENDPOINT_URL_SSO_OIDC", &fake.url)
        .env("AWS_ENDPOINT_URL_SSO", &fake.url)
}

fn sha1(text: &str) -> String {
    hat::sso::token::sha1_hex(text.as_bytes())
}

/// Where botocore keeps the SSO token of session (or start URL) `key`.
pub(crate) fn token_path(sb: &Sandbox, key: &str) -> PathBuf {
    sb.home().join(format!(".aws/sso/cache/{}.json", sha1(key)))
}

fn read_token(sb: &Sandbox, key: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(token_path(sb, key)).expect("a token file");
    serde_json::from_str(&text).unwrap()
}

/// The fake SSO service, and a token for session (or start URL) `key` that the AWS CLI
/// wrote, good for eight hours: a user signed in.
pub(crate) fn signed_in(sb: &Sandbox, key: &str) -> FakeSso {
    let fake = FakeSso::start(Options::default());
    cli_writes_token(sb, &fake, key, 8 * 3600);
    fake
}

/// Writes a token file the way the AWS CLI does: with botocore's own JSONFileCache and
/// `_sso_json_dumps`, for a session `key` (or start URL), expiring in `expires_in` seconds.
pub(crate) fn cli_writes_token(
    sb: &Sandbox,
    fake: &FakeSso,
    key: &str,
    expires_in: i64,
) -> (String, String) {
    let (client_id, client_secret, access, refresh) = fake.mint();
    let script = r#"
import sys, datetime
from botocore.utils import JSONFileCache
from botocore.tokens import _sso_json_dumps
import os
key, start_url, client_id, secret, access, refresh, expires_in = sys.argv[1:]
now = datetime.datetime.now(datetime.timezone.utc)
cache = JSONFileCache(os.path.expanduser('~/.aws/sso/cache'), dumps_func=_sso_json_dumps)
import hashlib
cache[hashlib.sha1(key.encode()).hexdigest()] = {
    'startUrl': start_url, 'region': 'eu-west-1', 'accessToken': access,
    'expiresAt': now + datetime.timedelta(seconds=int(expires_in)),
    'clientId': client_id, 'clientSecret': secret,
    'registrationExpiresAt': now + datetime.timedelta(days=90),
    'refreshToken': refresh,
}
"#;
    let status = sb
        .peer("python3")
        .args([
            "-c",
            script,
            key,
            START_URL,
            &client_id,
            &client_secret,
            &access,
            &refresh,
        ])
        .arg(expires_in.to_string())
        .status()
        .unwrap();
    assert!(status.success());
    (access, refresh)
}

/// A browser that records each URL and, for the authorization page, follows the
/// redirect back to hat's callback as a real browser would.
fn browser(sb: &Sandbox) -> String {
    let log = sb.path("browser.log");
    let path = sb.write(
        "browser.sh",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\ncase \"$1\" in *'/authorize?'*) curl -s -L -o /dev/null \"$1\" ;; esac\n",
            log.display()
        ),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn device_code_login_polls_through_slow_down_and_pending_and_writes_the_cli_token_file() {
    let sb = sandbox();
    let fake = FakeSso::start(Options {
        slow_down_polls: 1,
        pending_polls: 1,
        ..Options::default()
    });
    let out = with_fake(
        sb.hat(&["sso", "login", "--sso-session", "corp", "--use-device-code"]),
        &fake,
    )
    .run();
    out.success()
        .stderr_has("ABCD-EFGH")
        .stderr_has("http://fake.invalid/device")
        .stderr_lacks(fake_sso::ACCESS_PREFIX)
        .stderr_lacks(fake_sso::SECRET_PREFIX);
    assert_eq!(out.stdout, "");
    assert_eq!(fake.calls("RegisterClient"), 1);
    assert_eq!(fake.calls("CreateToken:device_code"), 3);
    let token = read_token(&sb, "corp");
    let keys: Vec<&str> = token
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(keys.contains(&key), "{key} missing from {token}");
    }
    assert_eq!(token["startUrl"], START_URL);
    let path = token_path(&sb, "corp");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);

    // A second login reuses the client registration.
    with_fake(
        sb.hat(&["sso", "login", "--sso-session", "corp", "--use-device-code"]),
        &fake,
    )
    .run()
    .success();
    assert_eq!(fake.calls("RegisterClient"), 1);
}

#[test]
fn device_code_denial_and_expiry_end_with_a_clear_message_and_keep_the_old_token() {
    let sb = sandbox();
    let fake = FakeSso::start(Options {
        pending_polls: 0,
        device_outcome: DeviceOutcome::Deny,
        ..Options::default()
    });
    cli_writes_token(&sb, &fake, "corp", 60);
    let before = std::fs::read(token_path(&sb, "corp")).unwrap();
    let login = || {
        with_fake(
            sb.hat(&["sso", "login", "--sso-session", "corp", "--use-device-code"]),
            &fake,
        )
        .run()
    };
    login()
        .failure()
        .stderr_has("was denied")
        .stderr_has("hat sso login --sso-session corp");
    fake.set(|o| o.device_outcome = DeviceOutcome::Expire);
    login()
        .failure()
        .stderr_has("expired before it was approved");
    assert_eq!(std::fs::read(token_path(&sb, "corp")).unwrap(), before);
}

#[test]
fn a_login_killed_halfway_leaves_the_previous_token_intact() {
    let sb = sandbox();
    let fake = FakeSso::start(Options {
        pending_polls: 1000,
        ..Options::default()
    });
    cli_writes_token(&sb, &fake, "corp", 60);
    let before = std::fs::read(token_path(&sb, "corp")).unwrap();
    let mut child = with_fake(
        sb.hat(&["sso", "login", "--sso-session", "corp", "--use-device-code"]),
        &fake,
    )
    .command()
    .spawn()
    .unwrap();
    while fake.calls("CreateToken:device_code") < 1 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read(token_path(&sb, "corp")).unwrap(), before);
}

#[test]
fn pkce_login_through_the_browser_caches_a_refreshable_token() {
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    let browser = browser(&sb);
    with_fake(sb.hat(&["sso", "login", "--sso-session", "corp"]), &fake)
        .env("BROWSER", &browser)
        .run()
        .success()
        .stderr_has("signed in to corp")
        .stderr_lacks(fake_sso::ACCESS_PREFIX);
    let visited = std::fs::read_to_string(sb.path("browser.log")).unwrap();
    assert!(
        visited.contains("/authorize?response_type=code"),
        "{visited}"
    );
    assert!(visited.contains("code_challenge_method=S256"), "{visited}");
    assert!(
        visited.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"),
        "{visited}"
    );
    assert_eq!(fake.calls("CreateToken:authorization_code"), 1);
    assert_eq!(fake.calls("CreateToken:device_code"), 0);
    let token = read_token(&sb, "corp");
    assert!(fake.is_valid_access_token(token["accessToken"].as_str().unwrap()));
    assert!(token["refreshToken"].is_string());
    // Issue 13: RegisterClient for PKCE, field by field, as the CLI v2 sends it.
    let bodies = fake.registrations();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let pkce = bodies[0].as_object().unwrap();
    let mut keys: Vec<&str> = pkce.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "clientName",
            "clientType",
            "grantTypes",
            "issuerUrl",
            "redirectUris",
            "scopes"
        ]
    );
    assert_eq!(
        pkce["grantTypes"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(pkce["issuerUrl"], START_URL);
    assert_eq!(
        pkce["redirectUris"],
        serde_json::json!(["http://127.0.0.1/oauth/callback"])
    );
    // The device flow does not reuse a PKCE registration.
    with_fake(
        sb.hat(&["sso", "login", "--sso-session", "corp", "--use-device-code"]),
        &fake,
    )
    .run()
    .success();
    assert_eq!(fake.calls("RegisterClient"), 2);
}

#[test]
fn with_no_browser_to_open_login_falls_back_to_the_device_code() {
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    with_fake(sb.hat(&["sso", "login", "--profile", "dev"]), &fake)
        .run()
        .success()
        .stderr_has("no browser can be opened")
        .stderr_has("ABCD-EFGH");
    assert_eq!(fake.calls("CreateToken:device_code"), 2);
}

#[test]
fn an_sso_profile_is_assumed_and_the_second_assume_makes_no_call() {
    let sb = sandbox();
    let fake = signed_in(&sb, "corp");
    let out = with_fake(sb.assume(&["-v", "dev"]), &fake).run();
    out.success()
        .stderr_has("GetRoleCredentials Admin in account 111111111111")
        .stderr_lacks(fake_sso::ROLE_SECRET_PREFIX)
        .stderr_lacks(fake_sso::ACCESS_PREFIX)
        .stderr_lacks(fake_sso::REFRESH_PREFIX)
        .stderr_lacks(fake_sso::SECRET_PREFIX);
    let first = out.exports();
    let key = first["AWS_ACCESS_KEY_ID"].clone().unwrap();
    assert!(key.starts_with("ASIASSO"), "{key}");
    assert_eq!(first["AWS_REGION"].as_deref(), Some("eu-central-1"));
    assert_eq!(fake.calls("GetRoleCredentials"), 1);
    let calls = fake.total_calls();

    // The cached role credentials need neither the network nor the token.
    std::fs::remove_file(token_path(&sb, "corp")).unwrap();
    let second = with_fake(sb.assume(&["dev"]), &fake).run();
    second.success();
    assert_eq!(
        second.exports()["AWS_ACCESS_KEY_ID"].as_deref(),
        Some(key.as_str())
    );
    assert_eq!(fake.total_calls(), calls);
}

#[test]
fn a_token_written_by_botocore_is_used_without_signing_in() {
    let sb = sandbox();
    let fake = signed_in(&sb, "corp");
    with_fake(sb.assume(&["dev"]), &fake).run().success();
    assert_eq!(fake.calls("RegisterClient"), 0);
    assert_eq!(fake.calls("CreateToken:refresh_token"), 0);
    assert_eq!(fake.calls("GetRoleCredentials"), 1);
}

#[test]
fn botocore_loads_and_refreshes_a_token_that_hat_wrote() {
    let sb = sandbox();
    // Tokens that live 10 minutes are inside botocore's 15-minute refresh window.
    let fake = FakeSso::start(Options {
        pending_polls: 0,
        token_lifetime: 600,
        ..Options::default()
    });
    with_fake(
        sb.hat(&["sso", "login", "--sso-session", "corp", "--use-device-code"]),
        &fake,
    )
    .run()
    .success();
    let written = read_token(&sb, "corp");
    let script = r#"
import botocore.session
from botocore.utils import SSOTokenLoader, JSONFileCache
from botocore.tokens import SSOTokenProvider
import os
loaded = SSOTokenLoader(JSONFileCache(os.path.expanduser('~/.aws/sso/cache')))('https://corp.awsapps.com/start', session_name='corp')
print(loaded['accessToken'])
session = botocore.session.Session(profile='dev')
token = SSOTokenProvider(session).load_token().get_frozen_token()
print(token.token)
"#;
    let stdout = crate::support::ok(
        sb.peer("python3")
            .args(["-c", script])
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &fake.url),
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], written["accessToken"].as_str().unwrap());
    assert_eq!(fake.calls("CreateToken:refresh_token"), 1);
    let refreshed = read_token(&sb, "corp");
    assert_eq!(lines[1], refreshed["accessToken"].as_str().unwrap());
    assert_ne!(lines[1], lines[0]);
    assert!(fake.is_valid_access_token(lines[1]));
}

#[test]
fn twenty_concurrent_assumes_near_expiry_refresh_the_token_once() {
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    cli_writes_token(&sb, &fake, "corp", 5 * 60);
    let children: Vec<_> = (0..20)
        .map(|_| {
            with_fake(sb.assume(&["dev"]), &fake)
                .command()
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("AWS_ACCESS_KEY_ID"));
    }
    assert_eq!(fake.calls("CreateToken:refresh_token"), 1);
    assert_eq!(fake.calls("GetRoleCredentials"), 1);
    assert_eq!(fake.calls("RegisterClient"), 0);
}

#[test]
fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
    let sb = sandbox();
    let fake = FakeSso::start(Options {
        refresh_gives_new_refresh_token: false,
        ..Options::default()
    });
    let (old_access, old_refresh) = cli_writes_token(&sb, &fake, "corp", 60);
    with_fake(sb.assume(&["dev"]), &fake).run().success();
    assert_eq!(fake.calls("CreateToken:refresh_token"), 1);
    let token = read_token(&sb, "corp");
    assert_ne!(token["accessToken"], old_access.as_str());
    assert_eq!(token["refreshToken"], old_refresh.as_str());
}

#[test]
fn a_role_that_no_longer_exists_says_to_prune() {
    let sb = sandbox();
    let fake = signed_in(&sb, "corp");
    with_fake(sb.assume(&["gone"]), &fake)
        .run()
        .failure()
        .stderr_has("no access to role Gone in account 111111111111")
        .stderr_has("run `hat sso populate --prune`");
}

#[test]
fn a_revoked_or_missing_token_without_a_terminal_names_the_command_to_run() {
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    with_fake(sb.assume(&["dev"]), &fake)
        .run()
        .failure()
        .stderr_has("you are not signed in to corp; run `hat sso login --sso-session corp`");
    cli_writes_token(&sb, &fake, "corp", 8 * 3600);
    fake.revoke_all();
    with_fake(sb.assume(&["dev"]), &fake)
        .run()
        .failure()
        .stderr_has("no longer valid")
        .stderr_has("run `hat sso login --sso-session corp`")
        .stderr_lacks(fake_sso::ACCESS_PREFIX);
}

#[test]
fn an_unreachable_portal_is_named() {
    let sb = sandbox();
    // Only the token matters here: the portal asked for is a closed port.
    let _fake = signed_in(&sb, "corp");
    let closed = format!("http://127.0.0.1:{}", crate::support::free_port());
    sb.assume(&["dev"])
        .env("AWS_ENDPOINT_URL_SSO", &closed)
        .run()
        .failure()
        .stderr_has(&format!("could not reach the SSO portal at {closed}"));
}

#[test]
fn granted_profiles_are_sso_profiles_without_edits() {
    let sb = Sandbox::new();
    sb.config(&format!(
        "[profile g]\ngranted_sso_start_url = {START_URL}\ngranted_sso_region = eu-west-1\ngranted_sso_account_id = 111111111111\ngranted_sso_role_name = ReadOnly\ncredential_process = granted credential-process --profile g\ncommon_fate_generated_from = aws-sso\n"
    ));
    let fake = signed_in(&sb, START_URL);
    with_fake(sb.assume(&["g"]), &fake).run().success();
    assert_eq!(fake.calls("GetRoleCredentials"), 1);
}

#[test]
fn assume_with_a_start_url_needs_no_profile() {
    let sb = Sandbox::new();
    let fake = signed_in(&sb, START_URL);
    let out = with_fake(
        sb.assume(&[
            "--sso-start-url",
            START_URL,
            "--sso-region",
            "eu-west-1",
            "--account-id",
            "111111111111",
            "--role-name",
            "Admin",
        ]),
        &fake,
    )
    .run();
    out.success();
    let exports = out.exports();
    assert!(
        exports["AWS_ACCESS_KEY_ID"]
            .as_deref()
            .unwrap()
            .starts_with("ASIASSO")
    );
    assert_eq!(exports["AWS_PROFILE"], None);
    assert_eq!(exports["AWS_REGION"].as_deref(), Some("eu-west-1"));
}

#[test]
fn an_unknown_sso_session_suggests_the_one_meant() {
    let sb = sandbox();
    sb.hat(&["sso", "login", "--sso-session", "crop"])
        .run()
        .failure()
        .stderr_has("there is no [sso-session crop]; did you mean `corp`?");
}

#[test]
fn tokens_lists_expiry_and_logout_revokes_and_deletes() {
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    let (access, _) = cli_writes_token(&sb, &fake, "corp", 3 * 3600);
    let out = sb.hat(&["sso", "tokens"]).run();
    out.success()
        .stdout_has("corp")
        .stdout_has("eu-west-1")
        .stdout_has("yes");
    assert!(!out.stdout.contains(&access));
    with_fake(sb.assume(&["dev"]), &fake).run().success();
    assert_eq!(sb.cached().len(), 1);
    with_fake(sb.hat(&["sso", "logout"]), &fake)
        .run()
        .success()
        .stderr_has("signed out of corp")
        .stderr_has("deleted 1 cached SSO role credentials");
    assert_eq!(fake.calls("Logout"), 1);
    assert!(!fake.is_valid_access_token(&access));
    assert!(!token_path(&sb, "corp").exists());
    assert_eq!(sb.cached(), Vec::<PathBuf>::new());
    // Signed out: the next assume says how to sign in again.
    with_fake(sb.assume(&["dev"]), &fake)
        .run()
        .failure()
        .stderr_has("run `hat sso login --sso-session corp`");
}

fn org(accounts: usize, roles: usize) -> Vec<(String, String, Vec<String>)> {
    (0..accounts)
        .map(|i| {
            (
                format!("{:012}", 100_000_000_000u64 + i as u64),
                format!("Account {i}"),
                (0..roles).map(|r| format!("Role{r}")).collect(),
            )
        })
        .collect()
}

const USER_CONTENT: &str = "# my own notes\n[profile mine]\nregion = us-east-1\n\n;  odd   spacing kept\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

#[test]
fn populate_writes_one_block_keeps_user_content_and_is_idempotent() {
    let sb = Sandbox::new();
    sb.config(USER_CONTENT);
    let fake = FakeSso::start(Options {
        accounts: org(3, 2),
        ..Options::default()
    });
    cli_writes_token(&sb, &fake, "corp", 8 * 3600);
    let populate = |extra: &[&str]| {
        let mut args = vec!["sso", "populate", "--sso-session", "corp"];
        args.extend_from_slice(extra);
        with_fake(sb.hat(&args), &fake).run()
    };
    let dry = populate(&["--dry-run"]);
    dry.success().stdout_has("+[profile Account-0/Role0]");
    assert_eq!(
        std::fs::read_to_string(sb.home().join(".aws/config")).unwrap(),
        USER_CONTENT
    );

    populate(&[]).success().stderr_has("wrote 6 profiles");
    let text = std::fs::read_to_string(sb.home().join(".aws/config")).unwrap();
    assert!(text.starts_with(USER_CONTENT), "{text}");
    assert!(text.contains("[profile Account-2/Role1]\nsso_session = corp\nsso_account_id = 100000000002\nsso_role_name = Role1\nregion = eu-west-1\n"));

    // botocore reads what was written.
    let out = sb
        .peer("python3")
        .args(["-c", "import botocore.session; print(len([p for p in botocore.session.Session().available_profiles if '/' in p]))"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "6");

    // The generated profiles work.
    with_fake(sb.assume(&["Account-1/Role0"]), &fake)
        .run()
        .success();

    populate(&[]).success().stderr_has("up to date");
    assert_eq!(
        std::fs::read_to_string(sb.home().join(".aws/config")).unwrap(),
        text
    );

    // A role taken away stays until --prune.
    fake.set(|o| o.accounts = org(2, 2));
    populate(&[]).success();
    assert_eq!(
        std::fs::read_to_string(sb.home().join(".aws/config")).unwrap(),
        text
    );
    populate(&["--prune"]).success().stderr_has("2 removed");
    let pruned = std::fs::read_to_string(sb.home().join(".aws/config")).unwrap();
    assert!(pruned.starts_with(USER_CONTENT) && !pruned.contains("Account-2"));
}

#[test]
fn populate_gives_exactly_1500_profiles_from_500_accounts_under_throttling_and_latency() {
    let sb = Sandbox::new();
    sb.config(USER_CONTENT);
    let fake = FakeSso::start(Options {
        accounts: org(500, 3),
        latency: std::time::Duration::from_millis(20),
        throttle_every: Some(10),
        ..Options::default()
    });
    cli_writes_token(&sb, &fake, "corp", 8 * 3600);
    let run = || with_fake(sb.hat(&["sso", "populate", "--sso-session", "corp"]), &fake).run();
    run().success().stderr_has("wrote 1500 profiles");
    let text = std::fs::read_to_string(sb.home().join(".aws/config")).unwrap();
    assert!(text.starts_with(USER_CONTENT));
    assert_eq!(text.matches("\n[profile Account-").count(), 1500);
    assert!(fake.calls("ListAccountRoles") >= 500);
    run().success().stderr_has("up to date");
    assert_eq!(
        std::fs::read_to_string(sb.home().join(".aws/config")).unwrap(),
        text
    );
}

#[test]
fn twenty_concurrent_assumes_at_a_terminal_sign_in_once() {
    let sb = sandbox();
    let fake = FakeSso::start(Options {
        pending_polls: 2,
        ..Options::default()
    });
    // Each shell has a terminal (a pty from `script`), so hat may sign in; no browser
    // can be opened, so it uses a device code, which the fake approves on the third poll.
    // stdout goes to a file, as the shell function captures it.
    let children: Vec<_> = (0..20)
        .map(|i| {
            let command = format!(
                "{} assume --shell bash dev > {}",
                crate::support::HAT,
                sb.path(&format!("out{i}")).display()
            );
            sb.peer("script")
                .args(["-qec", &command, "/dev/null"])
                .env("AWS_ENDPOINT_URL_SSO_OIDC", &fake.url)
                .env("AWS_ENDPOINT_URL_SSO", &fake.url)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        let terminal = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{terminal}");
        let exports = std::fs::read_to_string(sb.path(&format!("out{i}"))).unwrap();
        assert!(exports.contains("AWS_ACCESS_KEY_ID"), "{terminal}");
    }
    assert_eq!(fake.calls("RegisterClient"), 1);
    assert_eq!(fake.calls("StartDeviceAuthorization"), 1);
    assert_eq!(fake.calls("GetRoleCredentials"), 1);
}

#[test]
fn server_faults_and_slow_answers_are_retried() {
    let sb = sandbox();
    let fake = FakeSso::start(Options {
        latency: std::time::Duration::from_millis(50),
        ..Options::default()
    });
    cli_writes_token(&sb, &fake, "corp", 8 * 3600);
    fake.set(|o| o.fail_5xx = 2);
    with_fake(sb.assume(&["dev"]), &fake).run().success();
    assert_eq!(fake.calls("GetRoleCredentials"), 3);
}

#[test]
fn a_client_registration_the_aws_cli_cached_is_reused() {
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    let (client_id, client_secret, _, _) = fake.mint();
    // The AWS CLI v2's registration for the PKCE flow, under its cache key.
    let script = r#"
import datetime, hashlib, json, os, sys
args = {'tool': 'botocore', 'startUrl': 'https://corp.awsapps.com/start', 'region': 'eu-west-1',
        'scopes': ['sso:account:access'], 'session_name': 'corp'}
key = hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest()
expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=80)).strftime('%Y-%m-%dT%H:%M:%SZ')
path = os.path.expanduser(f'~/.aws/sso/cache/{key}.json')
os.makedirs(os.path.dirname(path), exist_ok=True)
json.dump({'clientId': sys.argv[1], 'clientSecret': sys.argv[2], 'expiresAt': expires,
           'scopes': ['sso:account:access'], 'grantTypes': ['authorization_code', 'refresh_token']},
          open(path, 'w'))
"#;
    let status = sb
        .peer("python3")
        .args(["-c", script, &client_id, &client_secret])
        .status()
        .unwrap();
    assert!(status.success());
    with_fake(sb.hat(&["sso", "login", "--sso-session", "corp"]), &fake)
        .env("BROWSER", &browser(&sb))
        .run()
        .success();
    assert_eq!(fake.calls("RegisterClient"), 0);
    assert_eq!(read_token(&sb, "corp")["clientId"], client_id.as_str());
}

#[test]
fn the_console_signs_in_with_the_sso_role_credentials() {
    use crate::support::fake_federation::{FakeFederation, login_params};
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    let fed = FakeFederation::start();
    cli_writes_token(&sb, &fake, "corp", 8 * 3600);
    let exports = with_fake(sb.assume(&["dev"]), &fake)
        .run()
        .success()
        .exports();

    let out = with_fake(sb.assume(&["-c", "dev", "--url", "-d", "2h"]), &fake)
        .env("HAT_FEDERATION_ENDPOINT", &fed.url)
        .run();
    out.success();
    // The console reused the cached role credentials: no second GetRoleCredentials.
    assert_eq!(fake.calls("GetRoleCredentials"), 1);
    let (session, request) = fed.only_session();
    assert_eq!(Some(session.id), exports["AWS_ACCESS_KEY_ID"].clone());
    assert_eq!(Some(session.key), exports["AWS_SECRET_ACCESS_KEY"].clone());
    assert_eq!(Some(session.token), exports["AWS_SESSION_TOKEN"].clone());
    // SSO role sessions are role sessions: SessionDuration is allowed.
    assert_eq!(request.params["SessionDuration"], "7200");
    let url = out
        .stdout
        .split('\'')
        .find(|part| part.starts_with("http"))
        .expect("a quoted URL in the printf")
        .to_string();
    let (_, params) = login_params(&url);
    assert!(
        params["Destination"].starts_with("https://eu-central-1.console.aws.amazon.com/"),
        "{params:?}"
    );
}

#[test]
fn hat_list_marks_an_sso_profile_whose_role_credentials_are_cached() {
    let sb = sandbox();
    let fake = signed_in(&sb, "corp");
    let row = |out: &str| -> Vec<String> {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some("dev"))
            .unwrap_or_else(|| panic!("no row for dev:\n{out}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let before = with_fake(sb.hat(&["list"]), &fake).run();
    before.success();
    let cols = row(&before.stdout);
    assert_eq!(cols[..4], ["dev", "sso", "111111111111", "Admin"]);
    assert!(!cols.iter().any(|c| c == "✓"), "{cols:?}");

    with_fake(sb.assume(&["dev"]), &fake).run().success();
    let calls = fake.total_calls();
    let after = with_fake(sb.hat(&["list"]), &fake).run();
    after.success();
    assert!(
        row(&after.stdout).iter().any(|c| c == "✓"),
        "{}",
        after.stdout
    );
    // Marking reads hat's cache only.
    assert_eq!(fake.total_calls(), calls);
}

#[test]
fn a_failed_refresh_keeps_the_token_until_it_expires_then_says_so() {
    // Issue 13, botocore's rule: a refresh that fails with a service error leaves the
    // cached token in use while it lasts.
    let sb = sandbox();
    let fake = FakeSso::start(Options {
        // Every attempt of the refresh (the SDK tries three times) answers 500.
        fail_5xx: 3,
        ..Options::default()
    });
    let (old_access, _) = cli_writes_token(&sb, &fake, "corp", 5 * 60);
    with_fake(sb.assume(&["dev"]), &fake).run().success();
    assert_eq!(fake.calls("CreateToken:refresh_token"), 3);
    assert_eq!(fake.calls("GetRoleCredentials"), 1);
    assert_eq!(read_token(&sb, "corp")["accessToken"], old_access.as_str());

    // Expired, and the refresh fails again: the message says both.
    let sb = sandbox();
    let fake = FakeSso::start(Options {
        fail_5xx: 3,
        ..Options::default()
    });
    cli_writes_token(&sb, &fake, "corp", -60);
    with_fake(sb.assume(&["dev"]), &fake)
        .run()
        .failure()
        .stderr_has("the sign-in to corp has expired and refreshing it failed")
        .stderr_has("run `hat sso login --sso-session corp`");
}

#[test]
fn registrations_are_shaped_per_flow_as_the_cli_v2_sends_them() {
    // Issue 13: the device flow sends clientName, clientType and scopes only; PKCE adds
    // grantTypes, redirectUris and issuerUrl. Neither reuses the other's registration.
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    with_fake(
        sb.hat(&["sso", "login", "--sso-session", "corp", "--use-device-code"]),
        &fake,
    )
    .run()
    .success();
    let bodies = fake.registrations();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let device = bodies[0].as_object().unwrap();
    let mut keys: Vec<&str> = device.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["clientName", "clientType", "scopes"]);
    assert_eq!(device["clientType"], "public");
    assert_eq!(device["scopes"], serde_json::json!(["sso:account:access"]));
}

/// The registration cache file name the AWS CLI v2 computes
/// (awscli/botocore/utils.py, `BaseSSOTokenFetcher._registration_cache_key`): the venv's
/// botocore 1.x has no SSO token fetcher, so Python builds the CLI v2's argument dict and
/// hashes its `json.dumps(args, sort_keys=True)`, which is the part hat imitates.
fn cli_registration_path(
    sb: &Sandbox,
    start_url: &str,
    session: Option<&str>,
    scopes: Option<&[&str]>,
) -> PathBuf {
    let script = r#"
import hashlib, json, sys
start_url, region, session, scopes = sys.argv[1:]
args = {'tool': 'botocore', 'startUrl': start_url, 'region': region,
        'scopes': None if scopes == '-' else [s for s in scopes.split(',') if s],
        'session_name': None if session == '-' else session}
print(hashlib.sha1(json.dumps(args, sort_keys=True).encode('utf-8')).hexdigest())
"#;
    let scopes = scopes.map_or("-".to_string(), |s| s.join(","));
    let out = sb
        .peer("python3")
        .args([
            "-c",
            script,
            start_url,
            "eu-west-1",
            session.unwrap_or("-"),
            &scopes,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let key = String::from_utf8(out.stdout).unwrap();
    sb.home()
        .join(format!(".aws/sso/cache/{}.json", key.trim()))
}

#[test]
fn the_registration_cache_key_is_the_cli_v2s_with_null_scopes_when_none_are_configured() {
    // Issue 13: `"scopes": null` when sso_registration_scopes is absent, the list when it
    // is set, and null scopes and session for the legacy form.
    let sb = Sandbox::new();
    sb.config(
        "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access, extra

[sso-session open]
sso_start_url = https://open.awsapps.com/start
sso_region = eu-west-1
",
    );
    let fake = FakeSso::start(Options::default());
    let cases: [(&[&str], PathBuf); 3] = [
        (
            &["--sso-session", "corp"],
            cli_registration_path(
                &sb,
                START_URL,
                Some("corp"),
                Some(&["sso:account:access", "extra"]),
            ),
        ),
        (
            &["--sso-session", "open"],
            cli_registration_path(&sb, "https://open.awsapps.com/start", Some("open"), None),
        ),
        (
            &[
                "--sso-start-url",
                "https://legacy.awsapps.com/start",
                "--sso-region",
                "eu-west-1",
            ],
            cli_registration_path(&sb, "https://legacy.awsapps.com/start", None, None),
        ),
    ];
    for (args, path) in cases {
        assert!(!path.exists(), "{}", path.display());
        let mut argv = vec!["sso", "login", "--use-device-code"];
        argv.extend_from_slice(args);
        with_fake(sb.hat(&argv), &fake).run().success();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{args:?}: no registration at {}: {e}", path.display()));
        let registration: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(registration["clientId"].is_string(), "{text}");
    }
    // Unconfigured scopes still ask for the default, so the tokens can be refreshed.
    let bodies = fake.registrations();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert_eq!(
        bodies[0]["scopes"],
        serde_json::json!(["sso:account:access", "extra"])
    );
    assert_eq!(
        bodies[1]["scopes"],
        serde_json::json!(["sso:account:access"])
    );
}

#[test]
fn a_cli_registration_under_the_null_scopes_key_is_shared() {
    // Issue 13: the AWS CLI's device registration for an sso-session without
    // sso_registration_scopes (no scopes in the file) is the one hat reuses.
    let sb = Sandbox::new();
    sb.config("[sso-session open]\nsso_start_url = https://open.awsapps.com/start\nsso_region = eu-west-1\n");
    let fake = FakeSso::start(Options::default());
    let (client_id, client_secret, _, _) = fake.mint();
    let path = cli_registration_path(&sb, "https://open.awsapps.com/start", Some("open"), None);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let expires = hat::sso::token::stamp(hat::clock::now() + 80 * 86400);
    std::fs::write(
        &path,
        serde_json::json!({"clientId": client_id, "clientSecret": client_secret, "expiresAt": expires})
            .to_string(),
    )
    .unwrap();
    with_fake(
        sb.hat(&["sso", "login", "--sso-session", "open", "--use-device-code"]),
        &fake,
    )
    .run()
    .success();
    assert_eq!(fake.calls("RegisterClient"), 0);
    assert_eq!(read_token(&sb, "open")["clientId"], client_id.as_str());
}

/// A browser that records the URL it was given and refuses the sign-in at hat's
/// callback (with the URL's own `state`), so a login against a host that is not there
/// ends at once, without any network.
fn refusing_browser(sb: &Sandbox) -> String {
    let log = sb.path("browser.log");
    let script = sb.write(
        "refuse.py",
        &format!(
            r#"import sys, urllib.parse, urllib.request
url = sys.argv[1]
open({log:?}, 'a').write(url + '\n')
query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
back = query['redirect_uri'] + '?error=access_denied&state=' + urllib.parse.quote(query['state'])
try:
    opener.open(back, timeout=30).read()
except Exception:
    pass
"#,
            log = log.display().to_string()
        ),
    );
    let path = sb.write(
        "browser.sh",
        &format!("#!/bin/sh\nexec python3 '{}' \"$1\"\n", script.display()),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// The one /authorize URL the browser was given: its origin and its query fields as
/// sent (still percent-encoded), in order.
fn authorize_sent(sb: &Sandbox) -> (String, Vec<(String, String)>) {
    let log = std::fs::read_to_string(sb.path("browser.log")).expect("the browser ran");
    let urls: Vec<&str> = log.lines().collect();
    assert_eq!(urls.len(), 1, "{log}");
    let (base, query) = urls[0]
        .split_once("/authorize?")
        .expect("an /authorize URL");
    let fields = query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect();
    (base.to_string(), fields)
}

/// Checks every field of the /authorize query, with the CLI v2's encoding
/// (`percent_encode_sequence`: `%20` for spaces, `:` and `/` encoded).
#[track_caller]
fn assert_authorize_fields(fields: &[(String, String)], client_id: &str, scopes: &str) {
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "code_challenge",
            "code_challenge_method",
            "scopes"
        ]
    );
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).unwrap().1.as_str();
    assert_eq!(get("response_type"), "code");
    assert_eq!(get("client_id"), client_id);
    let port = get("redirect_uri")
        .strip_prefix("http%3A%2F%2F127.0.0.1%3A")
        .and_then(|rest| rest.strip_suffix("%2Foauth%2Fcallback"))
        .unwrap_or_else(|| panic!("redirect_uri {}", get("redirect_uri")));
    assert!(port.parse::<u16>().is_ok(), "{port}");
    for name in ["state", "code_challenge"] {
        let value = get(name);
        assert!(
            !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{name} = {value}"
        );
    }
    assert_eq!(get("code_challenge").len(), 43);
    assert_eq!(get("code_challenge_method"), "S256");
    assert_eq!(get("scopes"), scopes);
}

/// A PKCE registration the AWS CLI v2 cached for `session`, so the login goes straight
/// to the browser; the client id.
fn cli_pkce_registration(sb: &Sandbox, start_url: &str, region: &str, session: &str) -> String {
    let script = r#"
import datetime, hashlib, json, os, sys
start_url, region, session = sys.argv[1:]
args = {'tool': 'botocore', 'startUrl': start_url, 'region': region,
        'scopes': ['sso:account:access', 'extra'], 'session_name': session}
key = hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest()
expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=80)).strftime('%Y-%m-%dT%H:%M:%SZ')
path = os.path.expanduser(f'~/.aws/sso/cache/{key}.json')
os.makedirs(os.path.dirname(path), exist_ok=True)
json.dump({'clientId': 'cli-client', 'clientSecret': 'cli-secret', 'expiresAt': expires,
           'scopes': ['sso:account:access', 'extra'],
           'grantTypes': ['authorization_code', 'refresh_token']}, open(path, 'w'))
"#;
    let status = sb
        .peer("python3")
        .args(["-c", script, start_url, region, session])
        .status()
        .unwrap();
    assert!(status.success());
    "cli-client".to_string()
}

#[test]
fn the_authorize_url_is_on_the_partitions_oidc_host_in_china_and_with_fips() {
    // Issue 13: the CLI v2's `_get_base_authorization_uri` takes the resolved OIDC
    // endpoint, so China gets amazonaws.com.cn and FIPS oidc-fips. The browser refuses,
    // so nothing is sent to those hosts.
    let sb = Sandbox::new();
    sb.config(
        "\
[sso-session cn]
sso_start_url = https://d-1.awsapps.cn/start
sso_region = cn-north-1
sso_registration_scopes = sso:account:access, extra

[sso-session gov]
sso_start_url = https://d-2.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access, extra

[profile fips]
sso_session = gov
sso_account_id = 111111111111
sso_role_name = Admin
use_fips_endpoint = true
",
    );
    let cases = [
        (
            vec!["--sso-session", "cn"],
            ("https://d-1.awsapps.cn/start", "cn-north-1", "cn"),
            "https://oidc.cn-north-1.amazonaws.com.cn",
        ),
        (
            vec!["--profile", "fips"],
            ("https://d-2.awsapps.com/start", "us-east-1", "gov"),
            "https://oidc-fips.us-east-1.amazonaws.com",
        ),
    ];
    for (args, (start_url, region, session), host) in cases {
        let _ = std::fs::remove_file(sb.path("browser.log"));
        let client_id = cli_pkce_registration(&sb, start_url, region, session);
        let mut argv = vec!["sso", "login"];
        argv.extend(args);
        sb.hat(&argv)
            .env("BROWSER", &refusing_browser(&sb))
            .run()
            .failure()
            .stderr_has("was refused in the browser (access_denied)");
        let (base, fields) = authorize_sent(&sb);
        assert_eq!(base, host);
        assert_authorize_fields(&fields, &client_id, "sso%3Aaccount%3Aaccess%20extra");
    }
    // The environment's FIPS switch does the same for an sso-session alone.
    let _ = std::fs::remove_file(sb.path("browser.log"));
    sb.hat(&["sso", "login", "--sso-session", "gov"])
        .env("AWS_USE_FIPS_ENDPOINT", "true")
        .env("BROWSER", &refusing_browser(&sb))
        .run()
        .failure();
    assert_eq!(
        authorize_sent(&sb).0,
        "https://oidc-fips.us-east-1.amazonaws.com"
    );
}

#[test]
fn with_the_oidc_endpoint_overridden_the_browser_goes_to_its_authorize_page() {
    // Issue 13: an endpoint URL for SSO OIDC moves the /authorize page with it (the CLI
    // derives it from the resolved endpoint); the whole flow then runs against the fake.
    let sb = sandbox();
    let fake = FakeSso::start(Options::default());
    with_fake(sb.hat(&["sso", "login", "--sso-session", "corp"]), &fake)
        .env("BROWSER", &browser(&sb))
        .run()
        .success()
        .stderr_has("signed in to corp");
    let (base, fields) = authorize_sent(&sb);
    assert_eq!(base, fake.url.trim_end_matches('/'));
    let token = read_token(&sb, "corp");
    assert_authorize_fields(
        &fields,
        token["clientId"].as_str().unwrap(),
        "sso%3Aaccount%3Aaccess",
    );
    assert_eq!(fake.calls("CreateToken:authorization_code"), 1);
}

/// The vanity host's certificate authority and its certificate for localhost (made with
/// openssl: a P-256 CA valid 100 years whose key was thrown away, and a leaf with
/// subjectAltName DNS:localhost,IP:127.0.0.1, serverAuth).
const VANITY_CA: &str = include_str!("../support/vanity_tls/ca.pem");
const VANITY_CERT: &str = include_str!("../support/vanity_tls/cert.pem");
const VANITY_KEY: &str = include_str!("../support/vanity_tls/key.pem");

/// A company's vanity sign-in host: https on loopback (trusted through AWS_CA_BUNDLE
/// naming [`VANITY_CA`]), redirecting as `routes` says; the requests it received.
fn vanity_host(
    routes: &'static [(&'static str, &'static str, u16, &'static str)],
) -> (
    hat_fakes::server::Server,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use hat_fakes::server::{Response, Server};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    let server = Server::start_tls(VANITY_CERT, VANITY_KEY, move |r| {
        log.lock().unwrap().push(format!("{} {}", r.method, r.path));
        match routes
            .iter()
            .find(|(method, path, _, _)| *method == r.method && *path == r.path)
        {
            Some((_, _, status, location)) => {
                Response::new(*status, "text/html", "").header("location", location)
            }
            None => Response::new(404, "text/html", "not here"),
        }
    });
    (server, seen)
}

const PORTAL_START: &str = "https://d-1234567890.awsapps.com/start";

const VANITY_ROUTES: &[(&str, &str, u16, &str)] = &[
    // One 302 to the portal's start URL (with the trailing slash the CLI strips).
    (
        "HEAD",
        "/start",
        302,
        "https://d-1234567890.awsapps.com/start/",
    ),
    // HEAD refused: the CLI asks again with GET.
    ("HEAD", "/get", 405, ""),
    ("GET", "/get", 302, "https://d-1234567890.awsapps.com/start"),
    // A chain of two: the CLI follows one redirect only.
    ("HEAD", "/chain", 302, "/start"),
];

/// botocore's token cache file name for a start URL without an sso-session.
fn botocore_token_path(sb: &Sandbox, start_url: &str) -> PathBuf {
    let out = sb
        .peer("python3")
        .args([
            "-c",
            "import sys; from botocore.utils import SSOTokenLoader; print(SSOTokenLoader(cache={})._generate_cache_key(sys.argv[1], None))",
            start_url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let key = String::from_utf8(out.stdout).unwrap();
    sb.home()
        .join(format!(".aws/sso/cache/{}.json", key.trim()))
}

#[test]
fn a_vanity_start_url_is_resolved_for_oidc_while_the_caches_keep_the_configured_one() {
    // Issue 13, the CLI v2's resolve.py: a start URL off the AWS-owned hosts is asked
    // where it leads; SSO OIDC gets that URL, the cache files keep the configured one.
    let sb = Sandbox::new();
    let (vanity, seen) = vanity_host(VANITY_ROUTES);
    let ca = sb.write("ca.pem", VANITY_CA);
    let ca = ca.display().to_string();
    for path in ["/start", "/get"] {
        let fake = FakeSso::start(Options::default());
        let configured = format!("https://localhost:{}{path}", vanity.port());
        with_fake(
            sb.hat(&[
                "sso",
                "login",
                "--sso-start-url",
                &configured,
                "--sso-region",
                "eu-west-1",
                "--use-device-code",
            ]),
            &fake,
        )
        .env("AWS_CA_BUNDLE", &ca)
        .run()
        .success();
        let started = fake.device_authorizations();
        assert_eq!(started.len(), 1, "{started:?}");
        assert_eq!(started[0]["startUrl"], PORTAL_START);
        let text = std::fs::read_to_string(botocore_token_path(&sb, &configured))
            .expect("the token file botocore names after the configured URL");
        let token: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(token["startUrl"], configured.as_str());
        assert!(cli_registration_path(&sb, &configured, None, None).exists());
    }
    assert_eq!(
        *seen.lock().unwrap(),
        ["HEAD /start", "HEAD /get", "GET /get"]
    );

    // The PKCE flow registers with the resolved URL as issuerUrl.
    sb.config(&format!(
        "[sso-session vanity]\nsso_start_url = https://localhost:{}/start\nsso_region = eu-west-1\n",
        vanity.port()
    ));
    let fake = FakeSso::start(Options::default());
    with_fake(sb.hat(&["sso", "login", "--sso-session", "vanity"]), &fake)
        .env("AWS_CA_BUNDLE", &ca)
        .env("BROWSER", &browser(&sb))
        .run()
        .success();
    let bodies = fake.registrations();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["issuerUrl"], PORTAL_START);
    assert!(read_token(&sb, "vanity")["accessToken"].is_string());
}

#[test]
fn a_vanity_start_url_that_redirects_twice_or_cannot_be_reached_is_a_clear_error() {
    // The CLI follows one redirect; where it lands must be IAM Identity Center's.
    let sb = Sandbox::new();
    let (vanity, seen) = vanity_host(VANITY_ROUTES);
    let ca = sb.write("ca.pem", VANITY_CA);
    let fake = FakeSso::start(Options::default());
    let configured = format!("https://localhost:{}/chain", vanity.port());
    with_fake(
        sb.hat(&[
            "sso",
            "login",
            "--sso-start-url",
            &configured,
            "--sso-region",
            "eu-west-1",
            "--use-device-code",
        ]),
        &fake,
    )
    .env("AWS_CA_BUNDLE", &ca.display().to_string())
    .run()
    .failure()
    .stderr_has(&format!(
        "could not resolve the vanity start URL {configured} (it leads to https://localhost:{}/start, which is not an IAM Identity Center address)",
        vanity.port()
    ));
    assert_eq!(*seen.lock().unwrap(), ["HEAD /chain"]);
    assert_eq!(fake.total_calls(), 0);
    // Without the CA that signed the vanity host's certificate: not trusted, named.
    with_fake(
        sb.hat(&[
            "sso",
            "login",
            "--sso-start-url",
            &format!("https://localhost:{}/start", vanity.port()),
            "--sso-region",
            "eu-west-1",
            "--use-device-code",
        ]),
        &fake,
    )
    .run()
    .failure()
    .stderr_has("could not resolve the vanity start URL");
    assert_eq!(fake.total_calls(), 0);
}
