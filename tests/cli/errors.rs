//! Errors a user can act on: each names what to fix, leaves stdout empty (so the shell
//! function evaluates nothing) and never shows a secret.

use crate::support::fake_sts::{FakeSts, ISSUED_SECRET_PREFIX, ISSUED_TOKEN_PREFIX, Reply};
use crate::support::{BASE_SECRET, CHAIN_CONFIG, Sandbox, moto};

#[test]
fn unknown_profile_names_the_closest_ones() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "{CHAIN_CONFIG}\n[profile production]\nregion = x\n[profile prod-admin]\nregion = x\n"
    ));
    sandbox
        .assume(&["prdo"])
        .run()
        .failure()
        .stderr_has("no profile named `prdo`")
        .stderr_has("Did you mean `prod-admin` or `production`?");
    sandbox
        .assume(&["zzzzzz"])
        .run()
        .failure()
        .stderr_has("`hat config`");
}

#[test]
fn hostile_profile_names_are_only_ever_text() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    sandbox
        .assume(&["x$(touch pwned)"])
        .run()
        .failure()
        .stderr_has("no profile named `x$(touch pwned)`");
    assert!(!sandbox.path("pwned").exists());
}

#[test]
fn source_profile_cycle_prints_the_chain() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n");
    sandbox
        .assume(&["a"])
        .run()
        .failure()
        .stderr_has("source_profile cycle: a -> b -> a")
        .stderr_has("config, line 6");
}

#[test]
fn missing_source_profile_says_where_it_is_named() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile base2]\naws_access_key_id = A\naws_secret_access_key = S\n[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n");
    sandbox
        .assume(&["r"])
        .run()
        .failure()
        .stderr_has("profile `r` has source_profile = base, but there is no profile `base`")
        .stderr_has("line 6")
        .stderr_has("Did you mean `base2`?");
}

#[test]
fn access_denied_from_sts_explains_what_to_check() {
    // moto with IAM authorization on: a user with no policies may not assume a role.
    let url = moto::start_with_auth(2);
    let sandbox = Sandbox::new();
    let aws = |args: &[&str]| moto::admin(&sandbox, &url, args);
    aws(&["iam", "create-user", "--user-name", "dev"]);
    let key = aws(&["iam", "create-access-key", "--user-name", "dev"]);
    let id = key["AccessKey"]["AccessKeyId"].as_str().unwrap();
    let secret = key["AccessKey"]["SecretAccessKey"].as_str().unwrap();
    sandbox.config(&format!(
        "[profile dev]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n[profile target]\nrole_arn = arn:aws:iam::123456789012:role/target\nsource_profile = dev\n"
    ));
    let out = sandbox.assume(&["target", "-v"]).sts(&url).run();
    out.failure()
        .stderr_has(
            "access denied assuming arn:aws:iam::123456789012:role/target for profile `target`",
        )
        .stderr_has("trust policy of arn:aws:iam::123456789012:role/target")
        .stderr_has("needs an IAM policy that allows sts:AssumeRole")
        .stderr_has("service control policy")
        .stderr_has("add mfa_serial")
        .stderr_has("add external_id")
        .stderr_has("user/dev is not authorized to perform: sts:AssumeRole")
        .stderr_lacks(secret);
}

#[test]
fn rejected_mfa_code_is_explained() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile user]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n[profile prod]\nrole_arn = arn:aws:iam::1:role/prod\nsource_profile = user\nmfa_serial = arn:aws:iam::1:mfa/me\n");
    let fake = FakeSts::start(vec![Reply::Error {
        status: 403,
        code: "AccessDenied",
        message: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    }]);
    sandbox
        .assume(&["prod", "--mfa-token", "123456"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("the MFA code for profile `prod` was not accepted")
        .stderr_has("already used");
    assert!(sandbox.cached().is_empty());
}

#[test]
fn expired_source_token_is_explained() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile old]\naws_access_key_id = ASIAOLD\naws_secret_access_key = s\naws_session_token = t\n[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = old\n");
    let fake = FakeSts::start(vec![Reply::Error {
        status: 400,
        code: "ExpiredToken",
        message: "The security token included in the request is expired",
    }]);
    sandbox
        .assume(&["r"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("(profile `old`) have expired")
        .stderr_has("STS said ExpiredToken");
}

#[test]
fn unreachable_endpoint_is_named() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    // Bound and closed again: nothing listens there.
    let port = crate::support::free_port();
    let url = format!("http://127.0.0.1:{port}");
    sandbox
        .assume(&["a"])
        .sts(&url)
        .run()
        .failure()
        .stderr_has(&format!("could not reach STS at {url} for profile `a`"))
        .stderr_has("AWS_ENDPOINT_URL_STS");
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let fake = FakeSts::start(vec![
        Reply::Error {
            status: 400,
            code: "Throttling",
            message: "Rate exceeded",
        },
        Reply::Error {
            status: 503,
            code: "ServiceUnavailable",
            message: "try later",
        },
        Reply::Ok,
    ]);
    sandbox.assume(&["a"]).sts(&fake.url).run().success();
    assert_eq!(fake.requests().len(), 3);

    let always = FakeSts::start(vec![Reply::Error {
        status: 400,
        code: "Throttling",
        message: "Rate exceeded",
    }]);
    sandbox
        .assume(&["a"])
        .sts(&always.url)
        .run()
        .failure()
        .stderr_has("throttling");
}

#[test]
fn verbose_runs_never_show_secrets() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!("{CHAIN_CONFIG}\n[profile m]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/me\n"));
    let fake = FakeSts::start(vec![Reply::Ok]);
    for args in [
        &["c", "-v"][..],
        &["c", "-v"],
        &["m", "-v", "--mfa-token", "654321"],
    ] {
        let out = sandbox.assume(args).sts(&fake.url).run();
        out.success()
            .stderr_lacks(BASE_SECRET)
            .stderr_lacks(ISSUED_SECRET_PREFIX)
            .stderr_lacks(ISSUED_TOKEN_PREFIX)
            .stderr_lacks("654321");
    }
    // And failures: a denied call with secrets in play.
    let denied = FakeSts::start(vec![Reply::Error {
        status: 403,
        code: "AccessDenied",
        message: "not authorized",
    }]);
    sandbox
        .assume(&["c", "-v", "--no-cache"])
        .sts(&denied.url)
        .run()
        .failure()
        .stderr_lacks(BASE_SECRET);
}

#[test]
fn duration_seconds_that_is_not_a_number_points_at_the_line() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!("{CHAIN_CONFIG}\n[profile d]\nrole_arn = arn:aws:iam::1:role/d\nsource_profile = base\nduration_seconds = 1h\n"));
    sandbox
        .assume(&["d"])
        .run()
        .failure()
        .stderr_has("duration_seconds = 1h, which is not a whole number of seconds")
        .stderr_has("line 23");
}

/// A credential_process line that runs hat under another name for its own profile: hat
/// does not take the line for its own, so each run starts the next. The depth count hat
/// puts on every credential_process stops it with an error instead of forking on.
#[test]
fn a_credential_process_that_runs_itself_stops_with_an_error() {
    let sandbox = Sandbox::new();
    let renamed = sandbox.path("bin/hat-renamed");
    std::fs::create_dir_all(renamed.parent().unwrap()).unwrap();
    std::fs::copy(crate::support::HAT, &renamed).unwrap();
    sandbox.config(&format!(
        "[profile loop]\ncredential_process = {} credential-process --profile loop\n",
        renamed.display()
    ));
    sandbox
        .assume(&["loop"])
        .run()
        .failure()
        .stderr_has("would be the 9th run inside one another: a line that runs itself")
        .stderr_has("hat credential-process --profile NAME");
}
