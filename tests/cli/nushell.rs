//! Nushell (issue 18) in the real `nu`: the wrapper applies hat's JSON answer with
//! `load-env`/`hide-env` only on success, the AWS CLI run from nu sees the role,
//! `--unset`, hostile values that come back byte for byte and execute nothing, `-c
//! --url`, the prompt helper (and that it starts no process), completions, and under
//! tmux the picker, Tab completion and auto re-assume, all set up with the exact line
//! the README gives.

use crate::support::fake_federation::{FakeFederation, login_params};
use crate::support::shells::Sh;
use crate::support::tmux::Tmux;
use crate::support::{BASE_KEY_ID, CHAIN_CONFIG, HAT, Output, Run, Sandbox, moto, require};
use hat::emit::{MANAGED, Shell};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `hat init nu ARGS`, saved in the sandbox; returns the file's path.
fn init_file(sandbox: &Sandbox, args: &[&str]) -> String {
    let mut all = vec!["init", "nu"];
    all.extend_from_slice(args);
    let out = sandbox.hat(&all).run();
    out.success();
    let name = format!("hat{}.nu", all.join("-").replace(' ', ""));
    sandbox.write(&name, &out.stdout).display().to_string()
}

/// `script` in `nu -c`, after sourcing `hat init nu`, as config.nu's line has nushell
/// do at startup.
fn nu(sandbox: &Sandbox, script: &str) -> Run {
    let init = init_file(sandbox, &[]);
    Sh::Nu.run(sandbox, &format!("source '{init}'\n{script}"))
}

/// Prints `NAME=set` or `NAME=unset` for every managed variable.
fn report() -> String {
    format!(
        "for v in [{}] {{ if $v in ($env | columns) {{ print $\"($v)=set\" }} else {{ print $\"($v)=unset\" }} }}",
        MANAGED.join(" ")
    )
}

/// nushell's own parser accepts the script (`nu-check`), and sourcing it twice prints
/// nothing and adds the auto re-assume hook once.
#[test]
fn nu_init_parses_and_loads_silently_twice() {
    let sandbox = Sandbox::new();
    let init = init_file(&sandbox, &[]);
    let check = Sh::Nu
        .run(&sandbox, &format!("nu-check --debug '{init}'"))
        .run();
    check.success();
    assert_eq!(check.stdout.trim(), "true", "{}", check.stderr);

    let twice = format!(
        "source '{init}'\nsource '{init}'\n$env.config.hooks.pre_execution | to nuon | save -f hooks"
    );
    let out = Sh::Nu
        .run(&sandbox, &twice)
        .env("HAT_AUTO_REASSUME", "1")
        .run();
    out.success();
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "");
    let hooks = std::fs::read_to_string(sandbox.path("hooks")).unwrap();
    assert_eq!(hooks, "[__hat_reassume]");

    // Off unless asked for; `--auto-reassume` turns it on, HAT_AUTO_REASSUME=0 off.
    let hooks = |init: &str, auto: Option<&str>| {
        let mut run = Sh::Nu.run(
            &sandbox,
            &format!("source '{init}'\nprint -n ($env.config.hooks.pre_execution | to nuon)"),
        );
        if let Some(auto) = auto {
            run = run.env("HAT_AUTO_REASSUME", auto);
        }
        let out = run.run();
        out.success();
        out.stdout.clone()
    };
    let flagged = init_file(&sandbox, &["--auto-reassume"]);
    assert_eq!(hooks(&init, None), "[]");
    assert_eq!(hooks(&flagged, None), "[__hat_reassume]");
    assert_eq!(hooks(&flagged, Some("0")), "[]");
}

#[test]
fn assume_in_nu_gives_the_aws_cli_the_role_and_unset_removes_it() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let script = format!(
        "assume c\n^aws sts get-caller-identity --query Arn --output text\n\
         print $\"region=($env.AWS_REGION) profile=($env.AWS_PROFILE)\"\n{report}\n\
         assume --unset\nprint \"---\"\n{report}\n",
        report = report()
    );
    let out = nu(&sandbox, &script)
        .sts(moto::url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .run();
    out.success()
        .stderr_has("hat: assumed c in us-west-2; the credentials expire in");
    let (before, after) = out.stdout.split_once("---\n").expect("marker");
    assert!(
        before.contains("arn:aws:sts::333333333333:assumed-role/c/hat-tester"),
        "{before}"
    );
    assert!(before.contains("region=us-west-2 profile=c"), "{before}");
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "HAT_PROFILE",
        "HAT_EXPIRES",
    ] {
        assert!(
            before.contains(&format!("{name}=set\n")),
            "{name}: {before}"
        );
    }
    assert!(before.contains("AWS_SECURITY_TOKEN=unset\n"), "{before}");
    for name in MANAGED {
        assert!(
            after.contains(&format!("{name}=unset\n")),
            "{name} survived --unset:\n{after}"
        );
    }
}

/// A failed assume fails the way a failed external command does in nushell: the
/// script stops (or `try` catches it), LAST_EXIT_CODE is hat's status, and nothing in
/// the environment changed.
#[test]
fn a_failed_assume_in_nu_fails_with_hats_status_and_changes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let out = nu(
        &sandbox,
        "$env.AWS_PROFILE = 'keep'\n\
         try { assume nope } catch {|e| print $\"caught=($e.exit_code)\" }\n\
         print $\"status=($env.LAST_EXIT_CODE) profile=($env.AWS_PROFILE)\"\n\
         assume base -d bogus\nprint not-reached",
    )
    .run();
    out.code(1)
        .stderr_has("no profile named `nope`")
        .stderr_has("`bogus` is not a duration");
    assert_eq!(out.stdout, "caught=1\nstatus=1 profile=keep\n");
}

#[test]
fn help_and_a_custom_name_through_the_nu_function() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let out = nu(&sandbox, "assume --help").run();
    out.success().stderr_has("Usage:");
    assert_eq!(out.stdout, "");

    let init = init_file(&sandbox, &["--cmd", "wear"]);
    let out = Sh::Nu
        .run(
            &sandbox,
            &format!("source '{init}'\nwear base\nprint $env.AWS_PROFILE"),
        )
        .run();
    out.success();
    assert_eq!(out.stdout, "base\n");
}

const HOSTILE: &[&str] = &[
    "",
    "x$(touch pwned)",
    "a'b",
    "a\"b",
    "`touch pwned`",
    "back\\slash\\",
    "two\nlines\n",
    " spaced  out ",
    "ünïcødé ☃ 🎩",
    "$HOME ${HOME} %s \\n ; & | > < * ? [ ] # ~",
    "'; touch pwned; echo '",
    "\\'",
    "(touch pwned)",
    "$\"(touch pwned)\"",
    "^touch pwned",
    "{|| touch pwned}",
    "\u{1b}[31mred\u{7}",
    "\"}, \"set\": {\"PATH\": \"/evil\"}",
];

/// The escaper for nushell string literals (the binary's path in the script): every
/// hostile value read back by the real nu byte for byte, nothing run.
#[test]
fn hostile_strings_round_trip_through_nu_quoting() {
    let sandbox = Sandbox::new();
    let mut script = String::new();
    for (index, value) in HOSTILE.iter().enumerate() {
        script.push_str(&format!(
            "{} | save -f 'quoted-{index}'\n",
            Shell::Nu.quote(value)
        ));
    }
    Sh::Nu.run(&sandbox, &script).run().success();
    for (index, value) in HOSTILE.iter().enumerate() {
        let back = std::fs::read_to_string(sandbox.path(&format!("quoted-{index}"))).unwrap();
        assert_eq!(back, *value, "nu mangled {value:?}");
    }
    assert!(!sandbox.path("pwned").exists(), "nu executed a value");
}

/// Values are data: a credential_process hands hat each hostile value as the session
/// token and one profile carries a hostile region; `assume` in nu sets them exactly,
/// runs none of them, and sets nothing hat does not manage.
#[test]
fn hostile_values_reach_nu_byte_for_byte_and_execute_nothing() {
    let sandbox = Sandbox::new();
    let mut config = String::new();
    let mut script = String::from("let path_before = $env.PATH\n");
    // hat refuses an empty session token, so "" is covered by the quoting test.
    for (index, value) in HOSTILE.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
        let json = serde_json::json!({"Version": 1, "AccessKeyId": format!("AKIA{index}"), "SecretAccessKey": value, "SessionToken": value});
        let file = sandbox.write(&format!("creds-{index}.json"), &json.to_string());
        config.push_str(&format!(
            "[profile p{index}]\ncredential_process = cat {}\n",
            file.display()
        ));
        script.push_str(&format!(
            "assume p{index}\n$env.AWS_SESSION_TOKEN | save -f 'token-{index}'\n$env.AWS_SECRET_ACCESS_KEY | save -f 'secret-{index}'\n"
        ));
    }
    let key = "AKIA$(touch pwned)`touch pwned`'\"(touch pwned)";
    let json = serde_json::json!({"Version": 1, "AccessKeyId": key, "SecretAccessKey": "s", "SessionToken": "t"});
    let file = sandbox.write("creds-odd.json", &json.to_string());
    config.push_str(&format!(
        "[profile odd.name@x:y+z/w%]\ncredential_process = cat {}\nregion = eu$(touch pwned)'x\"(touch pwned)\n",
        file.display()
    ));
    script.push_str(
        "assume 'odd.name@x:y+z/w%'\n\
         $env.AWS_ACCESS_KEY_ID | save -f key\n$env.AWS_REGION | save -f region\n\
         $env.AWS_PROFILE | save -f profile\n\
         if $env.PATH != $path_before { print PATH-CHANGED }\n",
    );
    sandbox.config(&config);
    let out = nu(&sandbox, &script).run();
    out.success();
    assert_eq!(out.stdout, "");
    let read = |name: &str| std::fs::read_to_string(sandbox.path(name)).unwrap();
    for (index, value) in HOSTILE.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
        assert_eq!(read(&format!("token-{index}")), *value);
        assert_eq!(read(&format!("secret-{index}")), *value);
    }
    assert_eq!(read("key"), key);
    assert_eq!(read("region"), "eu$(touch pwned)'x\"(touch pwned)");
    assert_eq!(read("profile"), "odd.name@x:y+z/w%");
    assert!(!sandbox.path("pwned").exists(), "a value was executed");
}

/// `assume -c`: `--url` prints the sign-in URL (shown, not applied), `-c` alone opens
/// the browser and exports nothing, `-t` also exports.
#[test]
fn assume_dash_c_in_nu_prints_the_url_and_exports_only_with_t() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let fed = FakeFederation::start();
    let record = sandbox.path("browser-record");
    let browser = sandbox.write(
        "bin/recorder",
        &format!("#!/bin/sh\necho \"$1\" >> '{}'\n", record.display()),
    );
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let report = "print $\"profile=($env.AWS_PROFILE? | default none)\"";
    let out = nu(
        &sandbox,
        &format!(
            "assume -c c --url -s sm\n{report}\nassume -c c\n{report}\nassume -c -t c\n{report}\n"
        ),
    )
    .sts(moto::url())
    .env("HAT_FEDERATION_ENDPOINT", &fed.url)
    .env("BROWSER", browser.to_str().unwrap())
    .run();
    out.success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    let (endpoint, params) = login_params(lines[0]);
    assert_eq!(endpoint, fed.url);
    assert_eq!(
        params["Destination"],
        "https://us-west-2.console.aws.amazon.com/secretsmanager/home?region=us-west-2"
    );
    assert_eq!(lines[1..], ["profile=none", "profile=none", "profile=c"]);
    // Browsers start in the background: wait for the two that -c and -c -t opened.
    let deadline = std::time::Instant::now() + WAIT;
    let opened = || {
        std::fs::read_to_string(&record)
            .unwrap_or_default()
            .lines()
            .count()
    };
    while opened() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(opened(), 2);
}

fn prompt(sandbox: &Sandbox, expires: Option<&str>, profile: Option<&str>) -> Output {
    let mut run = nu(sandbox, "print -n (__hat_prompt)");
    if let Some(profile) = profile {
        run = run.env("HAT_PROFILE", profile);
    }
    if let Some(expires) = expires {
        run = run.env("HAT_EXPIRES", expires);
    }
    run.run()
}

#[test]
fn nu_prompt_helper_shows_time_left_or_expired_and_never_fails() {
    let sandbox = Sandbox::new();
    let cases = [
        (Some((now() - 10).to_string()), Some("prod"), "prod expired"),
        (Some((now() + 90).to_string()), Some("prod"), "prod 1m"),
        (
            Some((now() + 3 * 3600 + 5 * 60 + 30).to_string()),
            Some("prod"),
            "prod 3h05m",
        ),
        (Some("soon".to_string()), Some("keys"), "keys"),
        (Some("9".repeat(40)), Some("huge"), "huge"),
        (None, Some("keys"), "keys"),
        (Some("100".to_string()), None, ""),
    ];
    for (expires, profile, want) in cases {
        let out = prompt(&sandbox, expires.as_deref(), profile);
        out.success();
        assert_eq!(out.stdout, want, "{expires:?} {profile:?}");
    }
    // Under a minute: the seconds, which tick while nu starts.
    let out = prompt(&sandbox, Some(&(now() + 40).to_string()), Some("prod"));
    out.success();
    let seconds = out
        .stdout
        .strip_prefix("prod ")
        .and_then(|s| s.strip_suffix('s'));
    assert!(
        seconds
            .and_then(|s| s.parse::<i64>().ok())
            .is_some_and(|s| (30..=40).contains(&s)),
        "{}",
        out.stdout
    );
}

/// The helper runs inside every prompt, so it must not start a program. Run under a
/// terminal (`script`), as a prompt is: without one nushell itself asks `tput` for the
/// terminal's size.
#[test]
fn nu_prompt_helper_starts_no_process() {
    let sandbox = Sandbox::new();
    let init = init_file(&sandbox, &[]);
    let script = sandbox.write(
        "prompt.nu",
        &format!("source '{init}'\nprint -n (__hat_prompt)\n"),
    );
    let log = sandbox.path("execve.log");
    let command = format!(
        "'{}' -f -qq -e trace=execve -o '{}' '{}' --no-config-file '{}'",
        require("strace").display(),
        log.display(),
        Sh::Nu.program().display(),
        script.display()
    );
    let out = sandbox
        .peer("script")
        .args(["-qec", &command, "/dev/null"])
        .env("HAT_PROFILE", "prod")
        .env("HAT_EXPIRES", (now() + 2520 + 30).to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("prod 42m"), "{stdout:?}");
    let log = std::fs::read_to_string(&log).unwrap();
    let execs: Vec<&str> = log.lines().filter(|l| l.contains("execve(")).collect();
    assert_eq!(execs.len(), 1, "only nu itself may be started:\n{log}");
}

fn named_profiles(sandbox: &Sandbox) {
    sandbox.config(&format!(
        "[profile prod]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = s\n\
         [profile prod-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = prod\n\
         [profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n"
    ));
}

#[test]
fn nu_completer_offers_profile_names_but_not_after_a_dash() {
    let sandbox = Sandbox::new();
    named_profiles(&sandbox);
    let out = nu(
        &sandbox,
        "print (__hat_complete 'assume pr' | to nuon)\nprint (__hat_complete 'assume --u' | to nuon)",
    )
    .run();
    out.success();
    assert_eq!(out.stdout, "[dev, prod, prod-admin]\n[]\n");
}

/// The README's line in a real config.nu, nushell's vendor autoload, and Tab in its
/// line editor.
#[test]
fn nu_tab_completes_profile_names_in_a_terminal() {
    let sandbox = Sandbox::new();
    named_profiles(&sandbox);
    let term = Tmux::start(&sandbox, Sh::Nu, &[]);
    term.keys("assume prod-a");
    term.press("Tab");
    term.wait_for("assume prod-admin", WAIT);
}

/// Profiles with long-term keys: assuming them needs no network.
fn offline_profiles() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "[profile prod]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = s\nregion = eu-west-1\n\
         [profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n\
         [profile staging]\naws_access_key_id = AKIASTAGING\naws_secret_access_key = s\n"
    ));
    sandbox
}

const REPORT: &str = "print $\"S=($env.LAST_EXIT_CODE) P=($env.AWS_PROFILE? | default none)\"";

#[test]
fn the_picker_works_in_nu() {
    let sandbox = offline_profiles();
    let term = Tmux::start(&sandbox, Sh::Nu, &[]);
    term.line("assume");
    term.wait_for("3/3", WAIT);
    term.keys("stag");
    term.wait_for("1/3", WAIT);
    term.press("Enter");
    term.wait_for_prompt(WAIT);
    term.line(REPORT);
    term.wait_for("S=0 P=staging", WAIT);
    // A name that is not a profile opens it filtered; Escape leaves with 130 and
    // changes nothing.
    term.line("assume dv");
    term.wait_for("1/3", WAIT);
    term.press("Escape");
    term.wait_for_prompt(WAIT);
    term.line(REPORT);
    term.wait_for("S=130 P=staging", WAIT);
}

/// A credential_process whose credentials always expire in two minutes (inside the
/// 5-minute margin), counting its runs and numbering the keys it hands out; it fails
/// once `~/fail` exists.
fn expiring_process(sandbox: &Sandbox) {
    let script = sandbox.write(
        "bin/expiring",
        "#!/bin/sh\necho run >> \"$HOME/runs\"\n[ -e \"$HOME/fail\" ] && { echo broken >&2; exit 1; }\n\
         n=$(wc -l < \"$HOME/runs\" | tr -d ' ')\n\
         exp=$(date -u -d \"@$(( $(date +%s) + 120 ))\" +%Y-%m-%dT%H:%M:%SZ)\n\
         printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAFRESH%s\", \"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", \"Expiration\": \"%s\"}\\n' \"$n\" \"$exp\"\n",
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sandbox.config(&format!(
        "[profile proc]\ncredential_process = {}\nregion = eu-west-1\n",
        script.display()
    ));
}

fn runs(sandbox: &Sandbox) -> usize {
    std::fs::read_to_string(sandbox.home().join("runs"))
        .unwrap_or_default()
        .lines()
        .count()
}

#[test]
fn auto_reassume_in_nu_renews_near_expiry_and_keeps_the_exit_code() {
    let sandbox = Sandbox::new();
    expiring_process(&sandbox);
    let term = Tmux::start(&sandbox, Sh::Nu, &[("HAT_AUTO_REASSUME", "1")]);
    term.line("assume proc; print STEP1");
    term.wait_for("\nSTEP1", WAIT);
    assert_eq!(runs(&sandbox), 1);
    // Before each command line the hook sees 2 minutes left and re-assumes, and the
    // status of `^false` survives the hook's own run of hat.
    term.line("^false");
    term.wait_for_prompt(WAIT);
    term.line("print $\"S=($env.LAST_EXIT_CODE) K=($env.AWS_ACCESS_KEY_ID)\"");
    term.wait_for("\nS=1 K=AKIAFRESH3", WAIT);
    // Three commands on one line: one re-assume.
    term.line("^true; ^true; print STEP2");
    term.wait_for("\nSTEP2", WAIT);
    assert_eq!(runs(&sandbox), 4, "once per command line");
    // A re-assume that fails (a captured external's failure sets LAST_EXIT_CODE in
    // nushell) still leaves the status of the user's last command.
    std::fs::write(sandbox.home().join("fail"), "").unwrap();
    term.line("^sh -c 'exit 7'");
    term.wait_for_prompt(WAIT);
    term.line("print $\"S=($env.LAST_EXIT_CODE) K=($env.AWS_ACCESS_KEY_ID)\"");
    term.wait_for("\nS=7 K=AKIAFRESH4", WAIT);
    assert_eq!(runs(&sandbox), 6);
}

#[test]
fn auto_reassume_in_nu_is_off_unless_asked_for() {
    let sandbox = Sandbox::new();
    expiring_process(&sandbox);
    let term = Tmux::start(&sandbox, Sh::Nu, &[]);
    term.line("assume proc; print STEP1");
    term.wait_for("\nSTEP1", WAIT);
    term.line("^true");
    term.line("print $\"K=($env.AWS_ACCESS_KEY_ID)\"");
    term.wait_for("\nK=AKIAFRESH1", WAIT);
    assert_eq!(runs(&sandbox), 1);
}

/// One setup line, shown the same everywhere a user may read it.
#[test]
fn the_nu_setup_line_is_the_same_in_the_readme_the_docs_the_script_and_help() {
    let line = Sh::Nu.init_line().replace(&format!("^'{HAT}'"), "hat");
    assert!(line.starts_with("mkdir ($nu.data-dir"), "{line}");
    let sandbox = Sandbox::new();
    let script = sandbox.hat(&["init", "nu"]).run();
    script.success().stdout_has(&line);
    let alias = sandbox.hat(&["init", "nushell"]).run();
    assert_eq!(alias.success().stdout, script.stdout, "`nushell` is `nu`");
    for doc in ["README.md", "docs/daily.md"] {
        let text =
            std::fs::read_to_string(format!("{}/{doc}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(text.contains(&line), "{doc} lacks {line}");
    }
    // clap wraps help text: compare without line breaks.
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for args in [&["init", "--help"][..], &["--help"][..]] {
        let help = sandbox.hat(args).run();
        help.success();
        assert!(
            flat(&help.stdout).contains(&flat(&line)),
            "{args:?}:\n{}",
            help.stdout
        );
    }
    sandbox
        .hat(&["init", "--help"])
        .run()
        .stdout_has("[possible values: bash, zsh, fish, nu]");
}

/// Issue 15: `assume -` in nushell, across three assumes, as in the other shells.
#[test]
fn assume_dash_returns_to_the_previous_profile_in_nu() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let show = "print $\"now=($env.HAT_PROFILE)\"";
    let script = format!(
        "let r = (try {{ assume -; 'ok' }} catch {{|e| $e.msg }})\nprint $r\n\
         assume a\nassume b\nassume c\nassume -\n{show}\nassume -\n{show}\nassume -\n{show}\n"
    );
    let out = nu(&sandbox, &script)
        .sts(moto::url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .run();
    out.success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].contains("no previous profile in this shell"),
        "{}",
        out.stdout
    );
    assert_eq!(lines[1..], ["now=b", "now=c", "now=b"], "{}", out.stderr);
}

/// Issue 15: `[shell] awsume_variables = true` reaches nushell's function too: awsume's
/// AWSUME_PROFILE and AWSUME_EXPIRATION (local time, no offset, as awsume writes it),
/// and `--unset` hides them.
#[test]
fn awsume_variables_reach_nu_when_the_setting_is_on() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    sandbox.write(
        "home/.config/hat/config.toml",
        "[shell]\nawsume_variables = true\n",
    );
    let script = "assume a\n\
        print $\"($env.AWSUME_PROFILE) ($env.AWSUME_EXPIRATION) ($env.HAT_EXPIRES)\"\n\
        assume --unset\n\
        print ([AWSUME_PROFILE AWSUME_EXPIRATION] | any {|v| $v in ($env | columns) })";
    let tz = "America/St_Johns";
    let out = nu(&sandbox, script).sts(moto::url()).env("TZ", tz).run();
    out.success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    let [profile, expiration, epoch] = lines[0].split(' ').collect::<Vec<_>>()[..] else {
        panic!("{}", out.stdout);
    };
    assert_eq!(profile, "a");
    // awsume's own expression, by the test venv's Python.
    assert_eq!(
        expiration,
        crate::support::shells::awsume_expiration(&sandbox, epoch, tz)
    );
    assert_eq!(lines[1], "false", "--unset left them: {}", out.stdout);
}
