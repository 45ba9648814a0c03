//! The AWS console, already signed in: credentials → (GetFederationToken for an IAM
//! user's long-term keys) → the federation endpoint's `getSigninToken` → a `login` URL
//! that lands on the console page asked for. The partition decides the hosts
//! ([`partition`]), `-s` the page ([`services`]), and [`browser`] opens the result.
//!
//! The sign-in URL is a credential (anyone holding it within 15 minutes is signed in
//! as the role), so nothing here logs it, and errors never quote it or the request
//! that carried the session.

pub mod browser;
pub mod open;
pub mod partition;
pub mod services;

use crate::chain::{Chain, ConsoleUse};
use crate::creds::Credentials;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::providers::sts::{self, Sts};
use crate::sdk::Sdk;
use crate::{duration, verbose};
use anyhow::{Result, anyhow, bail};
use partition::Partition;
use std::rc::Rc;
use url::Url;

/// The longest console session the federation endpoint grants (`SessionDuration`).
pub const MAX_SESSION: u32 = 43_200;
/// GetFederationToken's own limit.
pub const FEDERATION_TOKEN_MAX: u32 = 129_600;

/// What kind of credentials they are decides how they reach the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// From AssumeRole* (or an SSO role): `SessionDuration` is allowed.
    Role,
    /// An IAM user's long-term keys: exchanged with GetFederationToken first.
    LongTerm,
    /// GetSessionToken (an MFA session): the federation endpoint refuses these.
    MfaSession,
    /// Temporary credentials of unknown origin (the environment, a credential_process,
    /// a session token in the files): tried as they are.
    Temporary,
    /// A temporary access key (`ASIA…`) without its session token.
    TokenMissing,
}

/// How the credentials were made: what they hold decides between long-term keys and a
/// lost session token, the chain ([`Chain::console_use`]) decides the rest (none: they
/// came from the environment as they are).
pub fn kind(chain: Option<&Chain>, creds: &Credentials) -> Kind {
    if creds.session_token.is_none() {
        return if creds.access_key_id.starts_with("ASIA") {
            Kind::TokenMissing
        } else {
            Kind::LongTerm
        };
    }
    match chain.map(Chain::console_use) {
        Some(ConsoleUse::Role) => Kind::Role,
        Some(ConsoleUse::MfaSession) => Kind::MfaSession,
        Some(ConsoleUse::AsIs) | None => Kind::Temporary,
    }
}

/// Refuses, before any credentials are fetched (or an MFA code asked for), a chain
/// whose credentials could never sign in.
pub fn check_chain(chain: &Chain) -> Result<()> {
    if chain.console_use() == ConsoleUse::MfaSession {
        bail!(mfa_session_refusal(chain.base.profile()));
    }
    Ok(())
}

fn mfa_session_refusal(profile: &str) -> String {
    format!(
        "profile `{profile}` is an MFA session (GetSessionToken), and AWS does not let those sign in to the console. Open the console through a role instead: a profile with role_arn, source_profile = {profile} and mfa_serial"
    )
}

/// The region that decides the partition when no role ARN does: an SSO profile's
/// IAM Identity Center region is in the same partition as its accounts.
pub fn partition_region<'a>(chain: Option<&'a Chain>, region: Option<&'a str>) -> Option<&'a str> {
    match chain.map(|c| &c.base) {
        Some(crate::chain::Base::Sso { target, .. }) => Some(&target.region),
        _ => region,
    }
}

/// Everything the sign-in needs.
pub struct Signin<'a> {
    /// The profile; `None`: the credentials in the environment.
    pub profile: Option<&'a str>,
    pub credentials: &'a Credentials,
    pub kind: Kind,
    pub partition: Partition,
    /// Where the console should land.
    pub destination: &'a Url,
    /// `-d`: the console session's length.
    pub duration: Option<u32>,
    /// The STS region and endpoint, for GetFederationToken.
    pub region: Option<&'a str>,
    pub endpoints: &'a Endpoints,
}

/// Makes the sign-in URL. It is a credential: hand it to a browser or to the user,
/// never to a log.
pub fn signin_url(env: &Env, sdk: &Rc<Sdk>, request: &Signin<'_>) -> Result<Url> {
    let label = &match request.profile {
        Some(p) => format!("profile `{p}`"),
        None => "the credentials in your environment".to_string(),
    };
    let name_for_sts = request.profile.unwrap_or("(environment)");
    let federation = request
        .partition
        .federation_url(env.get("HAT_FEDERATION_ENDPOINT"))
        .map_err(|e| anyhow!(e))?;
    let fetched;
    let (creds, session_duration) = match request.kind {
        Kind::MfaSession => bail!(mfa_session_refusal(name_for_sts)),
        Kind::TokenMissing => bail!(
            "the credentials of {label} are temporary (the access key starts with ASIA) but have no session token, so they cannot sign in to the console or call AWS at all; add the aws_session_token that came with them (or AWS_SESSION_TOKEN)"
        ),
        Kind::LongTerm => {
            if let Some(d) = request.duration {
                duration::check(d, FEDERATION_TOKEN_MAX, "GetFederationToken")?;
            }
            let sts = Sts::new(Rc::clone(sdk), request.endpoints, request.region);
            let name = federated_user_name(env);
            verbose!("{label}: long-term keys; GetFederationToken as {name} for the console");
            let ctx = sts::Context {
                profile: name_for_sts,
                source_profile: name_for_sts,
                role_arn: None,
                has_external_id: false,
                has_mfa: false,
            };
            fetched =
                sts.get_federation_token(request.credentials, &name, request.duration, &ctx)?;
            // The federated session lasts as long as its credentials; AWS refuses
            // SessionDuration for them.
            (&fetched, None)
        }
        Kind::Role | Kind::Temporary => {
            if let Some(d) = request.duration {
                duration::check(d, MAX_SESSION, "a console session")?;
            }
            (request.credentials, request.duration)
        }
    };
    let token = signin_token(sdk, &federation, creds, session_duration, label)?;
    let mut url = federation;
    url.query_pairs_mut()
        .clear()
        .append_pair("Action", "login")
        .append_pair("Destination", request.destination.as_str())
        .append_pair("SigninToken", &token);
    Ok(url)
}

/// `hat-<user>`, cut to GetFederationToken's 32 characters and alphabet.
fn federated_user_name(env: &Env) -> String {
    crate::providers::sts::default_name(env, 32)
}

/// `getSigninToken`: the session's credentials (and the console session's length)
/// for a sign-in token.
fn signin_token(
    sdk: &Sdk,
    federation: &Url,
    creds: &Credentials,
    session_duration: Option<u32>,
    label: &str,
) -> Result<String> {
    let session = serde_json::json!({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token.as_deref().unwrap_or_default(),
    })
    .to_string();
    let mut url = federation.clone();
    {
        let mut query = url.query_pairs_mut();
        query.clear().append_pair("Action", "getSigninToken");
        if let Some(d) = session_duration {
            query.append_pair("SessionDuration", &d.to_string());
        }
        query.append_pair("Session", &session);
    }
    let shown = endpoint_for_messages(federation);
    verbose!("{label}: getSigninToken at {shown}");
    let client = crate::net::client(sdk.limits(), sdk.ca_bundle())?;
    let (status, body) = sdk
        .block_on(async {
            let response = client.get(url).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        })
        // The error's URL carries the session: never show it.
        .map_err(|e| {
            let e = e.without_url();
            let detail = format!("{e:?}");
            anyhow!(
                "could not reach the federation endpoint {shown}: {}; check your network connection and proxy settings{}{}",
                crate::failure::http(&e, sdk.limits().total),
                if federation.host_str() == Some(partition::Partition::Aws.signin_host()) {
                    ""
                } else {
                    " (and HAT_FEDERATION_ENDPOINT, if you set it)"
                },
                crate::net::tls_hint(&detail),
            )
        })?;
    let text = String::from_utf8_lossy(&body);
    if !status.is_success() {
        let summary = summarize(&text, creds);
        let hint = match (status.as_u16(), session_duration) {
            (400, Some(_)) => {
                " AWS refuses SessionDuration for some credentials: try again without -d."
            }
            (400 | 401 | 403, None) => {
                " Only credentials from a role (AssumeRole, SSO) or from GetFederationToken can sign in to the console; check that these credentials have not expired (--no-cache asks for new ones)."
            }
            _ => "",
        };
        bail!(
            "the federation endpoint {shown} refused to sign {label} in: HTTP {status}{}{summary}.{hint}",
            if summary.is_empty() { "" } else { ": " }
        );
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    let answer: Answer = serde_json::from_str(&text).map_err(|_| {
        anyhow!(
            "the federation endpoint {shown} answered without a sign-in token: {}",
            summarize(&text, creds)
        )
    })?;
    Ok(answer.signin_token)
}

/// The endpoint without its query, the only part of it safe to show.
fn endpoint_for_messages(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// An error body, on one line and short, with anything of the credentials taken out
/// (an endpoint that echoes its request must not leak them).
fn summarize(body: &str, creds: &Credentials) -> String {
    let mut text: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    for secret in [
        Some(creds.secret_access_key.as_str()),
        creds.session_token.as_deref(),
        Some(creds.access_key_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    {
        text = text.replace(secret, "<redacted>");
    }
    const MAX: usize = 300;
    if text.chars().count() > MAX {
        text = text.chars().take(MAX).collect::<String>() + "…";
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{Base, Hop};

    fn creds(token: bool, id: &str) -> Credentials {
        Credentials {
            access_key_id: id.into(),
            secret_access_key: "SECRET".into(),
            session_token: token.then(|| "TOKEN".into()),
            expiration: None,
        }
    }

    fn chain(hops: usize, mfa: bool) -> Chain {
        Chain {
            profile: "p".into(),
            base: Base::Static {
                profile: "base".into(),
                credentials: creds(false, "AKIA"),
                mfa_serial: mfa.then(|| "arn:aws:iam::1:mfa/me".into()),
            },
            hops: (0..hops)
                .map(|i| Hop {
                    profile: format!("r{i}"),
                    role_arn: format!("arn:aws-us-gov:iam::1:role/r{i}"),
                    external_id: None,
                    session_name: None,
                    duration: None,
                    mfa_serial: None,
                    tagging: Default::default(),
                })
                .collect(),
        }
    }

    #[test]
    fn credentials_are_classified_by_how_they_were_made() {
        assert_eq!(
            kind(Some(&chain(1, false)), &creds(true, "ASIA")),
            Kind::Role
        );
        assert_eq!(
            kind(Some(&chain(0, false)), &creds(false, "AKIA")),
            Kind::LongTerm
        );
        assert_eq!(
            kind(Some(&chain(0, true)), &creds(true, "ASIA")),
            Kind::MfaSession
        );
        assert_eq!(
            kind(Some(&chain(0, false)), &creds(true, "ASIA")),
            Kind::Temporary
        );
        assert_eq!(kind(None, &creds(true, "ASIA")), Kind::Temporary);
        assert_eq!(kind(None, &creds(false, "ASIAX")), Kind::TokenMissing);
        assert_eq!(
            chain(2, false).role_arn(),
            Some("arn:aws-us-gov:iam::1:role/r1")
        );
        assert_eq!(chain(0, false).role_arn(), None);
    }

    #[test]
    fn error_bodies_are_summarized_without_credentials() {
        let c = creds(true, "ASIAKEY");
        let body = "<html>\n  bad   session ASIAKEY SECRET TOKEN\n</html>";
        let s = summarize(body, &c);
        assert_eq!(
            s,
            "<html> bad session <redacted> <redacted> <redacted> </html>"
        );
        assert!(summarize(&"x".repeat(1000), &c).chars().count() <= 301);
    }

    #[test]
    fn messages_show_the_endpoint_without_its_query() {
        let url =
            Url::parse("https://u:p@signin.aws.amazon.com/federation?Session=secret").unwrap();
        assert_eq!(
            endpoint_for_messages(&url),
            "https://signin.aws.amazon.com/federation"
        );
    }

    #[test]
    fn federated_user_names_fit_sts() {
        let env = Env::from_pairs([("USER", "a very long user name with spaces and ünïcode!")]);
        let name = federated_user_name(&env);
        assert!(
            name.len() <= 32 && name.starts_with("hat-averylong"),
            "{name}"
        );
    }
}
