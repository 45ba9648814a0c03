//! Vanity start URLs, as the AWS CLI v2 resolves them (awscli/customizations/sso/
//! resolve.py, `resolve_start_url`): a start URL on an AWS-owned host is used as it is;
//! any other is asked once (HEAD, GET when HEAD is refused with 405 or 501) and one
//! redirect followed, and the URL it leads to, which must be https on an AWS-owned host,
//! is what SSO OIDC is told (`issuerUrl`, `startUrl`). Cache keys keep the configured URL.

use crate::net;
use crate::sdk::Sdk;
use anyhow::{Result, anyhow, bail};
use std::time::Duration;

/// The CLI's `_DEFAULT_TIMEOUT` for the request to a vanity host.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The CLI's `_AWS_OWNED_SUFFIXES`.
const AWS_SUFFIXES: [&str; 8] = [
    ".app.aws",
    ".portal.amazonaws.com",
    ".portal.amazonaws.com.cn",
    ".app.amazonwebservices.com.cn",
    ".portal.amazonaws.eu",
    ".api.amazonwebservices.eu",
    ".awsapps.com",
    ".awsapps.cn",
];

/// The CLI's `_AWS_OWNED_EXACT`.
const AWS_HOSTS: [&str; 4] = [
    "identitycenter.amazonaws.com",
    "identitycenter.amazonaws.com.cn",
    "identitycenter.amazonaws.eu",
    "identitycenter.us-gov.amazonaws.com",
];

/// Whether IAM Identity Center itself serves `host` (the CLI's `is_aws_owned_domain`).
pub fn is_aws_owned(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    AWS_HOSTS.contains(&host.as_str())
        || AWS_SUFFIXES
            .iter()
            .any(|suffix| host.ends_with(suffix) || host == suffix[1..])
}

/// The start URL SSO OIDC is told for `configured`: itself on an AWS-owned host, else
/// where its one redirect leads.
pub fn resolve(sdk: &Sdk, configured: &str) -> Result<String> {
    let url = url::Url::parse(configured)
        .map_err(|_| anyhow!("the sso_start_url {configured} is not a URL"))?;
    if url.scheme() != "https" {
        bail!("the sso_start_url {configured} must start with https://");
    }
    let Some(host) = url.host_str() else {
        bail!("the sso_start_url {configured} has no host");
    };
    if is_aws_owned(host) {
        return Ok(configured.to_string());
    }
    crate::verbose!("SSO: {configured} is not on an AWS domain; following its redirect");
    let fail = |why: String| {
        anyhow!("could not resolve the vanity start URL {configured} ({why}); check sso_start_url")
    };
    // The client is made on the runtime: its connector needs the reactor.
    let answer = sdk.block_on(async {
        let client = net::client_without_redirects(sdk.limits(), sdk.ca_bundle(), TIMEOUT)?;
        let ask = |method: reqwest::Method| {
            let request = client.request(method, url.clone()).send();
            async {
                request
                    .await
                    .map_err(|e| fail(crate::failure::http(&e, TIMEOUT)))
            }
        };
        let answer = ask(reqwest::Method::HEAD).await?;
        if matches!(answer.status().as_u16(), 405 | 501) {
            ask(reqwest::Method::GET).await
        } else {
            Ok(answer)
        }
    })?;
    let status = answer.status();
    let landed = if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
        let location = answer
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| fail(format!("HTTP {} without a Location", status.as_u16())))?;
        url.join(location)
            .map_err(|_| fail(format!("the redirect to {location} is not a URL")))?
    } else if status.is_success() || status.is_informational() {
        url.clone()
    } else {
        return Err(fail(format!("HTTP {}", status.as_u16())));
    };
    let resolved = normalise(&landed);
    if !landed.host_str().is_some_and(is_aws_owned) {
        return Err(fail(format!(
            "it leads to {resolved}, which is not an IAM Identity Center address"
        )));
    }
    if landed.scheme() != "https" {
        return Err(fail(format!("it leads to {resolved}, which is not https")));
    }
    crate::verbose!("SSO: {configured} resolves to {resolved}");
    Ok(resolved)
}

/// The CLI's `_normalize_url`: scheme, host, a port only when not the default, the
/// path without a trailing slash; no query or fragment.
fn normalise(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!(
        "{}://{host}{port}{}",
        url.scheme(),
        url.path().trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_owned_hosts_are_the_clis() {
        for host in [
            "d-123.awsapps.com",
            "D-123.AWSAPPS.COM.",
            "d-1.awsapps.cn",
            "ssoins-1.portal.us-east-1.app.aws",
            "x.eu-west-1.portal.amazonaws.com",
            "identitycenter.amazonaws.com",
            "awsapps.com",
        ] {
            assert!(is_aws_owned(host), "{host}");
        }
        for host in [
            "sso.corp.example",
            "awsapps.com.evil.example",
            "evilawsapps.com",
            "x.identitycenter.amazonaws.com",
            "localhost",
        ] {
            assert!(!is_aws_owned(host), "{host}");
        }
    }

    #[test]
    fn resolved_urls_are_normalised_as_the_cli_does() {
        let n = |u: &str| normalise(&url::Url::parse(u).unwrap());
        assert_eq!(
            n("https://d-1.awsapps.com:443/start/?x=1#f"),
            "https://d-1.awsapps.com/start"
        );
        assert_eq!(
            n("https://d-1.awsapps.com:8443/start"),
            "https://d-1.awsapps.com:8443/start"
        );
    }
}
