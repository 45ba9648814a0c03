//! What a chain needs before anything is fetched: for the base and each role, the cache
//! key that names its answer, the session name and the duration asked of STS (with the
//! one-hour cap on role chaining). A function of the chain, the request and the
//! environment seam only: no network, no prompt, no cache reads, and the warnings it
//! has are returned as data for the caller to print.

use crate::cache;
use crate::chain::{Base, Chain, Hop, Tagging};
use crate::duration;
use crate::endpoint::{Endpoints, Service};
use crate::env::Env;
use anyhow::Result;

use super::{container, imds, keychain, sts};

/// MFA sessions (GetSessionToken) last as long as STS's own default: 12 hours. During
/// that time, switching between roles behind the same MFA device asks for no code.
pub const MFA_SESSION_SECONDS: u32 = 43_200;

/// What the user asked for besides the profile.
#[derive(Debug, Default, Clone)]
pub struct Request {
    /// `-d`: the session length of the last step.
    pub duration: Option<u32>,
    /// `--mfa-token`: used for the first MFA code needed.
    pub mfa_token: Option<String>,
    /// The chain's `mfa_process` (aws-vault's key): the command that prints MFA codes.
    pub mfa_process: Option<String>,
    pub no_cache: bool,
    /// aws-vault's `--no-session`: a role behind MFA is assumed from the long-term keys
    /// with the code on the AssumeRole call, instead of through a cached MFA session.
    pub no_mfa_session: bool,
    /// The region STS calls are signed for (the profile's).
    pub region: Option<String>,
    /// Where each service's calls go (the profile's endpoints, see [`crate::endpoint`]).
    pub endpoints: Endpoints,
    /// The profile's `max_attempts` and `retry_mode` (see [`crate::sdk::Limits`]).
    pub max_attempts: Option<String>,
    pub retry_mode: Option<String>,
    /// `--session-tag` and `--source-identity`: on top of the last role's own.
    pub tagging: Tagging,
    /// `[session] role_session_name` in hat's settings: the session name of roles whose
    /// profile names none, with `{user}` and `{profile}` (default `hat-{user}`).
    pub session_name_template: Option<String>,
}

/// The base of the chain: its cache key (its identity), whether its answer is cached by
/// hat, and the duration it asks STS for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseStep {
    pub key: String,
    pub cached: bool,
    pub duration: Option<u32>,
}

/// One role of a chain with everything that decides its answer worked out beforehand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step<'c> {
    pub hop: &'c Hop,
    pub key: String,
    pub session_name: String,
    pub duration: Option<u32>,
    /// The tags and source identity sent, `{user}` filled in.
    pub tagging: Tagging,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan<'c> {
    pub base: BaseStep,
    pub steps: Vec<Step<'c>>,
    /// Things the user should hear about the request (`-d` ignored, chaining capped).
    pub warnings: Vec<String>,
}

impl Plan<'_> {
    /// The key of the chain's final answer, when hat caches it.
    pub fn final_key(&self) -> Option<&str> {
        match self.steps.last() {
            Some(step) => Some(&step.key),
            None if self.base.cached => Some(&self.base.key),
            None => None,
        }
    }
}

/// The plan for `chain` under `request`.
pub fn plan<'c>(chain: &'c Chain, request: &Request, env: &Env) -> Result<Plan<'c>> {
    let mut warnings = Vec::new();
    let endpoint = sts_endpoint(request);
    let wanted = if chain.hops.is_empty() {
        request.duration
    } else {
        None
    };
    if wanted.is_some() && !chain.base.asks_for_a_session() {
        warnings.push(format!(
            "-d has no effect: profile `{}` uses its credentials as they are, without asking STS for a session",
            chain.base.profile()
        ));
    }
    let base = base_step(chain, request, env, wanted, &endpoint)?;
    if chain.hops.is_empty() && !request.tagging.is_empty() {
        warnings.push(format!(
            "--session-tag and --source-identity have no effect: profile `{}` assumes no role",
            chain.base.profile()
        ));
    }

    let mut steps = Vec::with_capacity(chain.hops.len());
    let mut previous = base.key.clone();
    // Instance, container and SSO credentials are role sessions too: a role on top of
    // them is chaining.
    let base_is_role = chain.base.is_role_session();
    for (index, hop) in chain.hops.iter().enumerate() {
        let last = index + 1 == chain.hops.len();
        let mut duration = if last {
            request.duration.or(hop.duration)
        } else {
            hop.duration
        };
        if let Some(d) = duration {
            duration::check(d, duration::ASSUME_ROLE_MAX, "AssumeRole")?;
            // Role credentials assuming a role is chaining: STS allows one hour at most.
            let chained = index > 0 || base_is_role;
            if chained && d > duration::CHAINED_MAX {
                warnings.push(format!(
                    "profile `{}` is reached by role chaining, which STS limits to 1h; asking for 1h instead of {}",
                    hop.profile,
                    duration::describe(d)
                ));
                duration = Some(duration::CHAINED_MAX);
            }
        }
        let session_name = session_name(env, request, &hop.profile, hop.session_name.as_deref());
        let mut tagging = if last {
            hop.tagging.overlaid(&request.tagging)
        } else {
            hop.tagging.clone()
        };
        if let Some(identity) = &tagging.source_identity {
            tagging.source_identity = Some(identity.replace("{user}", &sts::default_user(env)));
        }
        let tag_parts = tagging.key_parts();
        let duration_part = duration.map(|d| d.to_string()).unwrap_or_default();
        let mut parts = vec![
            "assume-role",
            &previous,
            &hop.role_arn,
            hop.external_id.as_deref().unwrap_or(""),
            &session_name,
            &duration_part,
            hop.mfa_serial.as_deref().unwrap_or(""),
            &endpoint,
        ];
        // Only tagged sessions name their tags, so untagged keys stay as they were.
        if !tag_parts.is_empty() {
            parts.push(&tag_parts);
        }
        let key = cache::key(&parts);
        previous = key.clone();
        steps.push(Step {
            hop,
            key,
            session_name,
            duration,
            tagging,
        });
    }
    Ok(Plan {
        base,
        steps,
        warnings,
    })
}

/// Part of every cache key: credentials from a test endpoint are not AWS's.
fn sts_endpoint(request: &Request) -> String {
    request
        .endpoints
        .get(Service::Sts)
        .unwrap_or("default")
        .to_string()
}

/// The cache key of the MFA session (GetSessionToken) for `key_id` behind `serial`.
pub fn mfa_key(request: &Request, key_id: &str, serial: &str, duration: u32) -> String {
    cache::key(&[
        "mfa-session",
        key_id,
        serial,
        &duration.to_string(),
        &sts_endpoint(request),
    ])
}

/// `role_session_name`, else the settings' template, else `hat-<user>`; a template's
/// answer is cut to STS's alphabet and 64 characters.
pub fn session_name(
    env: &Env,
    request: &Request,
    profile: &str,
    configured: Option<&str>,
) -> String {
    if let Some(name) = configured {
        return name.to_string();
    }
    match &request.session_name_template {
        Some(template) => {
            let mut name: String = template
                .replace("{user}", &sts::default_user(env))
                .replace("{profile}", profile)
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))
                .take(64)
                .collect();
            // STS wants at least two characters.
            if name.len() < 2 {
                name = sts::default_name(env, 64);
            }
            name
        }
        None => sts::default_name(env, 64),
    }
}

fn base_step(
    chain: &Chain,
    request: &Request,
    env: &Env,
    wanted: Option<u32>,
    endpoint: &str,
) -> Result<BaseStep> {
    let step = |key: String, cached: bool, duration: Option<u32>| BaseStep {
        key,
        cached,
        duration,
    };
    Ok(match &chain.base {
        Base::Static {
            credentials,
            mfa_serial: Some(serial),
            ..
        } => {
            let d = wanted.unwrap_or(MFA_SESSION_SECONDS);
            duration::check(d, duration::SESSION_TOKEN_MAX, "GetSessionToken")?;
            step(
                mfa_key(request, &credentials.access_key_id, serial, d),
                true,
                Some(d),
            )
        }
        Base::Static { credentials, .. } => step(
            cache::key(&["static", &credentials.access_key_id]),
            false,
            None,
        ),
        Base::Environment { .. } => {
            let id = env.get("AWS_ACCESS_KEY_ID").unwrap_or("");
            step(cache::key(&["env", id]), false, None)
        }
        Base::Process { command, .. } => step(cache::key(&["process", command]), false, None),
        Base::WebIdentity {
            role_arn,
            token_file,
            session_name: own_name,
            duration: own,
            ..
        } => {
            let d = wanted.or(*own);
            if let Some(d) = d {
                duration::check(d, duration::ASSUME_ROLE_MAX, "AssumeRoleWithWebIdentity")?;
            }
            let name = session_name(env, request, chain.base.profile(), own_name.as_deref());
            let key = cache::key(&[
                "web-identity",
                role_arn,
                token_file,
                &name,
                &d.map(|d| d.to_string()).unwrap_or_default(),
                endpoint,
            ]);
            step(key, true, d)
        }
        // Not cached by hat (the endpoint is local and refreshes itself), but the key
        // names the endpoint so role credentials built on it stay apart.
        Base::Ec2InstanceMetadata { .. } => {
            step(cache::key(&["imds", &imds::endpoint(env)]), false, None)
        }
        Base::EcsContainer { profile } => {
            let url = container::endpoint(env, profile)?;
            let token = container::token(env)?.unwrap_or_default();
            step(cache::key(&["container", &url, &token]), false, None)
        }
        Base::Sso {
            target,
            account_id,
            role_name,
            ..
        } => {
            let key = cache::key(&[
                "sso",
                &target.start_url,
                &target.region,
                account_id,
                role_name,
                request.endpoints.get(Service::Sso).unwrap_or("default"),
            ]);
            step(key, true, None)
        }
        // The same keys as static keys in the file would have: moving them into the
        // store keeps every cached session and role.
        Base::Store {
            profile,
            mfa_serial: Some(serial),
        } => {
            let d = wanted.unwrap_or(MFA_SESSION_SECONDS);
            duration::check(d, duration::SESSION_TOKEN_MAX, "GetSessionToken")?;
            let id = keychain::key_id(env, profile)?;
            step(mfa_key(request, &id, serial, d), true, Some(d))
        }
        Base::Store { profile, .. } => {
            let id = keychain::key_id(env, profile)?;
            step(cache::key(&["static", &id]), false, None)
        }
        // Cached like an SSO role: a cached profile reads hat's entry alone, and a miss
        // reads (or refreshes) the AWS CLI's file under this key's lock.
        Base::Login { session, .. } => {
            let key = cache::key(&[
                "login",
                session,
                request.endpoints.get(Service::Signin).unwrap_or("default"),
            ]);
            step(key, true, None)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Credentials;

    fn keys() -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: None,
            expiration: None,
        }
    }

    fn hop(profile: &str, role: &str, duration: Option<u32>) -> Hop {
        Hop {
            profile: profile.into(),
            role_arn: role.into(),
            external_id: None,
            session_name: Some("me".into()),
            duration,
            mfa_serial: None,
            tagging: Default::default(),
        }
    }

    fn chain(mfa: Option<&str>, hops: Vec<Hop>) -> Chain {
        Chain {
            profile: "p".into(),
            base: Base::Static {
                profile: "base".into(),
                credentials: keys(),
                mfa_serial: mfa.map(str::to_string),
            },
            hops,
        }
    }

    fn env() -> Env {
        Env::from_pairs([("HOME", "/nonexistent"), ("USER", "tester")])
    }

    #[test]
    fn roles_behind_one_mfa_device_share_the_mfa_session_key() {
        let request = Request::default();
        let a = chain(
            Some("arn:aws:iam::1:mfa/me"),
            vec![hop("a", "arn:aws:iam::2:role/a", None)],
        );
        let b = chain(
            Some("arn:aws:iam::1:mfa/me"),
            vec![hop("b", "arn:aws:iam::3:role/b", None)],
        );
        let (pa, pb) = (
            plan(&a, &request, &env()).unwrap(),
            plan(&b, &request, &env()).unwrap(),
        );
        assert_eq!(pa.base.key, pb.base.key);
        assert!(pa.base.cached);
        assert_eq!(pa.base.duration, Some(MFA_SESSION_SECONDS));
        assert_ne!(pa.steps[0].key, pb.steps[0].key);
        assert_eq!(pa.final_key(), Some(pa.steps[0].key.as_str()));
    }

    #[test]
    fn keys_name_everything_that_changes_the_answer() {
        let env = env();
        let base = chain(None, vec![hop("a", "arn:aws:iam::2:role/a", None)]);
        let key = |c: &Chain, r: &Request| plan(c, r, &env).unwrap().steps[0].key.clone();
        let plain = key(&base, &Request::default());
        let mut other = base.clone();
        other.hops[0].external_id = Some("x".into());
        assert_ne!(plain, key(&other, &Request::default()));
        let mut other = base.clone();
        other.hops[0].session_name = Some("you".into());
        assert_ne!(plain, key(&other, &Request::default()));
        let longer = Request {
            duration: Some(7200),
            ..Request::default()
        };
        assert_ne!(plain, key(&base, &longer));
        // The same request twice is the same key: the plan is a function.
        assert_eq!(plain, key(&base, &Request::default()));
        // Static keys without MFA are not cached, and `-d` on them is ignored aloud.
        let bare = chain(None, vec![]);
        let p = plan(&bare, &longer, &env).unwrap();
        assert_eq!(p.final_key(), None);
        assert!(
            p.warnings[0].starts_with("-d has no effect"),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn role_chaining_is_capped_at_one_hour() {
        let env = env();
        let two = chain(
            None,
            vec![
                hop("a", "arn:aws:iam::2:role/a", Some(7200)),
                hop("b", "arn:aws:iam::3:role/b", Some(7200)),
            ],
        );
        let p = plan(&two, &Request::default(), &env).unwrap();
        // The first role is assumed with long-term keys: not chaining.
        assert_eq!(p.steps[0].duration, Some(7200));
        assert_eq!(p.steps[1].duration, Some(3600));
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("profile `b`"), "{:?}", p.warnings);
        // `-d` applies to the last step and is capped the same way.
        let asked = Request {
            duration: Some(10_800),
            ..Request::default()
        };
        let p = plan(&two, &asked, &env).unwrap();
        assert_eq!(p.steps[1].duration, Some(3600));
        // On top of an SSO role session, even the first role is chaining.
        let sso = Chain {
            profile: "p".into(),
            base: Base::Sso {
                profile: "s".into(),
                target: crate::chain::SsoTarget {
                    session: Some("corp".into()),
                    start_url: "https://x.awsapps.com/start".into(),
                    region: "eu-west-1".into(),
                    scopes: None,
                },
                account_id: "1".into(),
                role_name: "R".into(),
            },
            hops: vec![hop("a", "arn:aws:iam::2:role/a", Some(7200))],
        };
        let p = plan(&sso, &Request::default(), &env).unwrap();
        assert_eq!(p.steps[0].duration, Some(3600));
        // Longer than AssumeRole allows at all is an error, not a cap.
        let too_long = chain(None, vec![hop("a", "arn:aws:iam::2:role/a", Some(50_000))]);
        assert!(plan(&too_long, &Request::default(), &env).is_err());
    }

    #[test]
    fn tagged_and_untagged_sessions_have_different_keys() {
        let env = env();
        let untagged = chain(None, vec![hop("a", "arn:aws:iam::2:role/a", None)]);
        let mut tagged = untagged.clone();
        tagged.hops[0].tagging.source_identity = Some("{user}-laptop".into());
        let plain = plan(&untagged, &Request::default(), &env).unwrap();
        let with = plan(&tagged, &Request::default(), &env).unwrap();
        assert_ne!(plain.steps[0].key, with.steps[0].key);
        assert_eq!(
            with.steps[0].tagging.source_identity.as_deref(),
            Some("tester-laptop")
        );
        // Tags from the command line go on the last role and change its key too.
        let flagged = Request {
            tagging: Tagging {
                tags: vec![("team".into(), "ops".into())],
                ..Tagging::default()
            },
            ..Request::default()
        };
        let p = plan(&untagged, &flagged, &env).unwrap();
        assert_eq!(p.steps[0].tagging.tags, [("team".into(), "ops".into())]);
        assert_ne!(p.steps[0].key, plain.steps[0].key);
    }
}
