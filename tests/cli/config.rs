//! `hat config`: what hat reads from the AWS files, checked against botocore and the
//! AWS CLI reading the same files.

use crate::support::Sandbox;
use serde_json::Value;

const TRICKY: &str = "# a comment
; another comment
[default]
region = us-east-1

[profile Dev]
Region = eu-west-1
ROLE_ARN = arn:aws:iam::111111111111:role/dev
source_profile = default
note = value with spaces
hash = a#b
equals = x=y=z
continued = first
  second

[profile with.dots@and:colons]
region = ap-southeast-2

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
";

#[test]
fn config_json_matches_what_botocore_reads() {
    let sandbox = Sandbox::new();
    sandbox.config(TRICKY);
    let out = sandbox.hat(&["config", "--json"]).run();
    out.success();
    let ours: Value = serde_json::from_str(&out.stdout).unwrap();

    let script = "import json, sys\nfrom botocore.configloader import load_config\nc = load_config(sys.argv[1])\nprint(json.dumps({'profiles': c.get('profiles', {}), 'sso_sessions': c.get('sso_sessions', {})}))";
    let theirs = sandbox
        .peer("python3")
        .args(["-c", script])
        .arg(sandbox.home().join(".aws/config"))
        .output()
        .unwrap();
    assert!(
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    let theirs: Value = serde_json::from_slice(&theirs.stdout).unwrap();
    assert_eq!(ours, theirs, "hat and botocore disagree");
    assert_eq!(ours["profiles"]["Dev"]["continued"], "first\nsecond");
}

#[test]
fn credentials_file_wins_as_the_aws_cli_agrees() {
    let sandbox = Sandbox::new();
    sandbox
        .config("[profile p]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n")
        .credentials("[p]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n");
    let out = sandbox.hat(&["config", "--json"]).run();
    out.success();
    let ours: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(ours["profiles"]["p"]["aws_access_key_id"], "FROMCREDS");
    assert_eq!(ours["profiles"]["p"]["region"], "eu-west-1");
    assert_eq!(ours["profiles"]["p"]["aws_secret_access_key"], "<redacted>");

    assert_eq!(sandbox.aws_get("p", "aws_access_key_id"), "FROMCREDS");
}

#[test]
fn secrets_are_redacted_unless_asked_for() {
    let sandbox = Sandbox::new();
    sandbox.credentials("[k]\naws_access_key_id = AKID\naws_secret_access_key = TOPSECRET\naws_session_token = TOKENSECRET\n");
    let out = sandbox.hat(&["config"]).run();
    out.success().stdout_has("aws_access_key_id = AKID");
    assert!(
        !out.stdout.contains("TOPSECRET") && !out.stdout.contains("TOKENSECRET"),
        "{}",
        out.stdout
    );
    sandbox
        .hat(&["config", "--json", "--show-secrets"])
        .run()
        .success()
        .stdout_has("TOPSECRET");
}

#[test]
fn subproperty_blocks_are_kept_as_raw_text() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile s]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n");
    let out = sandbox.hat(&["config", "--json"]).run();
    out.success();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["profiles"]["s"]["s3"],
        "\nmax_concurrent_requests = 20\naddressing_style = path"
    );
}

#[test]
fn malformed_config_names_file_and_line_and_prints_nothing() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile ok]\nregion = us-east-1\n\n[profile broken\nregion = x\n");
    let path = sandbox.home().join(".aws/config");
    for args in [
        &["config", "--json"][..],
        &["config"],
        &["assume", "--shell", "bash", "ok"],
    ] {
        sandbox
            .hat(args)
            .run()
            .failure()
            .stderr_has(&format!("{}, line 4", path.display()))
            .stderr_has("must end with ']'");
    }
}

#[test]
fn malformed_line_errors_do_not_echo_the_line() {
    let sandbox = Sandbox::new();
    sandbox.credentials("[k]\naws_access_key_id = AKID\naws_secret_access_key TOPSECRETVALUE\n");
    sandbox
        .hat(&["config"])
        .run()
        .failure()
        .stderr_has("line 3: expected an '=' sign")
        .stderr_lacks("TOPSECRETVALUE");
}

#[test]
fn skipped_sections_are_warned_about_with_their_line() {
    let sandbox = Sandbox::new();
    sandbox.config(
        "[profile good]\nregion = us-east-1\n[bad]\nregion = x\n[profile has space]\nx = 1\n",
    );
    let out = sandbox.hat(&["config", "--json"]).run();
    out.success()
        .stderr_has("line 3: [bad] ignored: in the config file a profile is written [profile bad]")
        .stderr_has("line 5: [profile has space] ignored");
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["profiles"].as_object().unwrap().len(), 1);
}

#[test]
fn files_named_by_the_environment_are_read_instead_of_the_defaults() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile ignored]\nregion = x\n");
    sandbox.write(
        "home/elsewhere/cfg",
        "[profile from-env-config]\nregion = eu-north-1\n",
    );
    let creds = sandbox.write(
        "creds-file",
        "[from-env-creds]\naws_access_key_id = A\naws_secret_access_key = S\n",
    );
    let out = sandbox
        .hat(&["config", "--json"])
        .env("AWS_CONFIG_FILE", "~/elsewhere/cfg")
        .env("AWS_SHARED_CREDENTIALS_FILE", &creds.display().to_string())
        .run();
    out.success();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&String> = v["profiles"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["from-env-config", "from-env-creds"]);
}
