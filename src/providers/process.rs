//! `credential_process`: run the user's command and read the credential_process JSON
//! it prints. Its stderr and the terminal stay the user's (it may prompt); its stdout
//! is never echoed, not even in errors, because it holds secrets.

use crate::clock;
use crate::creds::Credentials;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::process::{Command, Stdio};

/// Set on every credential_process hat runs, one more than hat's own: a line that ends
/// up running itself (a hat hat does not take for itself, such as a copy under another
/// name, on the line of the profile it answers for) stops with an error at
/// [`MAX_DEPTH`] instead of forking until the machine refuses.
const DEPTH: &str = "HAT_PROCESS_DEPTH";
const MAX_DEPTH: u32 = 8;

pub fn run(profile: &str, command: &str, env: &crate::env::Env) -> Result<Credentials> {
    crate::verbose!("profile {profile}: running its credential_process");
    let depth = env
        .get(DEPTH)
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0);
    if depth >= MAX_DEPTH {
        bail!(
            "the credential_process of profile `{profile}` would be the {}th run inside one another: a line that runs itself. If it runs hat under another name or path, write `hat credential-process --profile NAME` so hat answers it from its key store",
            depth + 1
        );
    }
    // As the Rust SDK does: through `sh -c`, so pipes and quoting work as written.
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .env(DEPTH, (depth + 1).to_string())
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .output()
        .with_context(|| {
            format!("could not start the credential_process of profile `{profile}`")
        })?;
    if !output.status.success() {
        bail!(
            "the credential_process of profile `{profile}` failed ({}); its own message, if it printed one, is above",
            output.status
        );
    }
    parse(&output.stdout).with_context(|| {
        format!("the credential_process of profile `{profile}` printed an answer hat cannot use")
    })
}

/// Checks the output field by field so that no error message quotes a value.
pub fn parse(stdout: &[u8]) -> Result<Credentials> {
    let value: Value = serde_json::from_slice(stdout).map_err(|e| {
        anyhow::anyhow!(
            "it is not JSON (line {}, column {}); it must print {{\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ..., \"SessionToken\": ..., \"Expiration\": ...}}",
            e.line(),
            e.column()
        )
    })?;
    let Some(object) = value.as_object() else {
        bail!("it is not a JSON object");
    };
    match object.get("Version") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
        Some(_) => bail!("\"Version\" must be the number 1"),
        None => bail!("\"Version\": 1 is missing"),
    }
    let text = |name: &str, required: bool| -> Result<Option<String>> {
        match object.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            None | Some(Value::Null) if !required => Ok(None),
            None | Some(Value::Null) => bail!("\"{name}\" is missing"),
            Some(_) => bail!("\"{name}\" must be a non-empty string"),
        }
    };
    let access_key_id = text("AccessKeyId", true)?.expect("required");
    let secret_access_key = text("SecretAccessKey", true)?.expect("required");
    let session_token = text("SessionToken", false)?;
    let expiration =
        match text("Expiration", false)? {
            None => None,
            Some(t) => Some(clock::parse_rfc3339(&t).ok_or_else(|| {
                anyhow::anyhow!("\"Expiration\" is not an ISO 8601 / RFC 3339 time")
            })?),
        };
    Ok(Credentials {
        access_key_id,
        secret_access_key,
        session_token,
        expiration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_contract() {
        let c = parse(br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-08-22T17:30:00Z"}"#).unwrap();
        assert_eq!(c.access_key_id, "A");
        assert_eq!(c.expiration, Some(1_787_419_800));
        let long_term = parse(br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}"#).unwrap();
        assert!(long_term.is_long_term() && long_term.expiration.is_none());
    }

    #[test]
    fn errors_never_quote_values() {
        for (input, expect) in [
            (&br#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"TOPSECRET"}"#[..], "Version"),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":7}"#, "SecretAccessKey"),
            (br#"{"Version":1,"AccessKeyId":"A"}"#, "SecretAccessKey"),
            (br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Expiration":"soon TOPSECRET"}"#, "Expiration"),
            (b"TOPSECRET not json", "not JSON"),
        ] {
            let e = parse(input).unwrap_err().to_string();
            assert!(e.contains(expect), "{e}");
            assert!(!e.contains("TOPSECRET"), "{e}");
        }
    }
}
