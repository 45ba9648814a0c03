//! `credential_source = Ec2InstanceMetadata` against an IMDSv2 fake, and
//! `credential_source = EcsContainer` against hat's own `exec --server`, each as the base
//! of a role chain that moto's STS then assumes; and endpoints that fail, named.

use crate::support::fake_imds::{self, FakeImds, Seen};
use crate::support::{CHAIN_CONFIG, HAT, Output, Sandbox, moto};

const ON_EC2: &str = "
[profile on-ec2]
role_arn = arn:aws:iam::444455556666:role/deploy
credential_source = Ec2InstanceMetadata
region = us-east-1

[profile on-ec2-admin]
role_arn = arn:aws:iam::444455556666:role/admin
source_profile = on-ec2
";

/// Asks moto who the exported credentials are.
#[track_caller]
fn caller_arn(sandbox: &Sandbox, out: &Output) -> String {
    moto::caller_arn(sandbox, &out.exports())
}

#[test]
fn instance_metadata_is_the_base_of_a_role_chain_through_imdsv2() {
    let sandbox = Sandbox::new();
    sandbox.config(ON_EC2);
    let imds = FakeImds::start();
    let out = sandbox
        .assume(&["on-ec2-admin"])
        .sts(moto::url())
        .env("AWS_EC2_METADATA_DISABLED", "")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url)
        .run();
    out.success();
    assert_eq!(
        caller_arn(&sandbox, &out),
        "arn:aws:sts::444455556666:assumed-role/admin/hat-tester"
    );
    let path = "/latest/meta-data/iam/security-credentials/";
    let seen = |method: &str, path: String, with_token| Seen {
        method: method.into(),
        path,
        with_token,
    };
    assert_eq!(
        imds.seen(),
        [
            seen("PUT", "/latest/api/token".into(), false),
            seen("GET", path.into(), true),
            seen("GET", format!("{path}{}", fake_imds::ROLE), true),
        ]
    );
    // The instance's own credentials are never cached by hat; the roles are.
    let again = sandbox
        .assume(&["on-ec2-admin"])
        .sts(moto::url())
        .env("AWS_EC2_METADATA_DISABLED", "")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url)
        .run();
    again.success();
    assert_eq!(again.stdout, out.stdout);
    assert_eq!(imds.seen().len(), 3, "a cached chain asked IMDS again");
}

#[test]
fn instance_metadata_that_is_disabled_or_silent_fails_fast_and_says_where() {
    let sandbox = Sandbox::new();
    sandbox.config(ON_EC2);
    sandbox
        .assume(&["on-ec2"])
        .sts(moto::url())
        .run()
        .failure()
        .stderr_has("AWS_EC2_METADATA_DISABLED=true");

    // Accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    sandbox
        .assume(&["on-ec2"])
        .sts(moto::url())
        .env("AWS_EC2_METADATA_DISABLED", "")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)
        .run()
        .failure()
        .stderr_has(&format!(
            "could not reach the instance metadata service at {url}/latest/api/token: it did not answer within 2s"
        ));
    drop(silent);

    // Nothing listens there any more.
    sandbox
        .assume(&["on-ec2"])
        .sts(moto::url())
        .env("AWS_EC2_METADATA_DISABLED", "")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)
        .run()
        .failure()
        .stderr_has(&format!(
            "could not reach the instance metadata service at {url}/latest/api/token"
        ));
}

const IN_CONTAINER: &str = "
[profile in-container]
role_arn = arn:aws:iam::777788889999:role/task-child
credential_source = EcsContainer
region = us-east-1
";

#[test]
fn the_container_endpoint_is_the_base_of_a_role_chain_served_by_hat_exec() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!("{CHAIN_CONFIG}{IN_CONTAINER}"));
    // The inner hat reads the outer one's server, and assumes a role with its answer.
    let out = sandbox
        .hat(&[
            "exec",
            "c",
            "--server",
            "--",
            HAT,
            "assume",
            "--shell",
            "bash",
            "in-container",
        ])
        .sts(moto::url())
        .run();
    out.success();
    assert_eq!(
        caller_arn(&sandbox, &out),
        "arn:aws:sts::777788889999:assumed-role/task-child/hat-tester"
    );
}

#[test]
fn a_container_endpoint_that_refuses_the_token_or_is_missing_says_so() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!("{CHAIN_CONFIG}{IN_CONTAINER}"));
    sandbox
        .assume(&["in-container"])
        .sts(moto::url())
        .run()
        .failure()
        .stderr_has("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    // A token file wins over the variable, as in the SDKs: a wrong one is refused.
    let script = format!(
        "echo wrong > {0}/token; AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE={0}/token \"$0\" assume --shell bash in-container",
        sandbox.root().display()
    );
    sandbox
        .hat(&["exec", "base", "--server", "--", "sh", "-c", &script, HAT])
        .sts(moto::url())
        .run()
        .failure()
        .stderr_has("refused the authorization token (HTTP 401)");
}
