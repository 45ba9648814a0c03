//! Granted's traces in `~/.aws/config`: `credential_process = granted
//! credential-process --profile NAME` lines (written by `granted sso populate` and by
//! hand) become `hat credential-process --profile NAME`, keeping every other byte.
//! hat resolves Granted's `granted_sso_*` keys itself, so the rewritten line only
//! matters to the AWS CLI and the SDKs, which now ask hat instead of Granted.

/// The config text with Granted's credential_process lines rewritten.
#[derive(Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub text: String,
    /// The profiles (as named by `--profile`) whose lines changed, in file order.
    pub profiles: Vec<String>,
    /// Granted arguments that were dropped (`--url ...`, `--auto-login`), as
    /// `(profile, argument)`: they configure Granted itself.
    pub dropped: Vec<(String, String)>,
    /// Lines left naming Granted because hat cannot answer for that profile without
    /// it: the keys are in Granted's keychain (`granted credentials add`), which hat
    /// cannot read.
    pub kept: Vec<String>,
}

/// Rewrites every `credential_process = granted credential-process ...` line of
/// `text` to `PROGRAM credential-process --profile NAME` when `hat_can_answer(NAME)`
/// (the profile signs in through SSO, which hat does itself); the others are kept and
/// listed. Running it again changes nothing, since the lines no longer name Granted.
pub fn rewrite_credential_process(
    text: &str,
    program: &str,
    hat_can_answer: impl Fn(&str) -> bool,
) -> Rewrite {
    let kept = std::cell::RefCell::new(Vec::new());
    let rewritten = super::rewrite_process_lines(text, program, |words| {
        let (profile, dropped) = granted_command(words)?;
        if hat_can_answer(&profile) {
            Some((profile, dropped))
        } else {
            kept.borrow_mut().push(profile);
            None
        }
    });
    Rewrite {
        text: rewritten.text,
        profiles: rewritten.profiles,
        dropped: rewritten.dropped,
        kept: kept.into_inner(),
    }
}

/// The profile a `granted credential-process ...` command names and the arguments
/// dropped with it, or None when the words are not that command.
fn granted_command(words: &[&str]) -> Option<(String, Vec<String>)> {
    let (first, rest) = words.split_first()?;
    let is_granted = first.rsplit('/').next() == Some("granted")
        || first.rsplit('/').next() == Some("granted.exe");
    if !is_granted || rest.first() != Some(&"credential-process") {
        return None;
    }
    let mut profile = None;
    let mut dropped = Vec::new();
    let mut args = rest[1..].iter();
    while let Some(arg) = args.next() {
        if *arg == "--profile" {
            profile = args.next().map(|p| p.to_string());
        } else if let Some(p) = arg.strip_prefix("--profile=") {
            profile = Some(p.to_string());
        } else if *arg == "--url" || *arg == "--window" {
            let value = args.next().copied().unwrap_or_default();
            dropped.push(format!("{arg} {value}").trim_end().to_string());
        } else {
            dropped.push(arg.to_string());
        }
    }
    Some((profile?, dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shapes Granted writes: `granted sso populate` (with its generated-from
    // marker and granted_sso_* keys) and a hand-written line with Granted's --url.
    const GRANTED: &str = "# my profiles\r\n[profile dev]\r\nregion = eu-west-1\r\n\
        [profile sso/admin]\ngranted_sso_start_url      = https://example.awsapps.com/start\n\
        granted_sso_region         = us-east-1\ngranted_sso_account_id     = 123456789012\n\
        granted_sso_role_name      = Admin\ncommon_fate_generated_from = aws-sso\n\
        credential_process         = granted credential-process --profile sso/admin\n\
        [profile cf]\ncredential_process=/opt/homebrew/bin/granted credential-process --url https://cf.example.com --profile=cf\n\
        [profile other]\ncredential_process = /bin/creds --profile x\n\
        [profile iam]\ncredential_process = granted credential-process --profile iam\n";

    fn sso(name: &str) -> bool {
        name != "iam"
    }

    #[test]
    fn granted_lines_are_rewritten_and_every_other_byte_is_kept() {
        let out = rewrite_credential_process(GRANTED, "hat", sso);
        let want = GRANTED
            .replace(
                "granted credential-process --profile sso/admin",
                "hat credential-process --profile sso/admin",
            )
            .replace(
                "/opt/homebrew/bin/granted credential-process --url https://cf.example.com --profile=cf",
                "hat credential-process --profile cf",
            );
        assert_eq!(out.text, want);
        assert_eq!(out.profiles, ["sso/admin", "cf"]);
        assert_eq!(
            out.kept,
            ["iam"],
            "keys in Granted's keychain stay with Granted"
        );
        assert_eq!(
            out.dropped,
            [("cf".to_string(), "--url https://cf.example.com".to_string())]
        );
    }

    #[test]
    fn a_second_run_changes_nothing() {
        let once = rewrite_credential_process(GRANTED, "hat", sso).text;
        let twice = rewrite_credential_process(&once, "hat", sso);
        assert_eq!(twice.text, once);
        assert!(twice.profiles.is_empty());
    }

    #[test]
    fn a_line_without_a_profile_or_not_granted_is_left_alone() {
        for text in [
            "credential_process = granted credential-process\n",
            "credential_process = notgranted credential-process --profile a\n",
            "credential_process = granted sso login --profile a\n",
            "# credential_process = granted credential-process --profile a\n",
        ] {
            assert_eq!(rewrite_credential_process(text, "hat", sso).text, text);
        }
    }
}
