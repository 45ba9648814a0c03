//! Where MFA codes come from (issue 17): `mfa_process`, the `[mfa] prompt` setting's
//! ykman, zenity and pass-through commands, each a stand-in on PATH that records how it
//! was called; failures, slow commands and malformed codes; no terminal at all; one code
//! for many roles and many shells.

use crate::support::fake_sts::{FakeSts, Reply, param};
use crate::support::{Sandbox, moto};
use std::path::PathBuf;

const SERIAL: &str = "arn:aws:iam::000000000000:mfa/tester";

/// `user` holds long-term keys behind MFA; `prod` and `staging` are roles on it.
fn config(extra_user: &str) -> String {
    format!(
        "[profile user]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n{extra_user}\n\
         [profile prod]\nrole_arn = arn:aws:iam::111111111111:role/prod\nsource_profile = user\nmfa_serial = {SERIAL}\n\n\
         [profile staging]\nrole_arn = arn:aws:iam::222222222222:role/staging\nsource_profile = user\nmfa_serial = {SERIAL}\n"
    )
}

/// A stand-in program `name` in the sandbox's `bin/`: it appends its arguments and the
/// two variables hat sets to `calls/NAME`, runs `body`, and is first on PATH.
fn stand_in(sandbox: &Sandbox, name: &str, body: &str) -> PathBuf {
    std::fs::create_dir_all(sandbox.path("calls")).unwrap();
    let log = sandbox.path(&format!("calls/{name}"));
    let script = format!(
        "#!/bin/sh\nprintf '%s|%s|%s\\n' \"$*\" \"$HAT_MFA_PROFILE\" \"$HAT_MFA_SERIAL\" >> '{}'\n{body}\n",
        log.display()
    );
    let path = sandbox.write(&format!("bin/{name}"), &script);
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn calls(sandbox: &Sandbox, name: &str) -> Vec<String> {
    std::fs::read_to_string(sandbox.path(&format!("calls/{name}")))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn path_with_bin(sandbox: &Sandbox) -> String {
    format!(
        "{}:{}",
        sandbox.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn settings(sandbox: &Sandbox, text: &str) {
    sandbox.write("home/.config/hat/config.toml", text);
}

#[test]
fn mfa_process_prints_the_code_with_profile_and_serial_in_its_environment() {
    let sandbox = Sandbox::new();
    let tool = stand_in(
        &sandbox,
        "codes",
        "echo 'reading the vault' >&2; echo 246810",
    );
    sandbox.config(&config(&format!(
        "mfa_process = {} --quiet",
        tool.display()
    )));
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["prod"])
        .env("PATH", &path_with_bin(&sandbox))
        .sts(&fake.url)
        .run()
        .success()
        // Its stderr reaches the user.
        .stderr_has("reading the vault");
    assert_eq!(fake.actions(), ["GetSessionToken", "AssumeRole"]);
    assert_eq!(
        param(&fake.requests()[0], "TokenCode").as_deref(),
        Some("246810")
    );
    // No secret on its command line: only what the user configured, and who asks.
    assert_eq!(calls(&sandbox, "codes"), [format!("--quiet|prod|{SERIAL}")]);
}

#[test]
fn mfa_token_comes_before_mfa_process() {
    let sandbox = Sandbox::new();
    let tool = stand_in(&sandbox, "codes", "echo 246810");
    sandbox.config(&config(&format!("mfa_process = {}", tool.display())));
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["prod", "--mfa-token", "135791"])
        .sts(&fake.url)
        .run()
        .success();
    assert_eq!(
        param(&fake.requests()[0], "TokenCode").as_deref(),
        Some("135791")
    );
    assert!(calls(&sandbox, "codes").is_empty());
}

#[test]
fn ykman_reads_the_configured_oath_account_and_says_to_touch_the_key() {
    let sandbox = Sandbox::new();
    stand_in(&sandbox, "ykman", "echo 112233");
    sandbox.config(&config(""));
    settings(
        &sandbox,
        "[mfa]\nprompt = \"ykman\"\nykman_account = \"AWS:{profile}\"\n",
    );
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["prod"])
        .env("PATH", &path_with_bin(&sandbox))
        .sts(&fake.url)
        .run()
        .success()
        .stderr_has("touch your YubiKey");
    assert_eq!(
        calls(&sandbox, "ykman"),
        [format!(
            "oath accounts code --single AWS:prod|prod|{SERIAL}"
        )]
    );
    assert_eq!(
        param(&fake.requests()[0], "TokenCode").as_deref(),
        Some("112233")
    );
}

#[test]
fn ykman_account_defaults_to_the_serial() {
    let sandbox = Sandbox::new();
    stand_in(&sandbox, "ykman", "echo 112233");
    sandbox.config(&config(""));
    settings(&sandbox, "[mfa]\nprompt = \"ykman\"\n");
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["prod"])
        .env("PATH", &path_with_bin(&sandbox))
        .sts(&fake.url)
        .run()
        .success();
    assert_eq!(
        calls(&sandbox, "ykman"),
        [format!(
            "oath accounts code --single {SERIAL}|prod|{SERIAL}"
        )]
    );
}

#[test]
fn zenity_gives_credential_process_a_code_without_a_terminal() {
    let sandbox = Sandbox::new();
    stand_in(&sandbox, "zenity", "echo 445566");
    sandbox.config(&config(""));
    settings(&sandbox, "[mfa]\nprompt = \"zenity\"\n");
    let fake = FakeSts::start(vec![Reply::Ok]);
    let out = sandbox
        .hat(&["credential-process", "--profile", "prod"])
        .env("PATH", &path_with_bin(&sandbox))
        .sts(&fake.url)
        .run();
    out.success().stdout_has("\"Version\":1");
    let recorded = calls(&sandbox, "zenity");
    assert_eq!(recorded.len(), 1);
    assert!(
        recorded[0].starts_with("--entry --hide-text --title hat --text MFA code for "),
        "{recorded:?}"
    );
    assert_eq!(
        param(&fake.requests()[0], "TokenCode").as_deref(),
        Some("445566")
    );
}

#[test]
fn pass_through_runs_the_configured_command() {
    let sandbox = Sandbox::new();
    let tool = stand_in(&sandbox, "op-code", "echo 778899");
    sandbox.config(&config(""));
    settings(
        &sandbox,
        &format!(
            "[mfa]\nprompt = \"pass-through\"\ncommand = \"{} item aws\"\n",
            tool.display()
        ),
    );
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox.assume(&["prod"]).sts(&fake.url).run().success();
    assert_eq!(
        calls(&sandbox, "op-code"),
        [format!("item aws|prod|{SERIAL}")]
    );
}

#[test]
fn a_failing_command_is_named_and_its_stderr_shown() {
    let sandbox = Sandbox::new();
    let tool = stand_in(&sandbox, "codes", "echo 'the vault is locked' >&2; exit 3");
    sandbox.config(&config(&format!("mfa_process = {}", tool.display())));
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["prod"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("the vault is locked")
        .stderr_has(&format!(
            "mfa_process `{}` gave no MFA code for profile `prod`",
            tool.display()
        ))
        .stderr_has("exited with status 3");
    assert!(fake.requests().is_empty());
}

#[test]
fn a_malformed_code_is_an_error_naming_the_command() {
    let sandbox = Sandbox::new();
    stand_in(&sandbox, "ykman", "echo 'no such account'");
    sandbox.config(&config(""));
    settings(&sandbox, "[mfa]\nprompt = \"ykman\"\n");
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["prod"])
        .env("PATH", &path_with_bin(&sandbox))
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("ykman `ykman oath accounts code` printed no 6-digit MFA code");
    assert!(fake.requests().is_empty());
}

#[test]
fn a_slow_command_is_stopped_at_the_time_limit() {
    let sandbox = Sandbox::new();
    let tool = stand_in(&sandbox, "codes", "sleep 30; echo 123456");
    sandbox.config(&config(&format!("mfa_process = {}", tool.display())));
    settings(&sandbox, "[mfa]\ntimeout = 1\n");
    let fake = FakeSts::start(vec![Reply::Ok]);
    let started = std::time::Instant::now();
    sandbox
        .assume(&["prod"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("did not answer within 1s");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "hat waited for the slow command"
    );
    assert!(fake.requests().is_empty());
}

#[test]
fn a_missing_ykman_says_it_is_not_installed() {
    let sandbox = Sandbox::new();
    sandbox.config(&config(""));
    settings(&sandbox, "[mfa]\nprompt = \"ykman\"\n");
    sandbox
        .assume(&["prod"])
        .env("PATH", "/nonexistent")
        .run()
        .failure()
        .stderr_has("ykman `ykman oath accounts code` gave no MFA code")
        .stderr_has("not installed");
}

#[test]
fn with_no_terminal_and_no_source_the_error_names_the_settings() {
    let sandbox = Sandbox::new();
    sandbox.config(&config(""));
    let fake = FakeSts::start(vec![Reply::Ok]);
    for run in [
        sandbox.assume(&["prod"]),
        sandbox.hat(&["credential-process", "--profile", "prod"]),
    ] {
        run.sts(&fake.url)
            .run()
            .failure()
            .stderr_has("there is no terminal to ask on")
            .stderr_has("`mfa_process = COMMAND` in the profile")
            .stderr_has(
                "`prompt = \"ykman\"` (or zenity, kdialog, osascript, pass-through) under [mfa]",
            );
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn an_unknown_prompt_is_named() {
    let sandbox = Sandbox::new();
    sandbox.config(&config(""));
    settings(&sandbox, "[mfa]\nprompt = \"yubikey\"\n");
    sandbox
        .assume(&["prod"])
        .run()
        .failure()
        .stderr_has("[mfa] prompt = \"yubikey\"")
        .stderr_has("use terminal, ykman, zenity, kdialog, osascript or pass-through");
}

/// Twenty roles, each in its own account, behind one MFA device.
fn twenty_roles(tool: &std::path::Path) -> String {
    let mut text = config(&format!("mfa_process = {}", tool.display()));
    for n in 0..20 {
        text.push_str(&format!(
            "\n[profile role{n}]\nrole_arn = arn:aws:iam::{:012}:role/r{n}\nsource_profile = user\nmfa_serial = {SERIAL}\n",
            300_000_000_000u64 + n
        ));
    }
    text
}

#[test]
fn twenty_roles_in_twenty_accounts_ask_for_one_code() {
    let sandbox = Sandbox::new();
    let tool = stand_in(&sandbox, "codes", "echo 246810");
    sandbox.config(&twenty_roles(&tool));
    for n in 0..20 {
        let out = sandbox
            .assume(&[&format!("role{n}")])
            .sts(moto::url())
            .run();
        out.success();
        let key = out.exports()["AWS_ACCESS_KEY_ID"].clone().unwrap();
        assert!(key.starts_with("ASIA"), "{key}");
    }
    assert_eq!(
        calls(&sandbox, "codes").len(),
        1,
        "one code for twenty roles"
    );
}

#[test]
fn ten_shells_at_once_ask_for_one_code() {
    let sandbox = Sandbox::new();
    // Slow enough that all ten are waiting while the first gets its code.
    let tool = stand_in(&sandbox, "codes", "sleep 1; echo 246810");
    sandbox.config(&twenty_roles(&tool));
    let children: Vec<_> = (0..10)
        .map(|n| {
            sandbox
                .assume(&[&format!("role{n}")])
                .sts(moto::url())
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
    }
    assert_eq!(calls(&sandbox, "codes").len(), 1, "one code for ten shells");
}

/// Reads the container endpoint, empties hat's cache, waits until the served role
/// credentials are stale, and reads again: the second answer has to come from a
/// refresh, with no terminal, that needs a new MFA session.
const TWO_READS: &str = r#"
import glob, json, os, sys, time, urllib.request
def read():
    req = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
        headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
    return json.load(urllib.request.urlopen(req))["AccessKeyId"]
first = read()
for f in glob.glob(sys.argv[1] + "/*"):
    os.remove(f)
time.sleep(4)
print(first, read())
"#;

#[test]
fn exec_server_refreshes_through_an_mfa_session_without_a_terminal() {
    let sandbox = Sandbox::new();
    let tool = stand_in(&sandbox, "codes", "echo 246810");
    sandbox.config(&config(&format!("mfa_process = {}", tool.display())));
    let script = sandbox.write("two-reads.py", TWO_READS);
    let cache = sandbox.cache_dir();
    // The role sessions live 5 seconds, so the server refreshes the second read.
    let fake = FakeSts::start(vec![
        Reply::Ok,
        Reply::OkFor(5),
        Reply::Ok,
        Reply::OkFor(3600),
    ]);
    let out = sandbox
        .hat(&[
            "exec",
            "prod",
            "--server",
            "--",
            "python3",
            script.to_str().unwrap(),
            cache.to_str().unwrap(),
        ])
        .sts(&fake.url)
        .run();
    out.success();
    let keys: Vec<&str> = out.stdout.split_whitespace().collect();
    assert_eq!(keys.len(), 2, "{}", out.stdout);
    assert_ne!(keys[0], keys[1], "the server did not refresh");
    assert_eq!(
        fake.actions(),
        [
            "GetSessionToken",
            "AssumeRole",
            "GetSessionToken",
            "AssumeRole"
        ]
    );
    // Once at the start, once for the refresh after the MFA session was removed.
    assert_eq!(calls(&sandbox, "codes").len(), 2);
}

const TAGGED: &str = "
[profile base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[profile tagged]
role_arn = arn:aws:iam::111111111111:role/audited
source_profile = base
session_tags = team=ops, cost-center=42
transitive_session_tags = team
source_identity = {user}

[profile plain]
role_arn = arn:aws:iam::111111111111:role/audited
source_profile = base
";

#[test]
fn tags_and_source_identity_reach_sts_as_assume_role_parameters() {
    let sandbox = Sandbox::new();
    sandbox.config(TAGGED);
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&[
            "tagged",
            "--session-tag",
            "ticket=T-1",
            "--session-tag",
            "team=sre",
        ])
        .sts(&fake.url)
        .run()
        .success();
    let body = &fake.requests()[0];
    let p = |name: &str| param(body, name);
    // The profile's order, the flag replacing `team`, then the flag's new key.
    assert_eq!(p("Tags.member.1.Key").as_deref(), Some("team"));
    assert_eq!(p("Tags.member.1.Value").as_deref(), Some("sre"));
    assert_eq!(p("Tags.member.2.Key").as_deref(), Some("cost-center"));
    assert_eq!(p("Tags.member.2.Value").as_deref(), Some("42"));
    assert_eq!(p("Tags.member.3.Key").as_deref(), Some("ticket"));
    assert_eq!(p("Tags.member.3.Value").as_deref(), Some("T-1"));
    assert_eq!(p("TransitiveTagKeys.member.1").as_deref(), Some("team"));
    assert_eq!(p("TransitiveTagKeys.member.2"), None);
    assert_eq!(p("SourceIdentity").as_deref(), Some("tester"));

    // An untagged role sends none of them.
    sandbox.assume(&["plain"]).sts(&fake.url).run().success();
    let body = &fake.requests()[1];
    assert_eq!(param(body, "Tags.member.1.Key"), None);
    assert_eq!(param(body, "SourceIdentity"), None);
}

#[test]
fn source_identity_flag_wins_on_exec_and_export() {
    let sandbox = Sandbox::new();
    sandbox.config(TAGGED);
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .hat(&[
            "export",
            "plain",
            "--source-identity",
            "alice",
            "--session-tag",
            "a=b",
        ])
        .sts(&fake.url)
        .run()
        .success();
    sandbox
        .hat(&[
            "exec",
            "tagged",
            "--source-identity",
            "bob",
            "--no-cache",
            "--",
            "true",
        ])
        .sts(&fake.url)
        .run()
        .success();
    let requests = fake.requests();
    assert_eq!(
        param(&requests[0], "SourceIdentity").as_deref(),
        Some("alice")
    );
    assert_eq!(
        param(&requests[0], "Tags.member.1.Key").as_deref(),
        Some("a")
    );
    assert_eq!(
        param(&requests[1], "SourceIdentity").as_deref(),
        Some("bob")
    );
}

#[test]
fn the_cache_keeps_tagged_and_untagged_sessions_apart() {
    let sandbox = Sandbox::new();
    sandbox.config(TAGGED);
    let fake = FakeSts::start(vec![Reply::Ok]);
    let key = |args: &[&str]| {
        let out = sandbox.assume(args).sts(&fake.url).run();
        out.success();
        out.exports()["AWS_ACCESS_KEY_ID"].clone().unwrap()
    };
    let untagged = key(&["plain"]);
    let tagged = key(&["plain", "--session-tag", "team=ops"]);
    assert_ne!(untagged, tagged, "a tagged session reused an untagged one");
    // Each is cached under its own key.
    assert_eq!(key(&["plain"]), untagged);
    assert_eq!(key(&["plain", "--session-tag", "team=ops"]), tagged);
    assert_eq!(fake.actions(), ["AssumeRole", "AssumeRole"]);
}

#[test]
fn moto_accepts_the_tagged_call() {
    let sandbox = Sandbox::new();
    sandbox.config(TAGGED);
    let out = sandbox
        .assume(&["tagged", "--session-tag", "ticket=T-1"])
        .sts(moto::url())
        .run();
    out.success();
    assert!(
        out.exports()["AWS_ACCESS_KEY_ID"]
            .clone()
            .unwrap()
            .starts_with("ASIA")
    );
}

#[test]
fn malformed_tags_are_named() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "{TAGGED}\n[profile broken]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = base\nsession_tags = team\n"
    ));
    sandbox
        .assume(&["broken"])
        .run()
        .failure()
        .stderr_has("profile `broken` has session_tags = team: `team` is not KEY=VALUE");
    sandbox
        .assume(&["plain", "--session-tag", "oops"])
        .run()
        .failure()
        .stderr_has("--session-tag oops: write one tag as KEY=VALUE");
}

#[test]
fn the_session_name_template_setting_names_unnamed_role_sessions() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "{TAGGED}\n[profile named]\nrole_arn = arn:aws:iam::1:role/n\nsource_profile = base\nrole_session_name = mine\n"
    ));
    settings(
        &sandbox,
        "[session]\nrole_session_name = \"{user}@{profile}\"\n",
    );
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox.assume(&["plain"]).sts(&fake.url).run().success();
    sandbox.assume(&["named"]).sts(&fake.url).run().success();
    let requests = fake.requests();
    assert_eq!(
        param(&requests[0], "RoleSessionName").as_deref(),
        Some("tester@plain")
    );
    // The profile's own role_session_name keeps the SDK meaning and wins.
    assert_eq!(
        param(&requests[1], "RoleSessionName").as_deref(),
        Some("mine")
    );
}
