//! The AWS CLI's SSO cache under `~/.aws/sso/cache`, byte for byte: the token file
//! `<sha1(session name or start URL)>.json` that botocore's SSOTokenLoader and
//! SSOTokenProvider read and refresh, and the client-registration file the AWS CLI v2
//! reuses. Files are written the way Python's `json.dumps` writes them (`", "` and
//! `": "`, keys in botocore's order, times as `%Y-%m-%dT%H:%M:%SZ`), atomically, 0600
//! in a 0700 directory, so a sign-in killed halfway leaves the previous file whole.

use crate::chain::SsoTarget;
use crate::clock;
use crate::env::Env;
use anyhow::Result;
use serde::Deserialize;
use serde_json::Value;
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};

/// botocore refreshes a token when fewer than this many seconds remain; so does hat.
pub const REFRESH_WINDOW: i64 = 15 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    #[serde(default)]
    pub start_url: String,
    #[serde(default)]
    pub region: String,
    pub access_token: String,
    #[serde(deserialize_with = "de_time")]
    pub expires_at: i64,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default, deserialize_with = "de_opt_time")]
    pub registration_expires_at: Option<i64>,
    #[serde(default)]
    pub refresh_token: Option<String>,
}

impl Token {
    pub fn remaining(&self, now: i64) -> i64 {
        self.expires_at - now
    }

    /// Whether it can be refreshed now: a refresh token and a live client registration.
    pub fn refreshable(&self, now: i64) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires_at.is_some_and(|t| t > now)
    }

    /// The file's text, as botocore's `_sso_json_dumps` writes it.
    pub fn to_json(&self) -> String {
        let mut fields: Vec<(&str, Value)> = vec![
            ("startUrl", self.start_url.clone().into()),
            ("region", self.region.clone().into()),
            ("accessToken", self.access_token.clone().into()),
            ("expiresAt", stamp(self.expires_at).into()),
        ];
        if let (Some(id), Some(secret)) = (&self.client_id, &self.client_secret) {
            fields.push(("clientId", id.clone().into()));
            fields.push(("clientSecret", secret.clone().into()));
            if let Some(t) = self.registration_expires_at {
                fields.push(("registrationExpiresAt", stamp(t).into()));
            }
        }
        if let Some(refresh) = &self.refresh_token {
            fields.push(("refreshToken", refresh.clone().into()));
        }
        python_json(&fields)
    }
}

/// A client registration (RegisterClient's answer), as the AWS CLI v2 caches it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    pub client_id: String,
    pub client_secret: String,
    #[serde(deserialize_with = "de_time")]
    pub expires_at: i64,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub grant_types: Vec<String>,
}

impl Registration {
    pub fn to_json(&self) -> String {
        let list = |v: &[String]| Value::Array(v.iter().cloned().map(Value::from).collect());
        // As the CLI v2 writes it: `scopes` only when there are any, `grantTypes` only
        // for a PKCE registration.
        let mut fields = vec![
            ("clientId", self.client_id.clone().into()),
            ("clientSecret", self.client_secret.clone().into()),
            ("expiresAt", stamp(self.expires_at).into()),
        ];
        if !self.scopes.is_empty() {
            fields.push(("scopes", list(&self.scopes)));
        }
        if !self.grant_types.is_empty() {
            fields.push(("grantTypes", list(&self.grant_types)));
        }
        python_json(&fields)
    }
}

/// The cache directory and file names for one [`SsoTarget`].
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(env: &Env) -> Store {
        Store {
            dir: env.sso_cache_dir(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<sha1 hex of the session name, else the start URL>.json`, as botocore names it.
    pub fn token_path(&self, target: &SsoTarget) -> PathBuf {
        self.dir
            .join(format!("{}.json", sha1_hex(target.name().as_bytes())))
    }

    /// The AWS CLI v2's registration file (`_registration_cache_key`): sha1 of
    /// `json.dumps(sort_keys=True)` of `{"region", "scopes", "session_name", "startUrl",
    /// "tool": "botocore"}`, with the configured start URL. `scopes` is the configured
    /// list, `null` when `sso_registration_scopes` is absent; scopes and session name are
    /// `null` for the legacy form, which has no sso-session (the CLI reads no scopes there).
    pub fn registration_path(&self, target: &SsoTarget) -> PathBuf {
        let list = |v: &[String]| Value::Array(v.iter().cloned().map(Value::from).collect());
        let (scopes, session) = match &target.session {
            Some(session) => (
                target.scopes.as_deref().map_or(Value::Null, list),
                Value::from(session.clone()),
            ),
            None => (Value::Null, Value::Null),
        };
        let fields: Vec<(&str, Value)> = vec![
            ("region", target.region.clone().into()),
            ("scopes", scopes),
            ("session_name", session),
            ("startUrl", target.start_url.clone().into()),
            ("tool", "botocore".into()),
        ];
        let key = python_json(&fields);
        self.dir.join(format!("{}.json", sha1_hex(key.as_bytes())))
    }

    /// The cached token, if there is a readable one.
    pub fn load(&self, target: &SsoTarget) -> Option<Token> {
        read_json(&self.token_path(target))
    }

    pub fn save(&self, target: &SsoTarget, token: &Token) -> Result<()> {
        write(&self.token_path(target), &token.to_json())
    }

    pub fn load_registration(&self, target: &SsoTarget) -> Option<Registration> {
        read_json(&self.registration_path(target))
    }

    pub fn save_registration(&self, target: &SsoTarget, registration: &Registration) -> Result<()> {
        write(&self.registration_path(target), &registration.to_json())
    }

    /// Every token file in the directory (registration files have no accessToken).
    pub fn all_tokens(&self) -> Vec<(PathBuf, Token)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut found: Vec<(PathBuf, Token)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter_map(|p| read_json::<Token>(&p).map(|t| (p, t)))
            .filter(|(_, t)| !t.start_url.is_empty())
            .collect();
        found.sort_by(|a, b| a.1.start_url.cmp(&b.1.start_url).then(a.0.cmp(&b.0)));
        found
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes a token or registration file; the directory is created 0700 when missing and
/// left as it is otherwise (the AWS CLI shares it). A write is a sign-in or a refresh,
/// never the cached path, so it is also when the temporary files a killed write left
/// here are removed.
fn write(path: &Path, text: &str) -> Result<()> {
    crate::fs::write(path, text)?;
    if let Some(dir) = path.parent() {
        crate::fs::remove_stale_temps(dir, &[]);
    }
    Ok(())
}

pub fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

/// `2026-08-22T17:30:00Z`: botocore's `%Y-%m-%dT%H:%M:%SZ`.
pub fn stamp(epoch: i64) -> String {
    clock::to_rfc3339(epoch)
}

/// The timestamps other writers use: RFC 3339 (any offset, fractions), and the
/// `2020-06-17T11:08:27UTC` of early AWS CLI v2 versions.
pub fn parse_time(text: &str) -> Option<i64> {
    clock::parse_rfc3339(text).or_else(|| {
        let bare = text.trim().strip_suffix("UTC")?;
        clock::parse_rfc3339(&format!("{bare}Z"))
    })
}

fn de_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let text = String::deserialize(d)?;
    parse_time(&text).ok_or_else(|| serde::de::Error::custom("not a timestamp"))
}

fn de_opt_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    Ok(text.as_deref().and_then(parse_time))
}

/// Python's `json.dumps(obj)`: `{"a": 1, "b": [2, 3]}`, non-ASCII escaped.
fn python_json(fields: &[(&str, Value)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_value(&mut out, &Value::from(*key));
        out.push_str(": ");
        push_value(&mut out, value);
    }
    out.push('}');
    out
}

fn push_value(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_value(out, item);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(session: Option<&str>) -> SsoTarget {
        SsoTarget {
            session: session.map(str::to_string),
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            scopes: Some(vec!["sso:account:access".into()]),
        }
    }

    #[test]
    fn token_files_are_named_and_written_like_botocore() {
        let store = Store {
            dir: PathBuf::from("/c"),
        };
        // hashlib.sha1(b"corp").hexdigest()
        assert_eq!(
            store.token_path(&target(Some("corp"))),
            PathBuf::from(format!("/c/{}.json", sha1_hex(b"corp")))
        );
        assert_eq!(
            sha1_hex(b"corp"),
            "ee0bfd2552fbd840c02cc48b6e823320543c450f"
        );
        let token = Token {
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            access_token: "a\u{e9}".into(),
            expires_at: 1_787_419_800,
            client_id: Some("id".into()),
            client_secret: Some("s".into()),
            registration_expires_at: Some(1_787_419_800),
            refresh_token: Some("r".into()),
        };
        assert_eq!(
            token.to_json(),
            r#"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "a\u00e9", "expiresAt": "2026-08-22T17:30:00Z", "clientId": "id", "clientSecret": "s", "registrationExpiresAt": "2026-08-22T17:30:00Z", "refreshToken": "r"}"#
        );
        let back: Token = serde_json::from_str(&token.to_json()).unwrap();
        assert_eq!(back, token);
    }

    #[test]
    fn old_cli_timestamps_are_read() {
        assert_eq!(parse_time("2026-08-22T17:30:00UTC"), Some(1_787_419_800));
        assert_eq!(parse_time("2026-08-22T17:30:00.5Z"), Some(1_787_419_800));
    }

    #[test]
    fn registration_key_is_the_sorted_json_of_the_cli() {
        let store = Store {
            dir: PathBuf::from("/c"),
        };
        let key = r#"{"region": "eu-west-1", "scopes": ["sso:account:access"], "session_name": "corp", "startUrl": "https://corp.awsapps.com/start", "tool": "botocore"}"#;
        assert_eq!(
            store.registration_path(&target(Some("corp"))),
            PathBuf::from(format!("/c/{}.json", sha1_hex(key.as_bytes())))
        );
        let legacy = r#"{"region": "eu-west-1", "scopes": null, "session_name": null, "startUrl": "https://corp.awsapps.com/start", "tool": "botocore"}"#;
        assert_eq!(
            store.registration_path(&target(None)),
            PathBuf::from(format!("/c/{}.json", sha1_hex(legacy.as_bytes())))
        );
    }
}
