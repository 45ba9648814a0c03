//! The credentials written into files for other tools: a `.env` file and a profile in
//! the shared credentials file (`hat export -f dotenv|credentials`, Granted's `assume
//! -e` and `-ex`). Both keep every line hat does not own and go through [`crate::fs`]
//! (atomic, mode 0600). `-ex`'s profile name follows `[export] credential_suffix`.

use crate::clock;
use crate::config::{ConfigSet, edit};
use crate::creds::Credentials;
use crate::emit::{Exports, MANAGED};
use crate::env::Env;
use crate::log;
use anyhow::{Result, bail};
use std::path::Path;

/// Settings that make the SDKs ignore keys written into the same profile.
const OWN_SOURCE: &[&str] = &[
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
];

/// Writes `exports` into the `.env` file at `path`, replacing the lines that set a
/// variable hat manages.
pub fn write_dotenv(
    path: &Path,
    profile: &str,
    exports: &Exports,
    creds: &Credentials,
) -> Result<()> {
    let old = crate::fs::read_or_empty(path)?;
    crate::fs::write(path, dotenv(&old, exports))?;
    log::info(&format!(
        "wrote {profile} credentials to {}{}",
        path.display(),
        expiry_note(creds)
    ));
    Ok(())
}

/// Writes `creds` as profile `[target]` of the shared credentials file.
pub fn write_credentials(env: &Env, target: &str, creds: &Credentials) -> Result<()> {
    let path = env.credentials_file();
    let old = crate::fs::read_or_empty(&path)?;
    crate::fs::write(&path, credentials_file(&old, target, creds))?;
    log::info(&format!(
        "wrote profile `{target}` to {}{}; use it with AWS_PROFILE={target} or --profile {target}",
        path.display(),
        expiry_note(creds)
    ));
    Ok(())
}

/// The profile `assume -ex` writes `profile`'s credentials as: `PROFILE-SUFFIX` with
/// `[export] credential_suffix` in hat's settings (Granted's ExportCredentialSuffix),
/// else the profile's own name, as Granted does, unless the SDKs would ignore keys
/// written there (it has role_arn, sso_session, ...): then `PROFILE-hat`, the name
/// `hat export` suggests. Checked before any STS call.
pub fn export_target(env: &Env, config: &ConfigSet, profile: &str) -> Result<String> {
    let suffix = crate::settings::load(env)?
        .export
        .credential_suffix
        .filter(|s| !s.is_empty());
    let target = match suffix {
        Some(suffix) => format!("{profile}-{suffix}"),
        None if check_target(config, profile, "").is_ok() => profile.to_string(),
        None => format!("{profile}-hat"),
    };
    check_target(
        config,
        &target,
        &format!(
            "write them under another name with `hat export {profile} -f credentials --profile-name NAME`"
        ),
    )?;
    Ok(target)
}

/// Refuses to write over long-term keys, or into a profile whose own settings the SDKs
/// would use instead of the keys.
/// `suggestion` ends the refusal: how to name another profile.
pub fn check_target(config: &ConfigSet, target: &str, suggestion: &str) -> Result<()> {
    let Some(section) = config.profile(target) else {
        return Ok(());
    };
    if let Some(key) = OWN_SOURCE.iter().find(|k| section.get(k).is_some()) {
        bail!(
            "profile `{target}` has {key} ({}), which the SDKs use instead of keys written next to it; {suggestion}",
            config.locate(target, key).unwrap_or_default()
        );
    }
    if section.get("aws_access_key_id").is_some() && section.get("expiration").is_none() {
        bail!(
            "profile `{target}` holds long-term keys ({}) that hat will not overwrite; {suggestion}",
            config
                .locate(target, "aws_access_key_id")
                .unwrap_or_default()
        );
    }
    Ok(())
}

fn expiry_note(creds: &Credentials) -> String {
    match creds.remaining(clock::now()) {
        Some(left) => format!("; they expire in {}", clock::human(left)),
        None => " (long-term keys)".into(),
    }
}

/// The credentials file with `[target]` holding these keys and an `expiration`.
fn credentials_file(old: &str, target: &str, creds: &Credentials) -> String {
    let expiration = creds.expiration.map(clock::to_rfc3339);
    let mut pairs = vec![
        ("aws_access_key_id", creds.access_key_id.as_str()),
        ("aws_secret_access_key", creds.secret_access_key.as_str()),
    ];
    let mut stale = Vec::new();
    match &creds.session_token {
        Some(token) => pairs.push(("aws_session_token", token)),
        None => stale.extend(["aws_session_token", "aws_security_token"]),
    }
    match &expiration {
        Some(e) => pairs.push(("expiration", e)),
        None => stale.push("expiration"),
    }
    let text = edit::set_keys(old, target, &pairs);
    edit::remove_keys(&text, target, &stale).0
}

/// The `.env` file: lines that set a variable hat manages are replaced, every other
/// line is kept.
fn dotenv(old: &str, exports: &Exports) -> String {
    let mut out: String = old
        .split_inclusive('\n')
        .filter(|line| {
            let body = line.trim_start();
            let body = body.strip_prefix("export ").unwrap_or(body);
            let name = body.split('=').next().unwrap_or("").trim();
            !MANAGED.contains(&name)
        })
        .collect();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for name in MANAGED {
        if let Some(value) = exports.get(name) {
            out.push_str(&format!("{name}={}\n", dotenv_value(value)));
        }
    }
    out
}

/// Bare when it is safe everywhere (docker's --env-file reads values literally), else
/// double-quoted with the escapes dotenv readers share.
fn dotenv_value(value: &str) -> String {
    let bare = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-./+=:@,".contains(c));
    if bare {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '`' => out.push_str("\\`"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(token: Option<&str>, expiration: Option<i64>) -> Credentials {
        Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: "s/e+c=".into(),
            session_token: token.map(str::to_string),
            expiration,
        }
    }

    #[test]
    fn credentials_profile_is_written_in_place_and_the_rest_kept() {
        let old = "# mine\n[base]\naws_access_key_id = AKIA\n\n[out]\naws_access_key_id = OLD\nexpiration = 2000-01-01T00:00:00Z\n; tail\n";
        let new = credentials_file(old, "out", &creds(Some("T"), Some(1_787_419_800)));
        assert_eq!(
            new,
            "# mine\n[base]\naws_access_key_id = AKIA\n\n[out]\naws_access_key_id = ASIA1\nexpiration = 2026-08-22T17:30:00Z\naws_secret_access_key = s/e+c=\naws_session_token = T\n; tail\n"
        );
        let long_term = credentials_file(&new, "out", &creds(None, None));
        assert!(!long_term.contains("aws_session_token") && !long_term.contains("expiration"));
        assert!(long_term.starts_with("# mine\n[base]\naws_access_key_id = AKIA\n"));
    }

    #[test]
    fn dotenv_replaces_only_the_variables_hat_manages() {
        let mut e = Exports::cleared();
        e.set("AWS_ACCESS_KEY_ID", "ASIA1")
            .set("AWS_SESSION_TOKEN", "a b\"$")
            .set("AWS_PROFILE", "p");
        let out = dotenv("DB=1\nexport AWS_ACCESS_KEY_ID=OLD\nAWS_REGION=x\n# c", &e);
        assert_eq!(
            out,
            "DB=1\n# c\nAWS_ACCESS_KEY_ID=ASIA1\nAWS_SESSION_TOKEN=\"a b\\\"\\$\"\nAWS_PROFILE=p\n"
        );
    }
}
