//! `credential_source = EcsContainer`: the container credentials endpoint that ECS,
//! EKS Pod Identity and `hat exec --server` provide. The address comes from
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or `_FULL_URI`; the
//! `Authorization` header from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `_TOKEN`.

use super::http::{self, call};
use crate::creds::Credentials;
use crate::env::Env;
use crate::sdk::Sdk;
use crate::verbose;
use ::http::{Method, Uri};
use anyhow::{Context, Result, anyhow, bail};

const WHAT: &str = "the container credentials endpoint";

/// The endpoint's URL, checked as the SDKs check it: https to any host, plain http only
/// to loopback or the container hosts, so a token never travels in clear text across a
/// network.
pub fn endpoint(env: &Env, profile: &str) -> Result<String> {
    if let Some(relative) = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        let slash = if relative.starts_with('/') { "" } else { "/" };
        return Ok(format!("http://169.254.170.2{slash}{relative}"));
    }
    let Some(full) = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
        bail!(
            "profile `{profile}` uses credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set (run it in a container, or under `hat exec PROFILE --server`)"
        );
    };
    let uri: Uri = full
        .parse()
        .map_err(|_| anyhow!("AWS_CONTAINER_CREDENTIALS_FULL_URI ({full}) is not a URL"))?;
    let allowed = match uri.scheme_str() {
        Some("https") => uri.host().is_some(),
        Some("http") => allowed_host(uri.host().unwrap_or("")),
        _ => false,
    };
    if !allowed {
        bail!(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI ({full}) must be https://, or http:// to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23"
        );
    }
    Ok(full.to_string())
}

fn allowed_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ip.is_loopback() => true,
        Ok(ip) => ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
            .iter()
            .any(|h| h.parse::<std::net::IpAddr>().is_ok_and(|h| h == ip)),
        Err(_) => false,
    }
}

/// The `Authorization` value, if any: the token file wins over the variable.
pub fn token(env: &Env) -> Result<Option<String>> {
    if let Some(file) = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        let path = env.expand_tilde(file);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "could not read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {}",
                path.display()
            )
        })?;
        return Ok(Some(text.trim().to_string()));
    }
    Ok(env
        .get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        .map(str::to_string))
}

pub fn fetch(sdk: &Sdk, env: &Env, profile: &str) -> Result<Credentials> {
    let url = endpoint(env, profile)?;
    let token = token(env)?;
    if token.as_deref().is_some_and(|t| t.contains(['\r', '\n'])) {
        bail!("the container authorization token contains a line break; it must be one line");
    }
    verbose!("profile {profile}: container credentials from {url}");
    let headers: Vec<(&str, &str)> = token
        .as_deref()
        .map(|t| vec![("authorization", t)])
        .unwrap_or_default();
    let answer = call(sdk, Method::GET, &url, &headers, WHAT)?;
    match answer.status {
        200 => http::credentials(&answer.body, WHAT),
        401 | 403 => bail!(
            "{WHAT} at {url} refused the authorization token (HTTP {}); check AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE",
            answer.status
        ),
        status => bail!("{WHAT} at {url} answered HTTP {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback_or_the_container_hosts() {
        let ok = |uri: &str| {
            endpoint(
                &Env::from_pairs([("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]),
                "p",
            )
            .is_ok()
        };
        assert!(ok("http://127.0.0.1:8080/creds"));
        assert!(ok("http://localhost/x"));
        assert!(ok("http://[::1]:9/x"));
        assert!(ok("http://169.254.170.23/v1/credentials"));
        assert!(!ok("http://example.com/creds"));
        assert!(!ok("http://10.0.0.1/creds"));
        assert!(!ok("ftp://127.0.0.1/creds"));
        // https to any host, as botocore and the SDK for Rust allow.
        assert!(ok("https://127.0.0.1/creds"));
        assert!(ok("https://creds.example.com/v1"));
    }

    #[test]
    fn relative_uri_wins_and_goes_to_the_ecs_host() {
        let env = Env::from_pairs([
            (
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/x",
            ),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/y"),
        ]);
        assert_eq!(
            endpoint(&env, "p").unwrap(),
            "http://169.254.170.2/v2/credentials/x"
        );
        let e = endpoint(&Env::default(), "p").unwrap_err().to_string();
        assert!(e.contains("hat exec PROFILE --server"), "{e}");
    }
}
