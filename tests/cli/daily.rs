//! Living in hat all day: the prompt helper and `hat prompt`, auto re-assume before a
//! command, profile-name completions for `assume`, and `hat list`. Real bash, zsh and
//! fish (under tmux where a prompt and hooks need an interactive shell).

use crate::support::shells::{ALL, Sh};
use crate::support::tmux::Tmux;
use crate::support::{BASE_KEY_ID, CHAIN_CONFIG, Sandbox, moto, require};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn prompt_helper_shows_time_left_or_expired_in_every_shell() {
    let sandbox = Sandbox::new();
    let cases = [
        (now() - 10, "prod expired"),
        (now() + 90, "prod 1m"),
        (now() + 3 * 3600 + 5 * 60 + 30, "prod 3h05m"),
    ];
    for sh in ALL {
        for (expires, want) in cases {
            let script = format!("{}\n__hat_prompt", sh.init_line());
            let out = sh
                .run(&sandbox, &script)
                .env("HAT_PROFILE", "prod")
                .env("HAT_EXPIRES", &expires.to_string())
                .run();
            out.success();
            assert_eq!(out.stdout, want, "{}", sh.name());
        }
        let script = format!("{}\n__hat_prompt", sh.init_line());
        let out = sh.run(&sandbox, &script).run();
        out.success();
        assert_eq!(out.stdout, "", "{}: no role, no segment", sh.name());
    }
}

/// The helper runs inside every prompt: in bash and zsh it must not start a program.
#[test]
fn prompt_helper_starts_no_program_in_bash_and_zsh() {
    let sandbox = Sandbox::new();
    for sh in [Sh::Bash, Sh::Zsh] {
        let init = sandbox.hat(&["init", sh.name()]).run();
        init.success();
        let file = sandbox.write(&format!("init.{}", sh.name()), &init.stdout);
        let log = sandbox.path(&format!("execve-{}.log", sh.name()));
        let script = format!(". '{}'\n__hat_prompt", file.display());
        let flags: &[&str] = match sh {
            Sh::Bash => &["--noprofile", "--norc", "-c"],
            _ => &["--no-rcs", "-c"],
        };
        let out = sandbox
            .peer("strace")
            .args(["-f", "-qq", "-e", "trace=execve", "-o"])
            .arg(&log)
            .arg(require(sh.name()))
            .args(flags)
            .arg(&script)
            .env("HAT_PROFILE", "prod")
            .env("HAT_EXPIRES", (now() + 2520 + 30).to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "prod 42m");
        let log = std::fs::read_to_string(&log).unwrap();
        let execs: Vec<&str> = log.lines().filter(|l| l.contains("execve(")).collect();
        assert_eq!(
            execs.len(),
            1,
            "only the shell itself may be started:\n{log}"
        );
    }
}

#[test]
fn hat_prompt_prints_the_segment_or_nothing_and_never_fails() {
    let sandbox = Sandbox::new();
    let out = sandbox.hat(&["prompt"]).run();
    out.success();
    assert_eq!(out.stdout, "");
    let out = sandbox
        .hat(&["prompt"])
        .env("HAT_PROFILE", "prod")
        .env("HAT_EXPIRES", &(now() + 2520 + 30).to_string())
        .run();
    out.success();
    assert_eq!(out.stdout, "prod 42m\n");
    let out = sandbox
        .hat(&["prompt"])
        .env("HAT_PROFILE", "prod")
        .env("HAT_EXPIRES", "not-a-time")
        .env("AWS_CONFIG_FILE", "/nonexistent/dir")
        .run();
    out.success();
    assert_eq!(out.stdout, "prod\n");
}

/// A credential_process whose credentials always expire in two minutes (inside the
/// 5-minute margin), counting its runs and numbering the keys it hands out.
fn expiring_process(sandbox: &Sandbox) {
    let script = sandbox.write(
        "bin/expiring",
        "#!/bin/sh\necho run >> \"$HOME/runs\"\nn=$(wc -l < \"$HOME/runs\" | tr -d ' ')\n\
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
fn auto_reassume_refreshes_once_per_command_line_and_keeps_the_status() {
    for sh in ALL {
        let sandbox = Sandbox::new();
        expiring_process(&sandbox);
        let term = Tmux::start(&sandbox, sh, &[("HAT_AUTO_REASSUME", "1")]);
        // Each step ends by echoing a marker, waited for at the start of a line: the
        // prompt alone may still be the previous one.
        term.line("assume proc; echo STEP1");
        term.wait_for("\nSTEP1", WAIT);
        assert_eq!(runs(&sandbox), 1, "{}", sh.name());
        // Before each command line the hook sees 2 minutes left and re-assumes.
        term.line("false");
        term.wait_for_prompt(WAIT);
        let status = if sh == Sh::Fish { "$status" } else { "$?" };
        term.line(&format!("echo \"S={status} K=$AWS_ACCESS_KEY_ID\""));
        term.wait_for("\nS=1 K=AKIAFRESH3", WAIT);
        // Three commands on one line: one re-assume.
        term.line("true; true; echo STEP2");
        term.wait_for("\nSTEP2", WAIT);
        assert_eq!(runs(&sandbox), 4, "{}: once per command line", sh.name());
    }
}

#[test]
fn auto_reassume_is_off_unless_asked_for() {
    let sandbox = Sandbox::new();
    expiring_process(&sandbox);
    let term = Tmux::start(&sandbox, Sh::Bash, &[]);
    term.line("assume proc; echo STEP1");
    term.wait_for("\nSTEP1", WAIT);
    term.line("true");
    term.line("echo \"K=$AWS_ACCESS_KEY_ID\"");
    term.wait_for("\nK=AKIAFRESH1", WAIT);
    assert_eq!(runs(&sandbox), 1);
}

#[test]
fn bash_keeps_an_existing_debug_trap_and_loading_twice_adds_the_hook_once() {
    let sandbox = Sandbox::new();
    let script = format!(
        "trap 'echo \"mine $BASH_COMMAND\" >/dev/null' DEBUG\n{init}\n{init}\ntrap -p DEBUG",
        init = Sh::Bash.init_line()
    );
    let out = Sh::Bash
        .run(&sandbox, &script)
        .env("HAT_AUTO_REASSUME", "1")
        .run();
    out.success();
    assert_eq!(
        out.stdout,
        "trap -- 'echo \"mine $BASH_COMMAND\" >/dev/null; __hat_reassume' DEBUG\n"
    );
}

#[test]
fn init_flag_turns_auto_reassume_on() {
    let sandbox = Sandbox::new();
    for sh in ALL {
        let out = sandbox.hat(&["init", sh.name(), "--auto-reassume"]).run();
        out.success();
        let hook = match sh {
            Sh::Bash => "\"${HAT_AUTO_REASSUME:-1}\" = 1",
            Sh::Zsh => "\"${HAT_AUTO_REASSUME:-1}\" = 1",
            Sh::Fish => "test 1 != 1",
            Sh::Nu => "default \"1\"",
        };
        assert!(out.stdout.contains(hook), "{}:\n{}", sh.name(), out.stdout);
    }
}

fn named_profiles(sandbox: &Sandbox) {
    sandbox.config(&format!(
        "[profile prod]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = s\n\
         [profile prod-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = prod\n\
         [profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n"
    ));
}

#[test]
fn assume_completes_profile_names_in_every_shell() {
    let sandbox = Sandbox::new();
    named_profiles(&sandbox);
    let bash = Sh::Bash.run(
        &sandbox,
        &format!(
            "{}\ncomplete -p assume\nCOMP_WORDS=(assume pr); COMP_CWORD=1; __hat_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            Sh::Bash.init_line()
        ),
    );
    let out = bash.run();
    out.success();
    assert_eq!(
        out.stdout,
        "complete -F __hat_complete assume\nprod\nprod-admin\n"
    );

    let fish = Sh::Fish.run(
        &sandbox,
        &format!("{}\ncomplete -C 'assume pr'", Sh::Fish.init_line()),
    );
    let out = fish.run();
    out.success();
    assert_eq!(out.stdout, "prod\nprod-admin\n");

    let zsh = Sh::Zsh.run(
        &sandbox,
        &format!(
            "autoload -Uz compinit && compinit -u -D\n{}\nprint -r -- $_comps[assume]",
            Sh::Zsh.init_line()
        ),
    );
    let out = zsh.run();
    out.success();
    assert_eq!(out.stdout, "__hat_complete\n");
}

/// zsh's completion under a real line editor: Tab after `assume pr` lists the names.
#[test]
fn zsh_tab_completes_profile_names_in_a_terminal() {
    let sandbox = Sandbox::new();
    named_profiles(&sandbox);
    let term = Tmux::start(&sandbox, Sh::Zsh, &[]);
    term.line("autoload -Uz compinit && compinit -u -D");
    term.line(&Sh::Zsh.init_line());
    term.keys("assume prod-a");
    term.press("Tab");
    term.wait_for("assume prod-admin", WAIT);
}

#[test]
fn list_names_prints_one_name_a_line_sorted() {
    let sandbox = Sandbox::new();
    named_profiles(&sandbox);
    let out = sandbox.hat(&["list", "--names"]).run();
    out.success();
    assert_eq!(out.stdout, "dev\nprod\nprod-admin\n");
}

#[test]
fn list_shows_type_account_role_region_and_cached_credentials() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    sandbox.assume(&["a"]).sts(moto::url()).run().success();
    let out = sandbox.hat(&["list"]).sts(moto::url()).run();
    out.success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("PROFILE  TYPE"), "{}", out.stdout);
    let row = |name: &str| {
        *lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{}", out.stdout))
    };
    let a: Vec<&str> = row("a").split_whitespace().collect();
    assert_eq!(a[..4], ["a", "role", "111111111111", "a"], "{}", out.stdout);
    assert_eq!(a[4], "✓", "a's credentials are cached:\n{}", out.stdout);
    let c: Vec<&str> = row("c").split_whitespace().collect();
    assert_eq!(c, ["c", "role", "333333333333", "c", "us-west-2"]);
    let base: Vec<&str> = row("base").split_whitespace().collect();
    assert_eq!(base, ["base", "keys", "eu-west-1"]);
}

#[test]
fn without_a_terminal_assume_says_how_to_name_a_profile() {
    let sandbox = Sandbox::new();
    named_profiles(&sandbox);
    sandbox
        .assume(&[])
        .run()
        .failure()
        .stderr_has("name a profile: `assume PROFILE`")
        .stderr_has("no terminal for the picker");
    sandbox
        .assume(&["prdo"])
        .run()
        .failure()
        .stderr_has("Did you mean `prod`");
}
