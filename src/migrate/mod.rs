//! Bringing another tool's files across to hat (`hat migrate`): each peer's formats
//! are read and rewritten here, byte for byte outside the lines that change, and
//! `cmd::migrate` only presents the result.

pub mod aws_vault;
pub mod awsume;
pub mod granted;

use crate::process_line;

/// Config text with a peer's credential_process lines pointed at hat.
#[derive(Debug, PartialEq, Eq)]
pub struct ProcessRewrite {
    pub text: String,
    /// The profiles (as the peer's command named them) whose lines changed, in file order.
    pub profiles: Vec<String>,
    /// The peer's arguments that were dropped, as `(profile, argument)`.
    pub dropped: Vec<(String, String)>,
    /// The profiles whose lines name the peer's command but were left as they are,
    /// because hat cannot answer for them (`rewrite_process_lines_where`), in file order.
    pub kept: Vec<String>,
}

/// Rewrites every `credential_process = ...` line whose command `parse` recognises (it
/// returns the profile and the arguments dropped) to `PROGRAM credential-process
/// --profile NAME`, keeping the key's spelling, the spaces around `=`, the line ending
/// and every other line. A second run changes nothing, since the lines name hat.
pub fn rewrite_process_lines(
    text: &str,
    program: &str,
    parse: impl Fn(&[&str]) -> Option<(String, Vec<String>)>,
) -> ProcessRewrite {
    rewrite_process_lines_where(text, program, parse, |_| true)
}

/// `rewrite_process_lines` for a peer whose lines hat can stand in for only in some
/// profiles: a recognised line whose profile `rewrite(NAME)` refuses is kept byte for
/// byte and listed in `kept`.
pub fn rewrite_process_lines_where(
    text: &str,
    program: &str,
    parse: impl Fn(&[&str]) -> Option<(String, Vec<String>)>,
    rewrite: impl Fn(&str) -> bool,
) -> ProcessRewrite {
    let mut out = ProcessRewrite {
        text: String::with_capacity(text.len()),
        profiles: Vec::new(),
        dropped: Vec::new(),
        kept: Vec::new(),
    };
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        let found = body.split_once('=').and_then(|(key, value)| {
            if key.trim() != "credential_process" {
                return None;
            }
            let words: Vec<&str> = value.split_whitespace().collect();
            let (profile, dropped) = parse(&words)?;
            let lead = &value[..value.len() - value.trim_start().len()];
            Some((key, lead, profile, dropped))
        });
        match found {
            Some((key, lead, profile, dropped)) if rewrite(&profile) => {
                out.text.push_str(&format!(
                    "{key}={lead}{}{ending}",
                    process_line::line(program, &profile)
                ));
                out.dropped
                    .extend(dropped.into_iter().map(|arg| (profile.clone(), arg)));
                out.profiles.push(profile);
            }
            Some((_, _, profile, _)) => {
                out.kept.push(profile);
                out.text.push_str(line);
            }
            None => out.text.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const VAULT: &str = "[default]\r\nregion = eu-west-1\r\n\
        [profile work]\ncredential_process = aws-vault export --format=json work\n\
        [profile ci]\ncredential_process=/usr/bin/aws-vault exec ci --json --no-session\r\n\
        [profile other]\ncredential_process = /bin/creds --profile x\n\
        # credential_process = aws-vault exec work --json\n";

    #[test]
    fn aws_vault_lines_are_rewritten_and_every_other_byte_is_kept() {
        let out = rewrite_process_lines(VAULT, "hat", aws_vault::parse_process_command);
        let want = VAULT
            .replace(
                "= aws-vault export --format=json work\n",
                "= hat credential-process --profile work\n",
            )
            .replace(
                "=/usr/bin/aws-vault exec ci --json --no-session\r",
                "=hat credential-process --profile ci\r",
            );
        assert_eq!(out.text, want);
        assert_eq!(out.profiles, ["work", "ci"]);
        assert_eq!(
            out.dropped,
            [("ci".to_string(), "--no-session".to_string())]
        );
        let again = rewrite_process_lines(&out.text, "hat", aws_vault::parse_process_command);
        assert_eq!(again.text, out.text);
        assert!(again.profiles.is_empty());
    }
}
