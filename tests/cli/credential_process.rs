//! `hat credential-process`: the Version 1 JSON that the AWS CLI and botocore read,
//! from the cache when it can, and a clear way out when it cannot ask for input.

use crate::support::fake_sts::{FakeSts, Reply};
use crate::support::{CHAIN_CONFIG, HAT, Sandbox, moto};

#[test]
fn the_aws_cli_uses_hat_as_its_credential_process() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "{CHAIN_CONFIG}\n[profile via-hat]\ncredential_process = {HAT} credential-process --profile c\nregion = us-east-1\n"
    ));
    assert_eq!(
        moto::profile_arn(&sandbox, "via-hat"),
        "arn:aws:sts::333333333333:assumed-role/c/hat-tester"
    );
}

#[test]
fn answers_version_1_json_and_then_from_the_cache() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let fake = FakeSts::start(vec![Reply::Ok]);
    let first = sandbox
        .hat(&["credential-process", "--profile", "a"])
        .sts(&fake.url)
        .run();
    first.success();
    let json: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(json["Version"], serde_json::json!(1));
    for field in ["AccessKeyId", "SecretAccessKey", "SessionToken"] {
        assert!(
            json[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field}"
        );
    }
    let expiration = json["Expiration"].as_str().unwrap();
    assert!(
        hat::clock::parse_rfc3339(expiration).is_some(),
        "{expiration}"
    );
    assert_eq!(fake.requests().len(), 1);

    let second = sandbox
        .hat(&["credential-process", "--profile", "a"])
        .sts(&fake.url)
        .run();
    second.success();
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(fake.requests().len(), 1, "the second answer called STS");
}

#[test]
fn without_a_terminal_an_mfa_profile_names_the_command_to_run() {
    let sandbox = Sandbox::new();
    sandbox.config(
        "[profile base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n\
         [profile prod]\nrole_arn = arn:aws:iam::1:role/p\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/t\n",
    );
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .hat(&["credential-process", "--profile", "prod"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("run `hat credential-process --profile prod`")
        // and which setting makes it work with no terminal at all (issue 17).
        .stderr_has("under [mfa]");
    assert!(fake.requests().is_empty());
}

const BOTOCORE: &str = r#"
import os
import botocore.session
session = botocore.session.Session(profile="via-hat")
creds = session.get_credentials()
sts = session.create_client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
print(creds.method, sts.get_caller_identity()["Arn"])
"#;

#[test]
fn botocore_uses_hat_as_its_credential_process() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "{CHAIN_CONFIG}\n[profile via-hat]\ncredential_process = {HAT} credential-process --profile c\nregion = us-east-1\n"
    ));
    let script = sandbox.write("via_hat.py", BOTOCORE);
    let out = sandbox
        .peer("python3")
        .arg(&script)
        .env("AWS_ENDPOINT_URL_STS", moto::url())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "custom-process arn:aws:sts::333333333333:assumed-role/c/hat-tester",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
