//! `hat migrate` (issue 15): Granted's credential_process lines pointed at hat, every
//! other byte kept, `--dry-run` a diff that writes nothing, and a second run a no-op.

use crate::support::Sandbox;

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
