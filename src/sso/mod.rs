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
pub mod start_url;
pub mod token;
