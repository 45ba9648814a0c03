//! A small plain-HTTP client for the credential endpoints that live on the machine or
//! next to it (instance metadata, container credentials): hyper's client over the
//! runtime of [`Sdk`], no TLS, a short timeout on every request, and errors that name
//! the endpoint. The answers of both endpoints share one JSON shape, read here.

use crate::clock;
use crate::creds::Credentials;
use crate::sdk::Sdk;
use anyhow::{Result, anyhow, bail};
use bytes::Bytes;
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::time::Duration;

/// Off EC2 or outside a container nothing answers at these addresses: fail fast.
pub const TIMEOUT: Duration = Duration::from_secs(2);

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
    let uri: Uri = url
        .parse()
        .map_err(|_| anyhow!("{what} address {url} is not a URL"))?;
    if uri.scheme_str() != Some("http") {
        bail!("{what} address {url} must start with http:// (hat reaches it without TLS)");
    }
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    // Header values are secrets (tokens): never quote them in the error.
    let request = builder
        .body(Full::new(Bytes::new()))
        .map_err(|_| anyhow!("could not build a request to {what} at {url}"))?;
    sdk.block_on(async {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let exchange = async {
            let response = client.request(request).await?;
            let status = response.status().as_u16();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, anyhow::Error>(Response { status, body })
        };
        match tokio::time::timeout(TIMEOUT, exchange).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => Err(anyhow!("could not reach {what} at {url}: {}", root(&e))),
            Err(_) => Err(anyhow!(
                "{what} at {url} did not answer within {}s",
                TIMEOUT.as_secs()
            )),
        }
    })
}

/// The innermost cause ("Connection refused"), without hyper's wrappers.
fn root(e: &anyhow::Error) -> String {
    let mut source: &dyn std::error::Error = e.as_ref();
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
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
