//! `aws login` sessions (issue 13): `login_session = ARN` profiles read the AWS CLI's
//! `~/.aws/login/cache/<sha256(ARN)>.json`, use its credentials while they last, and
//! refresh them with the refresh token and a DPoP proof, which the project's fake
//! Sign-In service verifies with the session's public key. Cases after aws-config's
//! `test-data/login-provider-test-cases.json`, in hat's terms.

use crate::support::moto;
use crate::support::{Run, Sandbox};
use hat_fakes::signin::{self, FakeSignin, Options};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

const ARN: &str = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
const CLIENT: &str = "arn:aws:signin:::devtools/same-device";

const CONFIG: &str = "\
[profile me]
login_session = arn:aws:sts::012345678910:assumed-role/Admin/admin
region = us-east-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = me
";

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.config(CONFIG);
    sb
}

fn cache_path(sb: &Sandbox) -> PathBuf {
    let name = hex::encode(Sha256::digest(ARN.as_bytes()));
    sb.home().join(format!(".aws/login/cache/{name}.json"))
}

/// The file as `aws login` leaves it (the CLI's fields, in its order), with
/// credentials that expire `expires_in` seconds from now.
fn cli_file(refresh: &str, expires_in: i64) -> Value {
    json!({
        "accessToken": {
            "accessKeyId": "ASIACACHEDEXAMPLE",
            "secretAccessKey": "cachedSecretExample",
            "sessionToken": "cachedSessionExample",
            "accountId": "012345678910",
            "expiresAt": hat_fakes::rfc3339(hat_fakes::now() + expires_in),
        },
        "tokenType": "aws_sigv4",
        "refreshToken": refresh,
        "idToken": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2ln",
        "clientId": CLIENT,
        "dpopKey": signin::TEST_KEY,
    })
}

fn write(sb: &Sandbox, file: &Value) -> Vec<u8> {
    let path = cache_path(sb);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text = serde_json::to_vec_pretty(file).unwrap();
    std::fs::write(&path, &text).unwrap();
    text
}

fn with_fake(run: Run, fake: &FakeSignin) -> Run {
    run.env("AWS_ENDPOINT_URL_SIGNIN", &fake.url)
}

#[test]
fn valid_cached_credentials_are_used_without_a_call() {
    let sb = sandbox();
    let fake = FakeSignin::start(Options::default());
    let refresh = fake.mint(CLIENT, signin::TEST_KEY);
    let before = write(&sb, &cli_file(&refresh, 3600));
    let out = with_fake(sb.assume(&["me"]), &fake).run();
    out.success();
    let exports = out.exports();
    assert_eq!(
        exports["AWS_ACCESS_KEY_ID"].as_deref(),
        Some("ASIACACHEDEXAMPLE")
    );
    assert_eq!(
        exports["AWS_SESSION_TOKEN"].as_deref(),
        Some("cachedSessionExample")
    );
    assert_eq!(fake.calls(), 0);
    assert_eq!(std::fs::read(cache_path(&sb)).unwrap(), before);
    // The second assume is hat's own cache entry.
    with_fake(sb.assume(&["me", "-v"]), &fake)
        .run()
        .success()
        .stderr_has("cached credentials");
}

#[test]
fn a_missing_session_file_names_aws_login() {
    let sb = sandbox();
    sb.assume(&["me"])
        .run()
        .failure()
        .stderr_has("run `aws login --profile me`")
        .stderr_has("not signed in");
}

#[test]
fn each_missing_field_is_one_sentence_naming_aws_login() {
    let fields: [(&str, &[&str]); 7] = [
        ("accessToken", &["accessToken"]),
        ("accessToken.accessKeyId", &["accessToken", "accessKeyId"]),
        (
            "accessToken.secretAccessKey",
            &["accessToken", "secretAccessKey"],
        ),
        ("accessToken.sessionToken", &["accessToken", "sessionToken"]),
        ("accessToken.expiresAt", &["accessToken", "expiresAt"]),
        ("refreshToken", &["refreshToken"]),
        ("dpopKey", &["dpopKey"]),
    ];
    for (name, path) in fields {
        let sb = sandbox();
        let mut file = cli_file("r", 3600);
        match path {
            [top] => {
                file.as_object_mut().unwrap().remove(*top);
            }
            [top, inner] => {
                file[top].as_object_mut().unwrap().remove(*inner);
            }
            _ => unreachable!(),
        }
        write(&sb, &file);
        let out = sb.assume(&["me"]).run();
        out.failure()
            .stderr_has(&format!("has no `{name}`"))
            .stderr_has("run `aws login --profile me`");
        assert_eq!(out.stderr.trim().lines().count(), 1, "{name}");
    }
    // Not JSON at all, and a time that is not one.
    let sb = sandbox();
    let path = cache_path(&sb);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "not json").unwrap();
    sb.assume(&["me"])
        .run()
        .failure()
        .stderr_has("is not an `aws login` session file");
    let mut file = cli_file("r", 3600);
    file["accessToken"]["expiresAt"] = "tomorrow".into();
    write(&sb, &file);
    sb.assume(&["me"])
        .run()
        .failure()
        .stderr_has("unreadable `accessToken.expiresAt`");
}

#[test]
fn twenty_parallel_assumes_refresh_an_expired_session_once() {
    let sb = sandbox();
    let fake = FakeSignin::start(Options {
        latency: std::time::Duration::from_millis(200),
        ..Options::default()
    });
    let refresh = fake.mint(CLIENT, signin::TEST_KEY);
    write(&sb, &cli_file(&refresh, -60));
    let children: Vec<_> = (0..20)
        .map(|_| {
            with_fake(sb.assume(&["me"]), &fake)
                .command()
                .spawn()
                .unwrap()
        })
        .collect();
    let mut keys = std::collections::HashSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let exports = crate::support::parse_posix_exports(&String::from_utf8_lossy(&out.stdout));
        keys.insert(exports["AWS_ACCESS_KEY_ID"].clone().unwrap());
    }
    assert_eq!(fake.calls(), 1, "{:?}", fake.rejections());
    assert!(fake.rejections().is_empty(), "{:?}", fake.rejections());
    assert_eq!(keys.len(), 1);
    let key = keys.into_iter().next().unwrap();
    assert!(key.starts_with("ASIASIGNIN"), "{key}");

    // The file is the CLI's again: new credentials and refresh token, the rest kept.
    let path = cache_path(&sb);
    let text = std::fs::read_to_string(&path).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let access = &file["accessToken"];
    assert_eq!(access["accessKeyId"], key.as_str());
    assert!(
        access["secretAccessKey"]
            .as_str()
            .unwrap()
            .starts_with(signin::SECRET_PREFIX)
    );
    assert!(
        access["sessionToken"]
            .as_str()
            .unwrap()
            .starts_with("signinSession")
    );
    assert_eq!(access["accountId"], "012345678910");
    let expires = access["expiresAt"].as_str().unwrap();
    assert!(expires.ends_with('Z') && expires.len() == 20, "{expires}");
    let left = time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
        - hat_fakes::now();
    assert!((800..=900).contains(&left), "{left}");
    assert_ne!(file["refreshToken"], refresh.as_str());
    assert!(
        file["refreshToken"]
            .as_str()
            .unwrap()
            .starts_with(signin::REFRESH_PREFIX)
    );
    assert_eq!(file["clientId"], CLIENT);
    assert_eq!(file["dpopKey"], signin::TEST_KEY);
    assert_eq!(file["tokenType"], "aws_sigv4");
    assert_eq!(file["idToken"], cli_file("", 0)["idToken"]);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The refresh token that was used is spent; the new one works next time.
    assert!(!text.contains(&refresh));
}

#[test]
fn a_failed_refresh_leaves_the_file_as_it_was() {
    for (options, words) in [
        (
            Options {
                deny: Some("TOKEN_EXPIRED"),
                ..Options::default()
            },
            "the session has expired",
        ),
        (
            Options {
                deny: Some("invalid_grant"),
                ..Options::default()
            },
            "the session has expired",
        ),
        (
            Options {
                fail_5xx: 100,
                ..Options::default()
            },
            "InternalServerException",
        ),
    ] {
        let sb = sandbox();
        let fake = FakeSignin::start(options);
        let refresh = fake.mint(CLIENT, signin::TEST_KEY);
        let before = write(&sb, &cli_file(&refresh, 60));
        let out = with_fake(sb.assume(&["me"]), &fake).run();
        out.failure()
            .stderr_has("could not refresh the `aws login` session of profile `me`")
            .stderr_has(words)
            .stderr_has("run `aws login --profile me`")
            .stderr_lacks(&refresh);
        assert_eq!(std::fs::read(cache_path(&sb)).unwrap(), before);
        assert!(fake.calls() >= 1);
        assert!(sb.cached().is_empty());
    }
}

#[test]
fn a_proof_signed_with_another_key_is_refused_by_the_fake() {
    // The fake's check is real: a session file whose key is not the one the session
    // was minted for fails, and the file stays.
    let sb = sandbox();
    let fake = FakeSignin::start(Options::default());
    let refresh = fake.mint(CLIENT, signin::OTHER_KEY);
    let before = write(&sb, &cli_file(&refresh, 0));
    with_fake(sb.assume(&["me"]), &fake)
        .run()
        .failure()
        .stderr_has("ValidationException");
    assert_eq!(fake.rejections(), ["the jwk is not the session's key"]);
    assert_eq!(std::fs::read(cache_path(&sb)).unwrap(), before);
}

#[test]
fn a_role_chains_on_a_login_session_against_moto() {
    let sb = sandbox();
    let fake = FakeSignin::start(Options::default());
    let refresh = fake.mint(CLIENT, signin::TEST_KEY);
    write(&sb, &cli_file(&refresh, 3600));
    let out = with_fake(sb.assume(&["admin", "-v"]), &fake)
        .sts(moto::url())
        .run();
    out.success()
        .stderr_has("me -> admin")
        .stderr_has("AssumeRole arn:aws:iam::123456789012:role/admin");
    let exports = out.exports();
    let key = exports["AWS_ACCESS_KEY_ID"].clone().unwrap();
    assert_ne!(key, "ASIACACHEDEXAMPLE");
    assert_eq!(fake.calls(), 0);
    // Both steps are in hat's cache (keyed by the endpoints too): the next assume
    // reads the role's entry alone.
    with_fake(sb.assume(&["admin", "-v"]), &fake)
        .sts(moto::url())
        .run()
        .success()
        .stderr_has("profile admin: cached credentials")
        .stderr_lacks("AssumeRole");
}

#[test]
fn hat_list_shows_the_login_base() {
    let sb = sandbox();
    sb.hat(&["list"]).run().success().stdout_has("login");
}
