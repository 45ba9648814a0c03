//! `hat registry` (issue 19) against real git repositories the tests create: a bare
//! upstream reached by path or file://, a clone the test commits to, the system git
//! on both sides. Every failure must leave `~/.aws/config` byte for byte as it was.

use crate::support::git::Upstream;
use crate::support::shells::Sh;
use crate::support::tmux::Tmux;
use crate::support::{BASE_KEY_ID, HAT, Output, Sandbox};
use std::time::{Duration, Instant, SystemTime};

const USER_CONFIG: &str = "# my own profiles\n[profile me]\nregion = eu-west-1\n\n[profile base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n; the end\n";

const MANIFEST: &str = "awsConfig:\n  - ./config\n";

fn profiles(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("[profile {n}]\nrole_arn = arn:aws:iam::111111111111:role/{n}\nsource_profile = base\n\n"))
        .collect()
}

fn config(sandbox: &Sandbox) -> String {
    std::fs::read_to_string(sandbox.home().join(".aws/config")).unwrap()
}

fn settings(sandbox: &Sandbox) -> String {
    std::fs::read_to_string(sandbox.home().join(".config/hat/config.toml")).unwrap_or_default()
}

#[track_caller]
fn one_line_error(out: &Output) -> String {
    out.failure();
    let lines: Vec<&str> = out.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected:\n{}", out.stderr);
    lines[0].to_string()
}

#[test]
fn a_registry_is_added_by_path_and_synced_after_an_upstream_commit() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let up = Upstream::new(&s, "team-profiles");
    up.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&["dev", "prod"]))),
        ],
        "main",
    );
    // A relative path, as a user types it: recorded as an absolute one.
    let out = s
        .hat(&["registry", "add", "upstream/team-profiles.git"])
        .run();
    out.success()
        .stderr_has("added registry team-profiles: 2 profiles (2 new, 0 removed)");
    assert_eq!(out.stdout, "");
    let text = config(&s);
    assert!(text.starts_with(USER_CONFIG), "{text}");
    assert!(text.contains("# BEGIN hat registry team-profiles"));
    assert_eq!(
        s.aws_get("dev", "role_arn"),
        "arn:aws:iam::111111111111:role/dev"
    );
    assert!(
        settings(&s).contains(&format!("url = \"{}\"", up.path())),
        "{}",
        settings(&s)
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.home().join(".aws/config"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    up.commit(
        &[("config", Some(&profiles(&["dev", "prod", "staging"])))],
        "main",
    );
    s.hat(&["registry", "sync"])
        .run()
        .success()
        .stderr_has("synced registry team-profiles: 3 profiles (1 new, 0 removed)");
    assert_eq!(s.aws_get("staging", "source_profile"), "base");
    assert!(config(&s).starts_with(USER_CONFIG));

    // Nothing upstream changed: not one byte of the file changes.
    let before = config(&s);
    s.hat(&["registry", "sync"]).run().success();
    assert_eq!(config(&s), before);

    let list = s.hat(&["registry", "list"]).run();
    list.success()
        .stdout_has("team-profiles  0         3         HEAD");

    s.hat(&["registry", "remove", "team-profiles"])
        .run()
        .success()
        .stderr_has("removed registry team-profiles and its 3 profiles");
    assert_eq!(config(&s), USER_CONFIG);
    assert!(!settings(&s).contains("team-profiles"));
    assert!(
        !s.home()
            .join(".local/share/hat/registries/team-profiles.git")
            .exists()
    );
}

#[test]
fn a_file_url_with_ref_path_and_filename_is_followed() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let up = Upstream::new(&s, "org");
    up.commit(&[("README", Some("main branch\n"))], "main");
    up.commit(
        &[
            ("aws/profiles.yml", Some("awsConfig:\n  - config\n  - ../shared/sso\n")),
            ("aws/config", Some(&profiles(&["ops"]))),
            ("shared/sso", Some("[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n")),
        ],
        "release",
    );
    let url = up.file_url();
    s.hat(&[
        "registry",
        "add",
        &url,
        "--name",
        "org",
        "--ref",
        "release",
        "--path",
        "aws",
        "--filename",
        "profiles.yml",
    ])
    .run()
    .success();
    assert_eq!(
        s.aws_get("ops", "role_arn"),
        "arn:aws:iam::111111111111:role/ops"
    );
    assert!(config(&s).contains("[sso-session corp]\nsso_region = eu-west-1\n"));
    let toml = settings(&s);
    for line in [
        "ref = \"release\"",
        "path = \"aws\"",
        "filename = \"profiles.yml\"",
    ] {
        assert!(toml.contains(line), "{line} in {toml}");
    }
    // A commit on another branch is not synced.
    up.commit(&[("README", Some("changed\n"))], "main");
    let before = config(&s);
    s.hat(&["registry", "sync"]).run().success();
    assert_eq!(config(&s), before);
}

#[test]
fn a_commit_id_ref_is_followed() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let up = Upstream::new(&s, "pinned");
    up.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&["old"]))),
        ],
        "main",
    );
    let out = up
        .git_in(&up.work, &["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let commit = String::from_utf8(out.stdout).unwrap().trim().to_string();
    up.commit(&[("config", Some(&profiles(&["old", "newer"])))], "main");
    s.hat(&["registry", "add", &up.file_url(), "--ref", &commit])
        .run()
        .success();
    assert_eq!(s.aws_get("old", "source_profile"), "base");
    assert!(!config(&s).contains("[profile newer]"));
    s.hat(&["registry", "sync"]).run().success();
    assert!(!config(&s).contains("[profile newer]"));
}

#[test]
fn duplicate_names_go_to_the_higher_priority_or_get_the_registry_prefix() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let low = Upstream::new(&s, "low");
    low.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&["dev", "low-only", "me"]))),
        ],
        "main",
    );
    let high = Upstream::new(&s, "high");
    high.commit(
        &[(
            "granted.yml",
            Some(MANIFEST),
        ), (
            "config",
            Some("[profile dev]\nrole_arn = arn:aws:iam::222222222222:role/high\nsource_profile = base\n"),
        )],
        "main",
    );
    let pre = Upstream::new(&s, "pre");
    pre.commit(
        &[(
            "granted.yml",
            Some(MANIFEST),
        ), (
            "config",
            Some("[profile dev]\nrole_arn = arn:aws:iam::333333333333:role/pre\ncredential_process = granted credential-process --profile dev\n"),
        )],
        "main",
    );

    // The user's own `me` always wins: the registry's is skipped and they are told.
    s.hat(&["registry", "add", low.path(), "--name", "low"])
        .run()
        .success()
        .stderr_has("profile `me` is not written: your own config already defines it");
    assert_eq!(s.aws_get("me", "region"), "eu-west-1");
    assert!(config(&s).starts_with(USER_CONFIG));

    // Higher priority: it takes `dev` at the next sync of both.
    s.hat(&[
        "registry",
        "add",
        high.path(),
        "--name",
        "high",
        "--priority",
        "10",
    ])
    .run()
    .success();
    s.hat(&["registry", "sync"])
        .run()
        .success()
        .stderr_has("registry low: profile `dev` is not written: registry high already defines it");
    assert_eq!(
        s.aws_get("dev", "role_arn"),
        "arn:aws:iam::222222222222:role/high"
    );
    assert_eq!(config(&s).matches("[profile dev]").count(), 1);

    // --prefix-duplicate-profiles keeps both, as Granted names them, and the
    // credential_process line follows the new name.
    s.hat(&["registry", "add", pre.path(), "--name", "pre", "--pdp"])
        .run()
        .success();
    assert_eq!(
        s.aws_get("pre.dev", "role_arn"),
        "arn:aws:iam::333333333333:role/pre"
    );
    assert_eq!(
        s.aws_get("pre.dev", "credential_process"),
        "granted credential-process --profile pre.dev"
    );
    assert_eq!(
        s.aws_get("dev", "role_arn"),
        "arn:aws:iam::222222222222:role/high"
    );
    s.hat(&["registry", "sync"]).run().success();
    assert_eq!(config(&s).matches("[profile dev]").count(), 1);
    assert!(config(&s).starts_with(USER_CONFIG));
}

#[test]
fn prefix_all_profiles_renames_them_and_their_references() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let up = Upstream::new(&s, "t");
    up.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some("[profile root]\nrole_arn = arn:aws:iam::1:role/root\nsource_profile = base\n[profile leaf]\nrole_arn = arn:aws:iam::1:role/leaf\nsource_profile = root\n")),
        ],
        "main",
    );
    s.hat(&[
        "registry",
        "add",
        up.path(),
        "--name",
        "t",
        "--prefix-all-profiles",
    ])
    .run()
    .success();
    assert_eq!(s.aws_get("t.leaf", "source_profile"), "t.root");
    // `base` is the user's, not the registry's: the reference stays.
    assert_eq!(s.aws_get("t.root", "source_profile"), "base");
    assert_eq!(s.aws_get("leaf", "role_arn"), "");
}

const TEMPLATED: &str = "awsConfig:\n  - ./config\ntemplateValues:\n  - USERNAME:\n      - isRequired: true\n      - prompt: \"Your IAM user name\"\n  - ORG:\n      - value: acme\n";
const TEMPLATED_CONFIG: &str = "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/dev\nrole_session_name = {{ .Required.USERNAME }}-{{ .Variables.ORG }}\nmfa_serial = arn:aws:iam::111111111111:mfa/{{ .Required.USERNAME }}\nsource_profile = base\n";

#[test]
fn templated_values_are_asked_for_once_and_kept() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let up = Upstream::new(&s, "tpl");
    up.commit(
        &[
            ("granted.yml", Some(TEMPLATED)),
            ("config", Some(TEMPLATED_CONFIG)),
        ],
        "main",
    );

    // Without a terminal, hat cannot ask: it says how to give the value, changes nothing.
    let line = one_line_error(
        &s.hat(&["registry", "add", up.path(), "--name", "tpl"])
            .run(),
    );
    assert!(line.contains("it needs your value for USERNAME"), "{line}");
    assert!(line.contains("--required-key USERNAME=VALUE"), "{line}");
    assert_eq!(config(&s), USER_CONFIG);
    assert_eq!(settings(&s), "");

    // In a terminal, the prompt is asked once.
    let tmux = Tmux::start(&s, Sh::Bash, &[]);
    tmux.line(&format!(
        "cd {} && {HAT} registry add {} --name tpl; echo DONE-$?",
        s.root().display(),
        up.path()
    ));
    tmux.wait_for("Your IAM user name (USERNAME):", Duration::from_secs(20));
    tmux.line("alice");
    tmux.wait_for("DONE-0", Duration::from_secs(20));
    assert_eq!(s.aws_get("dev", "role_session_name"), "alice-acme");
    assert_eq!(
        s.aws_get("dev", "mfa_serial"),
        "arn:aws:iam::111111111111:mfa/alice"
    );
    assert!(
        settings(&s).contains("values = { USERNAME = \"alice\" }"),
        "{}",
        settings(&s)
    );

    // Kept: a later sync (no terminal at all) fills the template without asking.
    up.commit(
        &[("config", Some(&format!("{TEMPLATED_CONFIG}\n[profile ops]\nrole_arn = arn:aws:iam::1:role/ops\nrole_session_name = {{{{ .Required.USERNAME }}}}\n")))],
        "main",
    );
    s.hat(&["registry", "sync"]).run().success();
    assert_eq!(s.aws_get("ops", "role_session_name"), "alice");

    // A key the manifest starts to require later: given once to sync, then kept too.
    let more = TEMPLATED.replace("  - ORG:", "  - TEAM:\n      - isRequired: true\n  - ORG:");
    up.commit(
        &[
            ("granted.yml", Some(&more)),
            (
                "config",
                Some(&TEMPLATED_CONFIG.replace("-{{ .Variables.ORG }}", "-{{ .Required.TEAM }}")),
            ),
        ],
        "main",
    );
    let line = one_line_error(&s.hat(&["registry", "sync"]).run());
    assert!(line.contains("it needs your value for TEAM"), "{line}");
    s.hat(&["registry", "sync", "-r", "TEAM=data"])
        .run()
        .success();
    assert_eq!(s.aws_get("dev", "role_session_name"), "alice-data");
    assert!(settings(&s).contains("TEAM = \"data\""), "{}", settings(&s));
    up.commit(&[("README", Some("later\n"))], "main");
    s.hat(&["registry", "sync"]).run().success();
    assert_eq!(s.aws_get("dev", "role_session_name"), "alice-data");

    // --required-key gives the value up front, with no question.
    let s2 = Sandbox::new();
    let up2 = Upstream::new(&s2, "tpl");
    up2.commit(
        &[
            ("granted.yml", Some(TEMPLATED)),
            ("config", Some(TEMPLATED_CONFIG)),
        ],
        "main",
    );
    s2.hat(&["registry", "add", up2.path(), "-r", "USERNAME=bob"])
        .run()
        .success();
    assert_eq!(s2.aws_get("dev", "role_session_name"), "bob-acme");
}

/// Adds a registry of ten profiles, then breaks it with `change`: the sync fails with
/// one line naming the reason, and `~/.aws/config` is byte for byte what it was.
#[track_caller]
fn failed_sync_changes_nothing(change: impl FnOnce(&Upstream<'_>), reason: &str) {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let up = Upstream::new(&s, "team");
    let names: Vec<String> = (0..10).map(|i| format!("p{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    up.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&names))),
        ],
        "main",
    );
    s.hat(&[
        "registry",
        "add",
        up.path(),
        "--name",
        "team",
        "--ref",
        "main",
    ])
    .run()
    .success();
    let before = std::fs::read(s.home().join(".aws/config")).unwrap();
    change(&up);
    let line = one_line_error(&s.hat(&["registry", "sync"]).run());
    assert!(
        line.contains("registry team did not sync, its profiles in"),
        "{line}"
    );
    assert!(line.contains(reason), "{reason} in {line}");
    assert_eq!(std::fs::read(s.home().join(".aws/config")).unwrap(), before);
    assert_eq!(s.aws_get("p9", "source_profile"), "base");
}

#[test]
fn a_repository_that_disappears_changes_nothing() {
    failed_sync_changes_nothing(
        |up| std::fs::rename(&up.bare, up.bare.with_extension("gone")).unwrap(),
        "could not fetch",
    );
}

#[test]
fn a_fetch_that_fails_changes_nothing() {
    // The branch the registry follows is deleted upstream.
    failed_sync_changes_nothing(
        |up| {
            up.git(&["push", "-q", "origin", "HEAD:other"]);
            up.git_in(&up.bare, &["symbolic-ref", "HEAD", "refs/heads/other"])
                .status()
                .unwrap();
            up.git(&["push", "-q", "origin", ":main"]);
        },
        "couldn't find remote ref main",
    );
}

#[test]
fn a_file_with_a_syntax_error_changes_nothing() {
    failed_sync_changes_nothing(
        |up| {
            up.commit(
                &[(
                    "config",
                    Some("[profile ok]\nregion = x\n[profile broken\nregion = y\n"),
                )],
                "main",
            )
        },
        "team:config, line 3",
    );
}

#[test]
fn a_broken_manifest_or_template_changes_nothing() {
    failed_sync_changes_nothing(
        |up| {
            up.commit(
                &[("granted.yml", Some("awsConfig: [config, missing]\n"))],
                "main",
            )
        },
        "granted.yml lists missing, which is not in the repository",
    );
    failed_sync_changes_nothing(
        |up| {
            up.commit(
                &[(
                    "config",
                    Some("[profile a]\nregion = {{ .Required.NOPE }}\n"),
                )],
                "main",
            )
        },
        "names a required key that granted.yml does not list",
    );
}

#[test]
fn an_upstream_commit_that_deletes_most_profiles_changes_nothing_without_force() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let up = Upstream::new(&s, "team");
    let names: Vec<String> = (0..10).map(|i| format!("p{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    up.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&names))),
        ],
        "main",
    );
    s.hat(&["registry", "add", up.path(), "--name", "team"])
        .run()
        .success();
    let before = std::fs::read(s.home().join(".aws/config")).unwrap();
    // 90% of the profiles go, as when a sync off the VPN saw an empty listing (Granted #386).
    up.commit(&[("config", Some(&profiles(&["p0"])))], "main");
    let line = one_line_error(&s.hat(&["registry", "sync"]).run());
    assert!(line.contains("would remove 9 of its 10 profiles"), "{line}");
    assert!(line.contains("--force"), "{line}");
    assert_eq!(std::fs::read(s.home().join(".aws/config")).unwrap(), before);
    // Meant: --force accepts it.
    s.hat(&["registry", "sync", "--force"])
        .run()
        .success()
        .stderr_has("1 profiles (0 new, 9 removed)");
    assert_eq!(s.aws_get("p5", "role_arn"), "");
    assert!(config(&s).starts_with(USER_CONFIG));
}

#[test]
fn one_failing_registry_does_not_hold_back_the_others() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let a = Upstream::new(&s, "a");
    a.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&["a1"]))),
        ],
        "main",
    );
    let b = Upstream::new(&s, "b");
    b.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&["b1"]))),
        ],
        "main",
    );
    s.hat(&["registry", "add", a.path()]).run().success();
    s.hat(&["registry", "add", b.path()]).run().success();
    std::fs::remove_dir_all(&a.bare).unwrap();
    b.commit(&[("config", Some(&profiles(&["b1", "b2"])))], "main");
    let out = s.hat(&["registry", "sync"]).run();
    out.failure()
        .stderr_has("registry a did not sync")
        .stderr_has("synced registry b");
    assert_eq!(s.aws_get("a1", "source_profile"), "base");
    assert_eq!(s.aws_get("b2", "source_profile"), "base");
}

#[test]
fn plain_http_and_unknown_registries_are_refused() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let line = one_line_error(
        &s.hat(&["registry", "add", "http://git.example.com/p.git"])
            .run(),
    );
    assert!(line.contains("is not encrypted"), "{line}");
    let line = one_line_error(&s.hat(&["registry", "remove", "nope"]).run());
    assert!(line.contains("there is no registry named nope"), "{line}");
    let up = Upstream::new(&s, "x");
    up.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&["x1"]))),
        ],
        "main",
    );
    s.hat(&["registry", "add", up.path()]).run().success();
    let line = one_line_error(&s.hat(&["registry", "add", up.path()]).run());
    assert!(
        line.contains("there is already a registry named x"),
        "{line}"
    );
    assert_eq!(config(&s).matches("[profile x1]").count(), 1);
}

/// Laid out as Granted's documentation shows a registry: granted.yml beside a config
/// of Granted-style SSO profiles and a template value. It syncs with nothing changed.
#[test]
fn a_registry_laid_out_as_granted_documents_it_syncs_unchanged() {
    let s = Sandbox::new();
    let up = Upstream::new(&s, "granted-registry");
    let granted_yml = "awsConfig:\n  - ./config\n\ntemplateValues:\n  - SSO_START_URL:\n      - isRequired: true\n      - prompt: \"Enter the SSO start URL\"\n";
    let profiles = "[profile cf-dev]\ngranted_sso_start_url = {{ .Required.SSO_START_URL }}\ngranted_sso_region = ap-southeast-2\ngranted_sso_account_id = 123456789012\ngranted_sso_role_name = AWSAdministratorAccess\ncredential_process = granted credential-process --profile cf-dev\nregion = ap-southeast-2\n\n[profile cf-prod]\nsso_start_url = {{ .Required.SSO_START_URL }}\nsso_region = ap-southeast-2\nsso_account_id = 210987654321\nsso_role_name = ReadOnly\nregion = ap-southeast-2\n";
    up.commit(
        &[
            ("granted.yml", Some(granted_yml)),
            ("config", Some(profiles)),
        ],
        "main",
    );
    s.hat(&[
        "registry",
        "add",
        "--name",
        "cf",
        "--url",
        up.path(),
        "--required-key",
        "SSO_START_URL=https://example.awsapps.com/start",
    ])
    .run()
    .success();
    for (profile, key, value) in [
        (
            "cf-dev",
            "granted_sso_start_url",
            "https://example.awsapps.com/start",
        ),
        ("cf-dev", "granted_sso_role_name", "AWSAdministratorAccess"),
        (
            "cf-dev",
            "credential_process",
            "granted credential-process --profile cf-dev",
        ),
        ("cf-prod", "sso_account_id", "210987654321"),
        (
            "cf-prod",
            "sso_start_url",
            "https://example.awsapps.com/start",
        ),
    ] {
        assert_eq!(s.aws_get(profile, key), value, "{profile} {key}");
    }
}

fn set_age(path: &std::path::Path, age: Duration) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
}

#[track_caller]
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn assume_syncs_in_the_background_at_most_once_a_day() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    let up = Upstream::new(&s, "team");
    up.commit(
        &[
            ("granted.yml", Some(MANIFEST)),
            ("config", Some(&profiles(&["dev"]))),
        ],
        "main",
    );
    s.hat(&["registry", "add", up.path(), "--name", "team"])
        .run()
        .success();
    let stamp = s.home().join(".local/share/hat/registries/last-sync");
    let log = s.home().join(".local/share/hat/registries/sync.log");
    assert!(stamp.exists());

    // Synced just now: assume starts nothing.
    up.commit(&[("config", Some(&profiles(&["dev", "new1"])))], "main");
    let out = s.assume(&["base"]).run();
    out.success();
    assert_eq!(
        out.exports()["AWS_ACCESS_KEY_ID"].as_deref(),
        Some(BASE_KEY_ID)
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(!config(&s).contains("[profile new1]"));
    assert!(!log.exists());

    // A day later: the assume returns at once, and the sync happens behind it.
    set_age(&stamp, Duration::from_secs(25 * 3600));
    s.assume(&["base"]).run().success().stderr_lacks("registry");
    wait_until("the background sync", || {
        config(&s).contains("[profile new1]")
    });
    assert!(config(&s).starts_with(USER_CONFIG));

    // Once: the next assumes within the day start nothing.
    up.commit(
        &[("config", Some(&profiles(&["dev", "new1", "new2"])))],
        "main",
    );
    for _ in 0..3 {
        s.assume(&["base"]).run().success();
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(!config(&s).contains("[profile new2]"));

    // A background sync that fails says so on the next assume, once, and never prompts.
    std::fs::remove_dir_all(&up.bare).unwrap();
    let before = std::fs::read(s.home().join(".aws/config")).unwrap();
    set_age(&stamp, Duration::from_secs(25 * 3600));
    s.assume(&["base"]).run().success();
    wait_until("the failure to be recorded", || {
        std::fs::metadata(&stamp).is_ok_and(|m| m.len() > 0)
    });
    assert_eq!(std::fs::read(s.home().join(".aws/config")).unwrap(), before);
    s.assume(&["base"]).run().success().stderr_has(
        "hat: warning: the background registry sync failed: registry team did not sync",
    );
    s.assume(&["base"]).run().success().stderr_lacks("registry");
}

#[test]
fn without_registries_assume_does_not_look_further_than_one_stat() {
    let s = Sandbox::new();
    s.config(USER_CONFIG);
    s.assume(&["base"]).run().success();
    assert!(!s.home().join(".local/share/hat").exists());
    assert!(!s.home().join(".config/hat").exists());
}
