//! `credential_source = Ec2InstanceMetadata`: the instance profile's credentials from
//! the instance metadata service, IMDSv2 (a session token from `PUT /latest/api/token`,
//! then the role name, then its credentials). `AWS_EC2_METADATA_SERVICE_ENDPOINT`
//! (and `_ENDPOINT_MODE=IPv6`) move it; `AWS_EC2_METADATA_DISABLED=true` turns it off.

use super::http::{self, call};
use crate::creds::Credentials;
use crate::env::Env;
use crate::sdk::Sdk;
use crate::verbose;
use ::http::Method;
use anyhow::{Result, bail};

const WHAT: &str = "the instance metadata service";
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Where the service is: the variable, else the link-local address for the mode.
pub fn endpoint(env: &Env) -> String {
    if let Some(url) = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
        return url.trim_end_matches('/').to_string();
    }
    match env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
        Some(mode) if mode.eq_ignore_ascii_case("ipv6") => "http://[fd00:ec2::254]".into(),
        _ => "http://169.254.169.254".into(),
    }
}

pub fn fetch(sdk: &Sdk, env: &Env, profile: &str) -> Result<Credentials> {
    if env
        .get("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        bail!(
            "profile `{profile}` uses credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED=true turns the instance metadata service off; unset it, or use another source"
        );
    }
    let base = endpoint(env);
    verbose!("profile {profile}: instance metadata at {base}");
    let token = call(
        sdk,
        Method::PUT,
        &format!("{base}/latest/api/token"),
        &[("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
        WHAT,
    )?;
    let token = match token.status {
        200 => Some(String::from_utf8_lossy(&token.body).trim().to_string()),
        // No IMDSv2 here (an old endpoint or a proxy): the SDKs fall back to IMDSv1.
        404 | 405 => None,
        403 => bail!(
            "{WHAT} at {base} refused a session token (HTTP 403): IMDS may be disabled for this instance"
        ),
        status => bail!("{WHAT} at {base} answered HTTP {status} to the token request"),
    };
    let headers: Vec<(&str, &str)> = token
        .as_deref()
        .map(|t| vec![("x-aws-ec2-metadata-token", t)])
        .unwrap_or_default();

    let roles = call(
        sdk,
        Method::GET,
        &format!("{base}{CREDENTIALS_PATH}"),
        &headers,
        WHAT,
    )?;
    let role = match roles.status {
        200 => String::from_utf8_lossy(&roles.body)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string),
        404 => None,
        status => bail!("{WHAT} at {base} answered HTTP {status} when asked for the role name"),
    };
    let Some(role) = role else {
        bail!(
            "profile `{profile}` uses credential_source = Ec2InstanceMetadata, but this instance has no IAM role (attach an instance profile)"
        );
    };
    let answer = call(
        sdk,
        Method::GET,
        &format!("{base}{CREDENTIALS_PATH}{role}"),
        &headers,
        WHAT,
    )?;
    if answer.status != 200 {
        bail!(
            "{WHAT} at {base} answered HTTP {} for the credentials of role {role}",
            answer.status
        );
    }
    http::credentials(&answer.body, WHAT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_follows_the_variable_then_the_mode() {
        assert_eq!(endpoint(&Env::default()), "http://169.254.169.254");
        let v6 = Env::from_pairs([("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")]);
        assert_eq!(endpoint(&v6), "http://[fd00:ec2::254]");
        let moved = Env::from_pairs([
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"),
        ]);
        assert_eq!(endpoint(&moved), "http://127.0.0.1:9");
    }
}
