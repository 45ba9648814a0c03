//! Property tests (issue 14): arbitrary strings, as profile names and as credential
//! values, go through hat's escaper, are evaluated by real bash, zsh and fish, and come
//! back byte for byte; nothing in them is ever executed. Many values share one shell
//! process so the suite stays within seconds.

use crate::support::Sandbox;
use crate::support::shells::{ALL, Sh};
use hat::emit::{Exports, Shell};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// The variables the values are put in: a profile name and three credential fields.
const VARS: [&str; 4] = [
    "AWS_PROFILE",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "HAT_PROFILE",
];

/// Pieces that mean something to some shell: quotes, expansions, command
/// substitutions that would create the canary file if any shell ran them.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("'"),
        Just("\""),
        Just("\\"),
        Just("\\'"),
        Just("'\\''"),
        Just("$"),
        Just("$HOME"),
        Just("${HOME}"),
        Just("$(touch canary)"),
        Just("`touch canary`"),
        Just("(touch canary)"),
        Just("'; touch canary; '"),
        Just("\"; touch canary; \""),
        Just("\n"),
        Just("\r\n"),
        Just("\t"),
        Just(" "),
        Just("*"),
        Just("~"),
        Just("!!"),
        Just("%s%n"),
        Just("{a,b}"),
        Just("#"),
        Just(";"),
        Just("\\x41\\u00e9"),
        Just("\u{7f}\u{1b}[31m"),
        Just("é€🎩"),
        Just("\u{a0}\u{2028}\u{feff}"),
    ]
    .prop_map(str::to_string)
}

/// Either any Unicode text (no NUL: no shell string can hold one) or a run of
/// shell-significant pieces and arbitrary characters.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>().prop_map(|s| s.replace('\0', "")),
        3 => proptest::collection::vec(
            prop_oneof![fragment(), any::<char>().prop_filter("no NUL", |c| *c != '\0').prop_map(String::from)],
            0..12,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn shell_of(sh: Sh) -> Shell {
    match sh {
        Sh::Bash => Shell::Bash,
        Sh::Zsh => Shell::Zsh,
        Sh::Fish => Shell::Fish,
        // Not in Sh::ALL: nushell applies data, not code (its escaping is proved in nushell.rs).
        Sh::Nu => Shell::Nu,
    }
}

/// A script that evaluates hat's answers for `values` (four at a time, one per
/// variable) and prints each variable NUL-terminated, then prints each value through
/// `print_line` (what `assume -c --url` answers) followed by a NUL.
fn script(shell: Shell, values: &[String]) -> String {
    let mut out = String::new();
    for chunk in values.chunks(VARS.len()) {
        let mut exports = Exports::cleared();
        for (name, value) in VARS.iter().zip(chunk) {
            exports.set(name, value.as_str());
        }
        out.push_str(&exports.render(shell));
        for name in &VARS[..chunk.len()] {
            out.push_str(&format!("printf '%s\\0' \"${name}\"\n"));
        }
    }
    for value in values {
        out.push_str(&shell.print_line(value));
        out.push_str("printf '\\0'\n");
    }
    out
}

fn expected(values: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for value in values {
        out.extend_from_slice(value.as_bytes());
        out.push(0);
    }
    for value in values {
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\n\0");
    }
    out
}

fn shown(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

proptest! {
    #![proptest_config(Config { cases: 24, ..Config::default() })]

    #[test]
    fn any_value_survives_every_shell_byte_for_byte_and_runs_nothing(
        values in proptest::collection::vec(value(), 1..48)
    ) {
        let sb = Sandbox::new();
        for sh in ALL {
            let code = script(shell_of(sh), &values);
            let out = sh.run(&sb, &code).command().output().unwrap();
            prop_assert!(
                out.status.success(),
                "{} failed: {}\n--- script:\n{code}",
                sh.name(),
                String::from_utf8_lossy(&out.stderr)
            );
            let want = expected(&values);
            prop_assert!(
                out.stdout == want,
                "{} changed a value\n--- got:  {}\n--- want: {}",
                sh.name(),
                shown(&out.stdout),
                shown(&want)
            );
            prop_assert!(
                !sb.root().join("canary").exists(),
                "{} executed part of a value",
                sh.name()
            );
        }
    }
}
