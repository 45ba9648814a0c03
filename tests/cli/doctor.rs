//! `hat doctor` (issue 14): a healthy setup in each real shell passes, and each broken
//! setup is named with its fix; nothing changes without `--fix`, and no secret is shown.

use crate::sso::{CONFIG as SSO_CONFIG, cli_writes_token, signed_in};
use crate::support::fake_sso::{FakeSso, Options};
use crate::support::shells::ALL;
use crate::support::{Output, Run, Sandbox, moto};
use hat::emit::Shell;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A sandbox whose bash is set up: ~/.bashrc loads hat, a browser exists, keys go
/// to the file backend. Each test breaks one thing.
fn healthy() -> Sandbox {
    let sb = Sandbox::new();
    sb.config("[profile base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    sb.write(
        "home/.bashrc",
        "export EDITOR=vi\neval \"$(hat init bash)\"\n",
    );
    sb.write("home/.zshrc", "eval \"$(hat init zsh)\"\n");
    sb.write("home/.config/fish/config.fish", "hat init fish | source\n");
    let browser = sb.write("bin/browser", "#!/bin/sh\nexit 0\n");
    chmod(&browser, 0o755);
    sb
}

/// `hat doctor ARGS` as run from a bash that loaded the current wrapper.
fn doctor(sb: &Sandbox, args: &[&str]) -> Run {
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    sb.hat(&all)
        .env("SHELL", "/bin/bash")
        .env(
            "HAT_SHELL_INIT",
            &format!("bash:{}", hat::emit::init::version(Shell::Bash).unwrap()),
        )
        .env("BROWSER", sb.path("bin/browser").to_str().unwrap())
        .env("HAT_KEYS_BACKEND", "file")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout).expect("doctor --json prints JSON")
}

/// The findings of one check, as (status, message, fix).
fn findings(out: &Output, check: &str) -> Vec<(String, String, String)> {
    json(out)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .map(|f| {
            (
                f["status"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["fix"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_healthy_setup_passes_in_every_shell_with_the_clock_checked_against_sts() {
    let sb = healthy();
    sb.config(&format!("[profile base]\nregion = eu-west-1\n{SSO_CONFIG}"));
    let _fake = signed_in(&sb, "corp");
    for sh in ALL {
        let script = format!("{}; '{}' doctor", sh.init_line(), crate::support::HAT);
        let out = sh
            .run(&sb, &script)
            .env("SHELL", &format!("/bin/{}", sh.name()))
            .env("AWS_ENDPOINT_URL_STS", moto::url())
            .env("BROWSER", sb.path("bin/browser").to_str().unwrap())
            .env("HAT_KEYS_BACKEND", "file")
            .run();
        out.success();
        out.stdout_has(&format!(
            "ok    shell      the {} function is loaded and current",
            sh.name()
        ))
        .stdout_has("ok    aws-files")
        // The AWS CLI leaves its SSO directories at the umask's 0755: a warning only.
        .stdout_has("warn  modes      ~/.aws/sso/cache is 755")
        .stdout_has("ok    clock      within")
        .stdout_has("ok    sso        sso-session corp: signed in for ")
        .stdout_has("more, and hat refreshes the token before then")
        .stdout_has("ok    browser    the console opens with $BROWSER")
        .stdout_has("ok    keys       the file key store answers")
        .stdout_has("note  endpoints  AWS_ENDPOINT_URL_STS is set")
        .stdout_has("healthy: 0 failed");
    }
}

#[test]
fn a_shell_without_the_function_fails_and_says_which_line_to_add() {
    let sb = healthy();
    std::fs::remove_file(sb.home().join(".bashrc")).unwrap();
    let out = doctor(&sb, &["--offline"]).env("HAT_SHELL_INIT", "").run();
    out.code(1)
        .stdout_has("FAIL  shell      the bash function is not set up")
        .stdout_has("fix: add `eval \"$(hat init bash)\"` to ~/.bashrc and open a new shell")
        .stdout_has("not healthy: 1 failed");
    // The rc file loads it, but this shell started before: open a new one.
    sb.write("home/.bashrc", "eval \"$(hat init bash)\"\n");
    doctor(&sb, &["--offline"])
        .env("HAT_SHELL_INIT", "")
        .run()
        .success()
        .stdout_has("warn  shell      ~/.bashrc loads hat (line 1), but the shell doctor runs from has not loaded it");
    // A wrapper from another hat version.
    doctor(&sb, &["--offline"])
        .env("HAT_SHELL_INIT", "bash:000000000000")
        .run()
        .success()
        .stdout_has("warn  shell      this shell loaded the bash function of another hat version");
}

#[test]
fn granteds_alias_after_hats_line_is_named_and_one_before_it_is_harmless() {
    let sb = healthy();
    // Granted's installer adds this alias; after hat's line it replaces hat's function.
    sb.write(
        "home/.zshrc",
        "eval \"$(hat init zsh)\"\nalias assume=\"source assume\"\n",
    );
    let granted = sb.write(
        "granted/assume",
        "#!/bin/sh\n# Granted\nexec assumego \"$@\"\n",
    );
    chmod(&granted, 0o755);
    let path = format!(
        "{}:{}",
        granted.parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    let run = |sb: &Sandbox| {
        doctor(sb, &["--offline", "--json"])
            .env("SHELL", "/usr/bin/zsh")
            .env(
                "HAT_SHELL_INIT",
                &format!("zsh:{}", hat::emit::init::version(Shell::Zsh).unwrap()),
            )
            .env("PATH", &path)
            .run()
    };
    let out = run(&sb);
    out.code(1);
    let shell = findings(&out, "shell");
    assert!(
        shell.iter().any(|(s, m, f)| s == "fail"
            && m == "line 2 of ~/.zshrc redefines `assume` after hat's line 1, so `assume` is not hat's"
            && f.contains("move hat's line below it")),
        "{shell:?}"
    );
    assert!(
        shell
            .iter()
            .any(|(s, m, _)| s == "note" && m.contains("Granted's `assume` is also installed")),
        "{shell:?}"
    );
    // Before hat's line, the wrapper removes the alias itself: nothing to fix.
    sb.write(
        "home/.zshrc",
        "alias assume=\"source assume\"\neval \"$(hat init zsh --cmd assume)\"\n",
    );
    let out = run(&sb);
    out.success();
    assert!(findings(&out, "shell").iter().all(|(s, _, _)| s != "fail"));
    // A renamed function is checked under its own name.
    sb.write(
        "home/.zshrc",
        "eval \"$(hat init zsh --cmd role)\"\nrole() { echo mine; }\n",
    );
    let out = run(&sb);
    out.code(1);
    assert!(
        findings(&out, "shell")
            .iter()
            .any(|(s, m, _)| s == "fail" && m.contains("redefines `role`"))
    );
}

#[test]
fn a_config_that_does_not_parse_is_named_by_file_and_line() {
    let sb = healthy();
    sb.config("[profile ok]\nregion = eu-west-1\n[profile broken\nregion = x\n");
    let out = doctor(&sb, &["--offline"]).run();
    out.code(1)
        .stdout_has("FAIL  aws-files")
        .stdout_has(&format!(
            "{}, line 3",
            sb.home().join(".aws/config").display()
        ))
        .stdout_has("fix: correct that line");
}

#[test]
fn loose_modes_are_reported_changed_only_with_fix_and_then_pass() {
    let sb = healthy();
    let cache = sb.cache_dir();
    std::fs::create_dir_all(&cache).unwrap();
    let entry = cache.join("0123.json");
    std::fs::write(&entry, "{}").unwrap();
    let sso = sb.home().join(".aws/sso/cache");
    std::fs::create_dir_all(&sso).unwrap();
    let token = sso.join("abc.json");
    std::fs::write(&token, "{}").unwrap();
    let credentials = sb.home().join(".aws/credentials");
    std::fs::write(&credentials, "[x]\naws_access_key_id = A\n").unwrap();
    chmod(&cache, 0o755);
    chmod(&entry, 0o644);
    chmod(&sso, 0o755);
    chmod(&token, 0o640);
    chmod(&credentials, 0o644);

    let out = doctor(&sb, &["--offline"]).run();
    out.code(1)
        .stdout_has("FAIL  modes      ~/.cache/hat/credentials is 755: other users can list it")
        .stdout_has("fix: chmod 700 ~/.cache/hat/credentials (or hat doctor --fix)")
        .stdout_has(
            "FAIL  modes      ~/.cache/hat/credentials/0123.json is 644: other users can read it",
        )
        .stdout_has("warn  modes      ~/.aws/sso/cache is 755")
        .stdout_has("FAIL  modes      ~/.aws/sso/cache/abc.json is 640")
        .stdout_has("FAIL  modes      ~/.aws/credentials is 644: other users can read its keys")
        .stdout_has("`hat doctor --fix` repairs");
    // Without --fix, nothing changed.
    assert_eq!(
        [
            mode(&cache),
            mode(&entry),
            mode(&sso),
            mode(&token),
            mode(&credentials)
        ],
        [0o755, 0o644, 0o755, 0o640, 0o644]
    );

    let out = doctor(&sb, &["--offline", "--fix"]).run();
    out.success()
        .stdout_has("ok    modes      fixed: ~/.cache/hat/credentials is 755");
    assert_eq!(
        [
            mode(&cache),
            mode(&entry),
            mode(&sso),
            mode(&token),
            mode(&credentials)
        ],
        [0o700, 0o600, 0o700, 0o600, 0o600]
    );
    doctor(&sb, &["--offline"])
        .run()
        .success()
        .stdout_has("ok    modes      cache, state and credential files are private");
}

#[test]
fn stale_temporary_files_are_removed_only_with_fix_and_fresh_ones_are_kept() {
    let sb = healthy();
    let cache = sb.cache_dir();
    std::fs::create_dir_all(&cache).unwrap();
    chmod(&cache, 0o700);
    chmod(cache.parent().unwrap(), 0o700);
    let stale = cache.join(format!("{}dead", hat::fs::TEMP_PREFIX));
    let older_hat = cache.join(".tmp-Ab12Cd");
    let fresh = cache.join(format!("{}live", hat::fs::TEMP_PREFIX));
    let old = SystemTime::now() - hat::fs::STALE_AFTER - Duration::from_secs(60);
    for path in [&stale, &older_hat, &fresh] {
        std::fs::write(path, "{\"AccessKeyId\":").unwrap();
        chmod(path, 0o600);
    }
    for path in [&stale, &older_hat] {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let out = doctor(&sb, &["--offline"]).run();
    out.success()
        .stdout_has(&format!(
            "warn  modes      ~/.cache/hat/credentials/{}dead is a temporary file a killed writer left",
            hat::fs::TEMP_PREFIX
        ))
        .stdout_has("~/.cache/hat/credentials/.tmp-Ab12Cd is a temporary file")
        .stdout_lacks_line("live");
    assert!(stale.exists() && older_hat.exists());
    doctor(&sb, &["--offline", "--fix"]).run().success();
    assert!(!stale.exists() && !older_hat.exists() && fresh.exists());
}

/// A server that answers every request with `Date` set `offset` seconds from now.
fn skewed_server(offset: i64) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let at = time::OffsetDateTime::from_unix_timestamp(hat::clock::now() + offset).unwrap();
            let date = at
                .format(time::macros::format_description!(
                    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
                ))
                .unwrap();
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nDate: {date}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    url
}

#[test]
fn a_clock_minutes_off_from_sts_fails_with_the_offset_and_an_unreachable_sts_only_warns() {
    let sb = healthy();
    doctor(&sb, &[])
        .env("AWS_ENDPOINT_URL_STS", &skewed_server(-600))
        .run()
        .code(1)
        .stdout_has(
            "FAIL  clock      this machine's clock is 10m ahead of STS's (http://127.0.0.1:",
        )
        .stdout_has("SignatureDoesNotMatch or RequestExpired")
        .stdout_has("fix: turn on time synchronisation");
    doctor(&sb, &[])
        .env("AWS_ENDPOINT_URL_STS", &skewed_server(120))
        .run()
        .success()
        .stdout_has("warn  clock      this machine's clock is 2m behind STS's");
    let closed = crate::support::free_port();
    doctor(&sb, &[])
        .env(
            "AWS_ENDPOINT_URL_STS",
            &format!("http://127.0.0.1:{closed}"),
        )
        .run()
        .success()
        .stdout_has("warn  clock      could not compare the clock with STS at http://127.0.0.1:");
}

#[test]
fn sso_tokens_are_described_by_state_and_an_expired_dead_one_says_how_to_sign_in() {
    let sb = healthy();
    sb.config(SSO_CONFIG);
    let fake = FakeSso::start(Options::default());
    let (access, refresh) = cli_writes_token(&sb, &fake, "corp", -60);
    let out = doctor(&sb, &["--offline", "--json"]).run();
    out.success();
    assert_eq!(
        findings(&out, "sso"),
        [(
            "ok".to_string(),
            "sso-session corp: the token expired; hat refreshes it on the next assume".to_string(),
            String::new()
        )]
    );
    // Without a refresh token it cannot be refreshed: sign in again.
    let path = sb.home().join(format!(
        ".aws/sso/cache/{}.json",
        hat::sso::token::sha1_hex(b"corp")
    ));
    let mut token: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    token.as_object_mut().unwrap().remove("refreshToken");
    std::fs::write(&path, token.to_string()).unwrap();
    let out = doctor(&sb, &["--offline", "--json"]).run();
    assert_eq!(
        findings(&out, "sso"),
        [(
            "warn".to_string(),
            "sso-session corp: the token expired and cannot be refreshed".to_string(),
            "sign in again: `hat sso login --sso-session corp`".to_string()
        )]
    );
    for secret in [&access, &refresh] {
        assert!(!out.stdout.contains(secret.as_str()));
    }
    // Never signed in: a note, not a problem.
    std::fs::remove_file(&path).unwrap();
    let out = doctor(&sb, &["--offline", "--json"]).run();
    assert_eq!(findings(&out, "sso")[0].0, "note");
}

#[test]
fn a_missing_browser_or_a_mistyped_one_in_the_settings_fails() {
    let sb = healthy();
    doctor(&sb, &["--offline"])
        .env("BROWSER", "no-such-browser --new-tab")
        .run()
        .code(1)
        .stdout_has(
            "FAIL  browser    BROWSER is `no-such-browser`, which is not a program on PATH",
        );
    sb.write(
        "home/.config/hat/config.toml",
        "[console]\nbrowser = \"netscape\"\n",
    );
    doctor(&sb, &["--offline"])
        .run()
        .code(1)
        .stdout_has("FAIL  browser")
        .stdout_has("[console] browser = \"netscape\" is not a browser hat knows");
}

#[test]
fn keys_kept_in_a_file_that_is_gone_fail() {
    let sb = healthy();
    sb.write(
        "home/.local/state/hat/keys.json",
        "{\"profiles\": {\"ci\": {\"key_id\": \"AKIAIOSFODNN7EXAMPLE\", \"backend\": \"file\", \"added\": 0}}}\n",
    );
    chmod(&sb.home().join(".local/state/hat/keys.json"), 0o600);
    chmod(&sb.home().join(".local/state/hat"), 0o700);
    doctor(&sb, &["--offline"])
        .run()
        .code(1)
        .stdout_has("FAIL  keys       1 profile(s) keep their keys in ~/.local/state/hat/keys.enc, which does not exist");
}

#[test]
fn overridden_endpoints_are_noted_without_userinfo_or_query() {
    let sb = healthy();
    let out = doctor(&sb, &["--offline"])
        .env(
            "AWS_ENDPOINT_URL",
            "http://user:hunter2@proxy.example:8080/path?token=s3cret",
        )
        .run();
    out.success()
        .stdout_has("note  endpoints  AWS_ENDPOINT_URL is set (http://proxy.example:8080/path): hat's calls follow it")
        .stdout_has("fix: unset AWS_ENDPOINT_URL unless you mean it");
    assert!(!out.stdout.contains("hunter2") && !out.stdout.contains("s3cret"));
}

#[test]
fn json_reports_every_check_and_healthy() {
    let sb = healthy();
    let out = doctor(&sb, &["--offline", "--json"]).run();
    out.success();
    let value = json(&out);
    assert_eq!(value["healthy"], true);
    let checks: std::collections::BTreeSet<&str> = value["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks.into_iter().collect::<Vec<_>>(),
        [
            "aws-files",
            "browser",
            "clock",
            "endpoints",
            "keys",
            "modes",
            "shell",
            "sso"
        ]
    );
    assert_eq!(out.stderr, "");
}

trait Lacks {
    fn stdout_lacks_line(&self, needle: &str) -> &Self;
}

impl Lacks for Output {
    #[track_caller]
    fn stdout_lacks_line(&self, needle: &str) -> &Self {
        assert!(
            !self.stdout.lines().any(|l| l.contains(needle)),
            "stdout must not mention {needle:?}:\n{}",
            self.stdout
        );
        self
    }
}
