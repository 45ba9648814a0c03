//! Granted's multi-letter short flags (`-un`, `-cd`, ...), rewritten to hat's long
//! names before clap sees the arguments: the one place where `assume`'s argv is not
//! what clap parses.
//!
//! Granted (urfave/cli) lets a "short" alias have several letters; clap cannot, and
//! would read `-un` as `-u -n`. So the arguments after `assume` are rewritten word
//! by word, with `-cd=URL` kept as `--console-destination=URL`. Nothing after `--`
//! is touched, nor the value of an option that takes one (`--exec -un` runs `-un`).
//! Only the `assume` subcommand is rewritten: the other subcommands are hat's own.
//!
//! Granted's other spelling of `--exec`, `--exec -- COMMAND ARGS...` (everything after
//! the `--` is the command), becomes `--exec=COMMAND`, each word quoted for `sh -c`,
//! so the command runs with exactly those arguments.

use std::ffi::OsString;

/// Granted's multi-letter aliases and the long flag each one stands for.
pub const GRANTED_SHORT: &[(&str, &str)] = &[
    ("-un", "--unset"),
    ("-ex", "--export"),
    ("-es", "--export-sso-token"),
    ("-cd", "--console-destination"),
    ("-ar", "--active-role"),
    ("-pt", "--pass-through"),
    ("-bp", "--browser-profile"),
];

/// `assume`'s options that take a value in the next word, so that word is not
/// rewritten (clap's `-r`, `--region`, ... and the rewritten long names).
const TAKES_VALUE: &[&str] = &[
    "-r",
    "--region",
    "-d",
    "--duration",
    "-s",
    "--service",
    "--mfa-token",
    "--destination",
    "--console-destination",
    "--browser-profile",
    "--pass-through",
    "--shell",
    "--sso-start-url",
    "--sso-region",
    "--account-id",
    "--role-name",
    "--exec",
    "--chain",
    "--role-arn",
    "--source-profile",
    "--aws-config-file",
    "--save-to",
    "--session-tag",
    "--source-identity",
    "--reason",
    "--attach",
    "--browser-launch-template-arg",
];

/// The arguments as clap should see them: unchanged unless the subcommand is `assume`.
pub fn rewrite(args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).and_then(|a| a.to_str()) != Some("assume") {
        return args;
    }
    let mut out = Vec::with_capacity(args.len());
    let mut words = args.into_iter();
    out.extend(words.by_ref().take(2));
    let mut value_next = false;
    while let Some(word) = words.next() {
        let Some(text) = word.to_str() else {
            value_next = false;
            out.push(word);
            continue;
        };
        if value_next {
            value_next = false;
            if text == "--" && out.last().is_some_and(|w| w == "--exec") {
                out.pop();
                out.push(exec_words(words.by_ref().collect()));
                break;
            }
            out.push(word);
            continue;
        }
        if text == "--" {
            out.push(word);
            out.extend(words);
            break;
        }
        let (flag, value) = match text.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (text, None),
        };
        let long = GRANTED_SHORT
            .iter()
            .find(|(short, _)| *short == flag)
            .map(|(_, long)| *long);
        let flag = long.unwrap_or(flag);
        value_next = value.is_none() && TAKES_VALUE.contains(&flag);
        out.push(match (long, value) {
            (Some(long), Some(value)) => format!("{long}={value}").into(),
            (Some(long), None) => long.into(),
            (None, _) => word,
        });
    }
    out
}

/// `--exec -- COMMAND ARGS...` as one `--exec=...` word: each word single-quoted for
/// `sh -c` (which runs it), so spaces, `$` and quotes reach the command as typed.
fn exec_words(words: Vec<OsString>) -> OsString {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| {
            let w = w.to_string_lossy();
            format!("'{}'", w.replace('\'', "'\\''"))
        })
        .collect();
    format!("--exec={}", quoted.join(" ")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Vec<String> {
        rewrite(args.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn every_granted_short_flag_becomes_its_long_name() {
        for (short, long) in GRANTED_SHORT {
            assert_eq!(run(&["hat", "assume", short]), ["hat", "assume", long]);
        }
    }

    #[test]
    fn an_attached_value_stays_attached() {
        assert_eq!(
            run(&["hat", "assume", "prod", "-cd=https://x/y?a=b"]),
            [
                "hat",
                "assume",
                "prod",
                "--console-destination=https://x/y?a=b"
            ]
        );
    }

    #[test]
    fn values_and_words_after_the_separator_are_left_alone() {
        assert_eq!(
            run(&[
                "hat", "assume", "-r", "-un", "--exec", "-ex", "-bp", "-cd", "--", "-un"
            ]),
            [
                "hat",
                "assume",
                "-r",
                "-un",
                "--exec",
                "-ex",
                "--browser-profile",
                "-cd",
                "--",
                "-un"
            ]
        );
    }

    #[test]
    fn exec_after_a_separator_takes_the_rest_as_the_command() {
        assert_eq!(
            run(&[
                "hat", "assume", "p", "--exec", "--", "echo", "a b", "it's", "-un"
            ]),
            [
                "hat",
                "assume",
                "p",
                r#"--exec='echo' 'a b' 'it'\''s' '-un'"#
            ]
        );
        // Nothing after the separator: left for clap to refuse.
        assert_eq!(
            run(&["hat", "assume", "p", "--exec", "--"]),
            ["hat", "assume", "p", "--exec="]
        );
    }

    #[test]
    fn other_subcommands_and_single_letters_are_untouched() {
        assert_eq!(run(&["hat", "exec", "-un"]), ["hat", "exec", "-un"]);
        assert_eq!(
            run(&["hat", "assume", "-c", "-u", "-ct", "p"]),
            ["hat", "assume", "-c", "-u", "-ct", "p"]
        );
    }
}
