//! Requests to the credential endpoints that live on the machine or next to it
//! (instance metadata, container credentials): plain http through
//! [`crate::net::local_client`] (no proxy, a short timeout) on the runtime of [`Sdk`],
//! and errors that name the endpoint. The answers of both endpoints share one JSON
//! shape, read here.

use crate::clock;
use crate::creds::Credentials;
use crate::net;
use crate::sdk::Sdk;
use anyhow::{Result, anyhow, bail};
use bytes::Bytes;
use reqwest::Method;
use serde_json::Value;

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Bytes,
}

/// One request to `url` with `headers`; `what` names the endpoint in errors
/// ("the instance metadata service").
pub fn call(
    sdk: &Sdk,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    what: &str,
) -> Result<Response> {
    let parsed = url::Url::parse(url).map_err(|_| anyhow!("{what} address {url} is not a URL"))?;
    if parsed.scheme() != "http" {
        bail!("{what} address {url} must start with http:// (hat reaches it without TLS)");
    }
    let client = net::local_client(sdk.limits())?;
    let mut request = client.request(method, parsed);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    sdk.block_on(async {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        Ok::<_, reqwest::Error>(Response { status, body })
    })
    // Header values are secrets (tokens): never quote the request in the error.
    .map_err(|e| {
        anyhow!(
            "could not reach {what} at {url}: {}; check that hat runs where that endpoint exists, or raise AWS_METADATA_SERVICE_TIMEOUT on a slow host",
            crate::failure::http(&e, sdk.limits().metadata)
        )
    })
}

/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (and, from instance
/// metadata, `"Code": "Success"`). Field by field, so no error quotes a value.
pub fn credentials(body: &[u8], what: &str) -> Result<Credentials> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| anyhow!("{what} answered something that is not JSON"))?;
    let field = |name: &str| -> Result<Option<String>> {
        match value.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => bail!("{what} answered a \"{name}\" that is not a non-empty string"),
        }
    };
    if let Some(code) = field("Code")?
        && code != "Success"
    {
        bail!("{what} answered Code {code} instead of Success");
    }
    let required = |name: &str| -> Result<String> {
        field(name)?.ok_or_else(|| anyhow!("{what} answered without \"{name}\""))
    };
    let expiration = match field("Expiration")? {
        None => None,
        Some(t) => Some(
            clock::parse_rfc3339(&t)
                .ok_or_else(|| anyhow!("{what} answered an Expiration that is not RFC 3339"))?,
        ),
    };
    Ok(Credentials {
        access_key_id: required("AccessKeyId")?,
        secret_access_key: required("SecretAccessKey")?,
        session_token: field("Token")?,
        expiration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_container_and_instance_answer() {
        let c = credentials(
            br#"{"Code":"Success","AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2026-08-22T17:30:00Z"}"#,
            "x",
        )
        .unwrap();
        assert_eq!(c.session_token.as_deref(), Some("T"));
        assert_eq!(c.expiration, Some(1_787_419_800));
    }

    #[test]
    fn errors_never_quote_secrets() {
        for body in [
            &br#"{"AccessKeyId":"A","Token":"TOPSECRET"}"#[..],
            br#"{"Code":"Failure","AccessKeyId":"A","SecretAccessKey":"TOPSECRET"}"#,
            br#"{"AccessKeyId":"A","SecretAccessKey":"S","Token":"TOPSECRET","Expiration":"TOPSECRET"}"#,
            b"TOPSECRET",
        ] {
            let e = credentials(body, "the endpoint").unwrap_err().to_string();
            assert!(!e.contains("TOPSECRET") && e.contains("the endpoint"), "{e}");
        }
    }

    #[test]
    fn an_address_that_refuses_is_named() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/x");
        let sdk = Sdk::new().unwrap();
        let e = call(&sdk, Method::GET, &url, &[], "the endpoint").unwrap_err();
        assert!(e.to_string().contains(&url), "{e}");
    }
}
