//! Credentials as hat holds, caches and exports them. The serialised form is the
//! credential_process format (`AccessKeyId`, ..., `Expiration`, and `Version` in
//! [`Credentials::to_process_json`]), so the cache, `hat credential-process` and
//! `hat export --format json` speak what the AWS CLI already reads.

use crate::clock;
use crate::env::Env;
use anyhow::Result;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    #[serde(rename = "AccessKeyId")]
    pub access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    pub secret_access_key: String,
    #[serde(
        rename = "SessionToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub session_token: Option<String>,
    /// Epoch seconds; `None` for long-term keys.
    #[serde(
        rename = "Expiration",
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_time",
        deserialize_with = "de_time"
    )]
    pub expiration: Option<i64>,
}

/// The credential_process answer: `Version` is the number 1.
#[derive(Serialize)]
struct ProcessAnswer<'a> {
    #[serde(rename = "Version")]
    version: u8,
    #[serde(flatten)]
    credentials: &'a Credentials,
}

impl Credentials {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (both, or `None`), with
    /// `AWS_SESSION_TOKEN` (or the legacy `AWS_SECURITY_TOKEN`) when set.
    pub fn from_env(env: &Env) -> Option<Credentials> {
        Some(Credentials {
            access_key_id: env.get("AWS_ACCESS_KEY_ID")?.to_string(),
            secret_access_key: env.get("AWS_SECRET_ACCESS_KEY")?.to_string(),
            session_token: env
                .get("AWS_SESSION_TOKEN")
                .or_else(|| env.get("AWS_SECURITY_TOKEN"))
                .map(str::to_string),
            expiration: None,
        })
    }

    /// The credential_process protocol's Version 1 JSON, on one line.
    pub fn to_process_json(&self) -> Result<String> {
        Ok(serde_json::to_string(&ProcessAnswer {
            version: 1,
            credentials: self,
        })?)
    }

    pub fn is_long_term(&self) -> bool {
        self.session_token.is_none()
    }

    /// Seconds left before expiry (`None`: it never expires).
    pub fn remaining(&self, now: i64) -> Option<i64> {
        self.expiration.map(|e| e - now)
    }
}

/// Never prints a secret, whatever `{:?}` is used for.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration.map(clock::to_rfc3339))
            .finish()
    }
}

fn ser_time<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&clock::to_rfc3339(*t)),
        None => s.serialize_none(),
    }
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    match text {
        None => Ok(None),
        Some(t) => clock::parse_rfc3339(&t)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("Expiration is not an RFC 3339 time")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "s3cr3t".into(),
            session_token: Some("t0k3n".into()),
            expiration: Some(0),
        };
        let shown = format!("{c:?}");
        assert!(shown.contains("AKIDEXAMPLE"));
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("t0k3n"),
            "{shown}"
        );
    }

    #[test]
    fn serialises_in_credential_process_form() {
        let c = Credentials {
            access_key_id: "A".into(),
            secret_access_key: "S".into(),
            session_token: Some("T".into()),
            expiration: Some(1_787_419_800),
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-08-22T17:30:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<Credentials>(&json).unwrap(), c);
    }
}
