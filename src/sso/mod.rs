//! IAM Identity Center (SSO): what an SSO profile means ([`config`]), the AWS CLI's
//! token and client-registration cache ([`token`]), signing in through SSO OIDC
//! ([`login`]), a valid access token under one lock for many shells ([`session`]), the
//! portal's role credentials and listings ([`portal`]) and `hat sso populate`
//! ([`populate`]).

pub mod config;
pub mod login;
pub mod populate;
pub mod portal;
pub mod session;
pub mod token;

/// The scope that makes tokens refreshable; the AWS CLI's default for sso-sessions.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// Where one sign-in lives: the start URL and region, and the sso-session name when
/// there is one (it names the token file; else the start URL does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub session: Option<String>,
    pub start_url: String,
    pub region: String,
    pub scopes: Vec<String>,
}

impl Target {
    /// What a person calls this sign-in: the session name, else the start URL.
    pub fn name(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }

    /// The command that signs in to this target again.
    pub fn login_command(&self) -> String {
        match &self.session {
            Some(s) => format!("hat sso login --sso-session {s}"),
            None => format!(
                "hat sso login --sso-start-url {} --sso-region {}",
                self.start_url, self.region
            ),
        }
    }
}
