//! Bounded failures (issue 14): an endpoint that accepts and never answers (a black
//! hole) or answers one byte a second (a slow loris) ends every command within the
//! network limits (9 s by default, asserted generously at 15 s) with one sentence
//! that names the endpoint and what to check: no Debug structures, no `source:`
//! chains. And a request refused for a skewed clock says by how much.

use crate::support::fake_sts::{FakeSts, Reply};
use crate::support::{CHAIN_CONFIG, Output, Run, Sandbox, moto};
use hat_fakes::stall::{BlackHole, SlowLoris};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(15);

const SSO_CONFIG: &str = "
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-central-1
";

/// Runs `run`, checks it failed within [`BOUND`] with one clean sentence naming `what`.
fn bounded(run: Run, what: &str) -> Output {
    let start = Instant::now();
    let out = run.run();
    let took = start.elapsed();
    out.failure().stderr_has(what);
    let stderr = out.stderr.clone();
    assert!(took < BOUND, "took {took:?}: {stderr}");
    for debug in [
        "source:",
        "Error {",
        "TimeoutError",
        "{ kind",
        "DispatchFailure",
    ] {
        assert!(
            !stderr.contains(debug),
            "a Debug structure ({debug}): {stderr}"
        );
    }
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "one sentence, one line: {stderr}"
    );
    out
}

fn each_stall(check: impl Fn(&str)) {
    let hole = BlackHole::start();
    check(&hole.url);
    let loris = SlowLoris::start();
    check(&loris.url);
}

#[test]
fn sts_that_never_answers_fails_within_the_bound() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    each_stall(|url| {
        bounded(
            sandbox.assume(&["a"]).sts(url),
            &format!(
                "could not reach STS at {url} for profile `a`: it did not answer within 9s; check your network connection"
            ),
        );
    });
    assert!(sandbox.cached().is_empty());
}

#[test]
fn network_limits_come_from_settings_and_the_sdk_variables() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!("{CHAIN_CONFIG}\n[profile once]\nrole_arn = arn:aws:iam::1:role/o\nsource_profile = base\nmax_attempts = 1\n"));
    std::fs::create_dir_all(sandbox.home().join(".config/hat")).unwrap();
    std::fs::write(
        sandbox.home().join(".config/hat/config.toml"),
        "[network]\ntimeout = 2\n",
    )
    .unwrap();
    let hole = BlackHole::start();
    let start = Instant::now();
    bounded(
        sandbox.assume(&["once"]).sts(&hole.url),
        "it did not answer within 2s",
    );
    assert!(start.elapsed() < Duration::from_secs(6));
    sandbox
        .assume(&["a"])
        .sts(&hole.url)
        .env("AWS_MAX_ATTEMPTS", "many")
        .run()
        .failure()
        .stderr_has("AWS_MAX_ATTEMPTS is `many`: give a whole number from 1 to 10");
}

#[test]
fn sso_portal_that_never_answers_fails_within_the_bound() {
    let sandbox = Sandbox::new();
    sandbox.config(SSO_CONFIG);
    let token = serde_json::json!({
        "startUrl": "https://corp.awsapps.com/start",
        "region": "eu-west-1",
        "accessToken": "not-a-real-token",
        "expiresAt": "2099-01-01T00:00:00Z",
    });
    let cache = sandbox.home().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    let name = format!("{}.json", hat::sso::token::sha1_hex(b"corp"));
    std::fs::write(cache.join(name), token.to_string()).unwrap();
    each_stall(|url| {
        bounded(
            sandbox.assume(&["dev"]).env("AWS_ENDPOINT_URL_SSO", url),
            &format!("could not reach the SSO portal at {url}: it did not answer within 9s"),
        );
    });
}

#[test]
fn sso_oidc_that_never_answers_fails_within_the_bound() {
    let sandbox = Sandbox::new();
    sandbox.config(SSO_CONFIG);
    each_stall(|url| {
        bounded(
            sandbox
                .hat(&["sso", "login", "--sso-session", "corp"])
                .env("AWS_ENDPOINT_URL_SSO_OIDC", url)
                .env("AWS_ENDPOINT_URL_SSO", url)
                .env("BROWSER", "true"),
            &format!("could not reach SSO OIDC at {url}: it did not answer within 9s"),
        );
    });
}

#[test]
fn instance_metadata_that_never_answers_fails_within_the_bound() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile on-ec2]\nrole_arn = arn:aws:iam::444455556666:role/deploy\ncredential_source = Ec2InstanceMetadata\nregion = us-east-1\n");
    each_stall(|url| {
        bounded(
            sandbox
                .assume(&["on-ec2"])
                .sts(moto::url())
                .env("AWS_EC2_METADATA_DISABLED", "")
                .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
                .env("AWS_METADATA_SERVICE_TIMEOUT", "1.5"),
            &format!(
                "could not reach the instance metadata service at {url}/latest/api/token: it did not answer within 1.5s; check that hat runs where that endpoint exists"
            ),
        );
    });
}

#[test]
fn federation_endpoint_that_never_answers_fails_within_the_bound() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    each_stall(|url| {
        bounded(
            sandbox
                .hat(&["console", "a", "--url"])
                .sts(moto::url())
                .env("HAT_FEDERATION_ENDPOINT", &format!("{url}/federation"))
                .env("BROWSER", "true"),
            "it did not answer within 9s; check your network connection and proxy settings",
        );
    });
}

#[test]
fn a_skewed_clock_is_reported_with_the_offset() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    // STS's clock says 10 minutes earlier: this machine's is 10 minutes ahead.
    let fake = FakeSts::start(vec![Reply::Skewed(-600)]);
    bounded(
        sandbox.assume(&["a"]).sts(&fake.url),
        "STS refused AssumeRole for profile `a` because this machine's clock is 10m",
    )
    .stderr_has(
        "ahead of the server's (STS said SignatureDoesNotMatch); set this machine's clock right",
    );
}

#[test]
fn container_endpoint_that_never_answers_fails_within_the_bound() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile in-container]\nrole_arn = arn:aws:iam::777788889999:role/task-child\ncredential_source = EcsContainer\nregion = us-east-1\n");
    each_stall(|url| {
        let full = format!("{url}/creds");
        bounded(
            sandbox
                .assume(&["in-container"])
                .sts(moto::url())
                .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full),
            &format!(
                "at {full}: it did not answer within 2s; check that hat runs where that endpoint exists"
            ),
        );
    });
}
