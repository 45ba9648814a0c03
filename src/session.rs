//! From a profile name to its credentials and region: the part that `assume`, `exec`,
//! `console`, `export` and `credential-process` share before each presents the answer
//! its own way.

use crate::chain::{Base, Chain, SsoTarget, Tagging};
use crate::config::ConfigSet;
use crate::creds::Credentials;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::providers::{self, Request};
use crate::resolve;
use crate::{region, verbose};
use anyhow::Result;

/// What the user asked for besides the profile, as typed.
#[derive(Debug, Default, Clone)]
pub struct SessionOptions {
    /// `-r`: a region name or shorthand (`euw1`).
    pub region: Option<String>,
    /// `-d`, parsed once by the command ([`crate::duration::parse`]).
    pub duration: Option<u32>,
    pub mfa_token: Option<String>,
    pub no_cache: bool,
    /// `hat exec --no-session` (aws-vault's): no MFA session (GetSessionToken) is made
    /// of long-term keys; a keys profile's own keys are the answer, and a role behind
    /// MFA gets the code on its AssumeRole call.
    pub no_session: bool,
    /// `--session-tag K=V`, each as typed.
    pub session_tags: Vec<String>,
    /// `--source-identity NAME`.
    pub source_identity: Option<String>,
}

impl SessionOptions {
    /// The tags and source identity asked for on the command line.
    fn tagging(&self) -> Result<Tagging> {
        let mut tags: Vec<(String, String)> = Vec::new();
        for typed in &self.session_tags {
            let parsed = crate::chain::parse_tags(typed)
                .ok()
                .filter(|p| p.len() == 1)
                .ok_or_else(|| {
                    anyhow::anyhow!("--session-tag {typed}: write one tag as KEY=VALUE")
                })?;
            let (key, value) = parsed.into_iter().next().expect("one");
            match tags.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => tags.push((key, value)),
            }
        }
        Ok(Tagging {
            tags,
            transitive: Vec::new(),
            source_identity: self.source_identity.clone(),
        })
    }
}

#[derive(Debug)]
pub struct Session {
    pub profile: String,
    /// `-r`, else the profile's `region`, else `AWS_REGION` / `AWS_DEFAULT_REGION`.
    pub region: Option<String>,
    pub credentials: Credentials,
    pub chain: Chain,
    /// Where each service's calls went, for a caller that makes more (the console).
    pub endpoints: Endpoints,
}

/// The profile's `region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION` (no profile:
/// the environment alone).
pub fn profile_region(config: &ConfigSet, env: &Env, profile: Option<&str>) -> Option<String> {
    profile
        .and_then(|p| config.profile(p))
        .and_then(|p| p.get("region"))
        .or_else(|| env.get("AWS_REGION"))
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .map(str::to_string)
}

fn profile_value(config: &ConfigSet, profile: &str, key: &str) -> Option<String> {
    config
        .profile(profile)
        .and_then(|p| p.get(key))
        .map(str::to_string)
}

/// The `mfa_process` of the chain: the asked-for profile's, else the nearest one down
/// the chain (the profile with `mfa_serial` usually carries both).
fn mfa_process(config: &ConfigSet, chain: &Chain) -> Option<String> {
    std::iter::once(chain.profile.as_str())
        .chain(chain.hops.iter().rev().map(|hop| hop.profile.as_str()))
        .chain(std::iter::once(chain.base.profile()))
        .find_map(|name| config.profile(name)?.get("mfa_process"))
        .map(str::to_string)
}

/// `[session] role_session_name`, read only when a role in the chain names no session
/// itself (one small file; a broken settings file costs the template, not the assume).
fn session_name_template(env: &Env, chain: &Chain) -> Option<String> {
    let unnamed = chain.hops.iter().any(|hop| hop.session_name.is_none())
        || matches!(
            chain.base,
            Base::WebIdentity {
                session_name: None,
                ..
            }
        );
    if !unnamed {
        return None;
    }
    // Once per run: `hat list` peeks at every profile.
    static TEMPLATE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    TEMPLATE
        .get_or_init(|| match crate::settings::load(env) {
            Ok(settings) => settings.session.role_session_name,
            Err(e) => {
                crate::log::warn(&format!("{e:#}; using the default role session name"));
                None
            }
        })
        .clone()
}

/// Resolves `profile` and gets its credentials (the cache first).
pub fn open(
    config: &ConfigSet,
    env: &Env,
    profile: &str,
    options: &SessionOptions,
) -> Result<Session> {
    let chain = resolve::resolve(config, profile)?;
    open_chain(config, env, chain, Some(profile), options)
}

/// Gets the credentials of a chain the caller built or extended (`hat eks token
/// --role-arn` adds a role on top of a profile's; with no profile, the environment's
/// keys are the base), the cache first. `profile` is where the region and endpoints
/// come from (`None`: the environment alone).
pub fn open_chain(
    config: &ConfigSet,
    env: &Env,
    chain: Chain,
    profile: Option<&str>,
    options: &SessionOptions,
) -> Result<Session> {
    let mut chain = chain;
    if options.no_session && chain.skip_mfa_session() {
        verbose!(
            "profile {}: --no-session: its long-term keys as they are, no MFA session",
            chain.profile
        );
    }
    verbose!("profile {}: {}", chain.profile, chain.describe());
    let region = match &options.region {
        Some(r) => Some(region::expand(r)?),
        None => profile_region(config, env, profile),
    };
    let request = Request {
        duration: options.duration,
        mfa_token: options.mfa_token.clone(),
        mfa_process: mfa_process(config, &chain),
        no_cache: options.no_cache,
        no_mfa_session: options.no_session,
        region: region.clone(),
        endpoints: Endpoints::new(env, config, profile),
        tagging: options.tagging()?,
        session_name_template: session_name_template(env, &chain),
        max_attempts: profile.and_then(|p| profile_value(config, p, "max_attempts")),
        retry_mode: profile.and_then(|p| profile_value(config, p, "retry_mode")),
    };
    let credentials = providers::obtain(&chain, &request, env)?;
    Ok(Session {
        profile: chain.profile.clone(),
        region,
        credentials,
        endpoints: request.endpoints,
        chain,
    })
}

/// An SSO role with no profile behind it (`assume --sso-start-url U --sso-region R
/// --account-id A --role-name N`): its token is keyed by the start URL, like a legacy
/// SSO profile's, and its endpoints come from the environment alone.
pub fn open_sso(
    env: &Env,
    target: SsoTarget,
    account_id: &str,
    role_name: &str,
    options: &SessionOptions,
) -> Result<Session> {
    let name = format!("{account_id}/{role_name}");
    let chain = Chain {
        profile: name.clone(),
        base: Base::Sso {
            profile: name.clone(),
            target: target.clone(),
            account_id: account_id.to_string(),
            role_name: role_name.to_string(),
        },
        hops: Vec::new(),
    };
    let region = match &options.region {
        Some(r) => Some(region::expand(r)?),
        None => profile_region(&ConfigSet::default(), env, None).or(Some(target.region)),
    };
    let request = Request {
        duration: None,
        mfa_token: None,
        mfa_process: None,
        no_cache: options.no_cache,
        region: region.clone(),
        endpoints: Endpoints::from_env(env),
        ..Request::default()
    };
    let credentials = providers::obtain(&chain, &request, env)?;
    Ok(Session {
        profile: name,
        region,
        credentials,
        endpoints: request.endpoints,
        chain,
    })
}

/// The credentials [`open`] would answer from hat's cache alone, with no network and no
/// prompt (`None`: nothing good cached, or the profile does not resolve). For marking
/// profiles in `hat list` and the picker.
pub fn peek(config: &ConfigSet, env: &Env, profile: &str) -> Option<Credentials> {
    let chain = resolve::resolve(config, profile).ok()?;
    let region = profile_region(config, env, Some(profile));
    let request = Request {
        region,
        endpoints: Endpoints::new(env, config, Some(profile)),
        session_name_template: session_name_template(env, &chain),
        ..Request::default()
    };
    providers::cached(&chain, &request, env)
}

/// The cache entries of `profile`'s chain as (profile of the step, cache key), oldest
/// step first; the last is the profile's own (see [`providers::cache_keys`]).
pub fn cache_keys(config: &ConfigSet, env: &Env, profile: &str) -> Result<Vec<(String, String)>> {
    let chain = resolve::resolve(config, profile)?;
    let request = Request {
        region: profile_region(config, env, Some(profile)),
        endpoints: Endpoints::new(env, config, Some(profile)),
        ..Request::default()
    };
    providers::cache_keys(&chain, &request, env)
}
