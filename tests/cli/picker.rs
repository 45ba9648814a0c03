//! The profile picker (issue 7) in a real terminal (tmux): `assume` alone, or with a
//! name that is not a profile, opens it on /dev/tty while the function captures stdout.

use crate::support::shells::{ALL, Sh};
use crate::support::tmux::Tmux;
use crate::support::{BASE_KEY_ID, Sandbox};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// Profiles with long-term keys: assuming them needs no network.
fn offline_profiles() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "[profile prod]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = s\nregion = eu-west-1\n\
         [profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n\
         [profile prod-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = prod\n\
         [profile staging]\naws_access_key_id = AKIASTAGING\naws_secret_access_key = s\n"
    ));
    sandbox
}

fn report(sh: Sh) -> &'static str {
    match sh {
        Sh::Fish => "echo \"S=$status P=$AWS_PROFILE\"",
        _ => "echo \"S=$? P=${AWS_PROFILE:-none}\"",
    }
}

#[test]
fn typing_a_few_letters_and_enter_assumes_the_profile_in_every_shell() {
    for sh in ALL {
        let sandbox = offline_profiles();
        let term = Tmux::start(&sandbox, sh, &[]);
        term.line("assume");
        term.wait_for("prod-admin  123456789012  Admin", WAIT);
        term.keys("stag");
        term.wait_for("1/4", WAIT);
        term.press("Enter");
        term.wait_for_prompt(WAIT);
        term.line(report(sh));
        term.wait_for("S=0 P=staging", WAIT);
    }
}

#[test]
fn rows_show_account_role_and_region() {
    let sandbox = offline_profiles();
    let term = Tmux::start(&sandbox, Sh::Bash, &[]);
    term.line("assume");
    let screen = term.wait_for("4/4", WAIT);
    assert!(
        screen.contains("prod-admin  123456789012  Admin"),
        "{screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.contains("prod ") && l.contains("eu-west-1")),
        "{screen}"
    );
    term.press("Escape");
}

#[test]
fn escape_and_ctrl_c_cancel_with_130_and_export_nothing() {
    for key in ["Escape", "C-c"] {
        let sandbox = offline_profiles();
        let term = Tmux::start(&sandbox, Sh::Bash, &[]);
        term.line("assume");
        term.wait_for("4/4", WAIT);
        term.press(key);
        term.wait_for_prompt(WAIT);
        term.line(report(Sh::Bash));
        term.wait_for("S=130 P=none", WAIT);
    }
}

#[test]
fn a_name_that_is_not_a_profile_opens_the_picker_filtered_by_it() {
    let sandbox = offline_profiles();
    let term = Tmux::start(&sandbox, Sh::Zsh, &[]);
    term.line("assume stg");
    // Only `staging` matches s-t-g; the query is already typed in.
    let screen = term.wait_for("1/4", WAIT);
    assert!(screen.contains("stg"), "{screen}");
    term.press("Enter");
    term.wait_for_prompt(WAIT);
    term.line(report(Sh::Zsh));
    term.wait_for("S=0 P=staging", WAIT);
}

#[test]
fn multiple_words_narrow_the_match_together() {
    let sandbox = offline_profiles();
    let term = Tmux::start(&sandbox, Sh::Bash, &[]);
    term.line("assume");
    term.wait_for("4/4", WAIT);
    // `prod` alone matches prod and prod-admin; `eu` (prod's region) leaves one.
    term.keys("prod eu");
    term.wait_for("1/4", WAIT);
    term.press("Enter");
    term.wait_for_prompt(WAIT);
    term.line(report(Sh::Bash));
    term.wait_for("S=0 P=prod", WAIT);
}

#[test]
fn the_most_recently_used_profile_comes_first() {
    let sandbox = offline_profiles();
    let term = Tmux::start(&sandbox, Sh::Bash, &[]);
    term.line("assume staging && assume dev");
    term.wait_for("using dev", WAIT);
    term.wait_for_prompt(WAIT);
    term.line("assume");
    term.wait_for("4/4", WAIT);
    // Enter at once takes the first row.
    term.press("Enter");
    term.wait_for_prompt(WAIT);
    term.line(report(Sh::Bash));
    term.wait_for("S=0 P=dev", WAIT);
    let history =
        std::fs::read_to_string(sandbox.home().join(".local/state/hat/frecency")).unwrap();
    let env = hat::env::Env::from_pairs([("HOME", sandbox.home().to_str().unwrap())]);
    let uses = hat::frecency::Frecency::load(&env);
    assert_eq!(uses.count("dev"), 2, "{history}");
    assert_eq!(uses.count("staging"), 1, "{history}");
}

#[test]
fn fifty_thousand_profiles_are_searchable() {
    let sandbox = Sandbox::new();
    let mut config =
        format!("[profile base]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = s\n");
    for i in 0..50_000 {
        config.push_str(&format!(
            "[profile acct-{i:05}-admin]\nrole_arn = arn:aws:iam::{}:role/admin\nsource_profile = base\nregion = eu-west-1\n",
            100_000_000_000u64 + i
        ));
    }
    config
        .push_str("[profile needle]\naws_access_key_id = AKIANEEDLE\naws_secret_access_key = s\n");
    sandbox.config(&config);
    let term = Tmux::start(&sandbox, Sh::Bash, &[]);
    term.line("assume");
    term.wait_for("50002/50002", WAIT);
    term.keys("needle");
    term.wait_for("1/50002", WAIT);
    term.press("Enter");
    term.wait_for_prompt(WAIT);
    term.line(report(Sh::Bash));
    term.wait_for("S=0 P=needle", WAIT);
}
