//! Getting the credentials a [`Plan`](super::plan::Plan) describes: reusing cached
//! answers from the newest step backwards so that a cached profile costs one file read
//! and no network, and asking STS (under a lock, so parallel shells make one call) only
//! for the steps that are missing.

use super::mfa::Codes;
use super::plan::{self, MFA_SESSION_SECONDS, Request, Step};
use super::{container, imds, keychain, login, process, sso, sts};
use crate::cache::{self, Cache};
use crate::chain::{Base, Chain};
use crate::clock;
use crate::creds::Credentials;
use crate::env::Env;
use crate::log;
use crate::sdk::Sdk;
use crate::verbose;
use anyhow::{Context as _, Result, bail};
use std::rc::Rc;
use sts::Sts;

pub struct Fetcher<'a> {
    env: &'a Env,
    request: &'a Request,
    cache: Cache,
    /// The runtime and HTTP client, made on the first call that needs the network.
    sdk: Option<Rc<Sdk>>,
    sts: Option<Sts>,
    codes: Codes<'a>,
    now: i64,
    cache_warned: std::cell::Cell<bool>,
}

impl<'a> Fetcher<'a> {
    pub fn new(request: &'a Request, env: &'a Env) -> Fetcher<'a> {
        Fetcher {
            env,
            request,
            cache: Cache::new(&env.cache_dir()),
            sdk: None,
            sts: None,
            codes: Codes::new(env, request.mfa_token.clone(), request.mfa_process.clone()),
            now: clock::now(),
            cache_warned: std::cell::Cell::new(false),
        }
    }

    pub fn obtain(&mut self, chain: &Chain) -> Result<Credentials> {
        let plan = plan::plan(chain, self.request, self.env)?;
        for warning in &plan.warnings {
            log::warn(warning);
        }
        let (base_key, base_cacheable, base_duration) =
            (&plan.base.key, plan.base.cached, plan.base.duration);
        let steps = &plan.steps;

        // Newest cached step first: a cached profile needs nothing else. `start` is the
        // first hop still to fetch.
        let mut start = 0;
        let mut current: Option<Credentials> = None;
        if !self.request.no_cache {
            let hops = steps
                .iter()
                .enumerate()
                .rev()
                .map(|(index, step)| (index + 1, step.key.as_str(), step.hop.profile.as_str()));
            let base = base_cacheable.then_some((0, base_key.as_str(), chain.base.profile()));
            for (next, key, profile) in hops.chain(base) {
                if let Some(hit) = self.cache.load(key, self.now) {
                    verbose!(
                        "profile {profile}: cached credentials ({})",
                        Cache::describe(&hit, self.now)
                    );
                    start = next;
                    current = Some(hit);
                    break;
                }
            }
        }

        let mut creds = match current {
            Some(c) => c,
            None => self.base(chain, base_key, base_duration)?,
        };
        let mut source_profile = chain.base.profile().to_string();
        if start > 0 {
            source_profile = steps[start - 1].hop.profile.clone();
        }
        for step in &steps[start..] {
            creds = self.assume(step, &creds, &source_profile)?;
            source_profile = step.hop.profile.clone();
        }
        Ok(creds)
    }

    fn sdk(&mut self) -> Result<Rc<Sdk>> {
        if self.sdk.is_none() {
            let limits = crate::sdk::Limits::load(self.env)?.for_profile(
                self.env,
                self.request.max_attempts.as_deref(),
                self.request.retry_mode.as_deref(),
            )?;
            self.sdk = Some(crate::sdk::shared_with(limits, &self.request.endpoints)?);
        }
        Ok(Rc::clone(self.sdk.as_ref().expect("just set")))
    }

    fn sts(&mut self) -> Result<&Sts> {
        if self.sts.is_none() {
            let sdk = self.sdk()?;
            self.sts = Some(Sts::new(
                sdk,
                &self.request.endpoints,
                self.request.region.as_deref(),
            ));
        }
        Ok(self.sts.as_ref().expect("just set"))
    }

    fn base(&mut self, chain: &Chain, key: &str, duration: Option<u32>) -> Result<Credentials> {
        match &chain.base {
            Base::Static {
                credentials,
                mfa_serial: None,
                ..
            } => Ok(credentials.clone()),
            Base::Static {
                credentials,
                mfa_serial: Some(serial),
                profile,
            } => self.mfa_session(
                credentials,
                serial,
                duration.unwrap_or(MFA_SESSION_SECONDS),
                profile,
            ),
            Base::Environment { profile } => self.environment(profile),
            Base::Process { profile, command } => process::run(profile, command, self.env),
            Base::WebIdentity {
                profile,
                role_arn,
                token_file,
                session_name,
                ..
            } => self.fetch_once(key, &format!("profile {profile}"), |this| {
                let path = this.env.expand_tilde(token_file);
                let token = std::fs::read_to_string(&path).with_context(|| {
                    format!(
                        "could not read the web identity token file {} of profile `{profile}`",
                        path.display()
                    )
                })?;
                let name =
                    plan::session_name(this.env, this.request, profile, session_name.as_deref());
                verbose!("profile {profile}: AssumeRoleWithWebIdentity {role_arn}");
                let ctx = sts::Context {
                    profile,
                    source_profile: profile,
                    role_arn: Some(role_arn),
                    has_external_id: false,
                    has_mfa: false,
                };
                this.sts()?.assume_role_with_web_identity(
                    role_arn,
                    &name,
                    token.trim(),
                    duration,
                    &ctx,
                )
            }),
            Base::Ec2InstanceMetadata { profile } => {
                let sdk = self.sdk()?;
                imds::fetch(&sdk, self.env, profile)
            }
            Base::EcsContainer { profile } => {
                let sdk = self.sdk()?;
                container::fetch(&sdk, self.env, profile)
            }
            Base::Sso {
                profile,
                target,
                account_id,
                role_name,
            } => self.fetch_once(key, &format!("profile {profile}"), |this| {
                let role = sso::Role {
                    profile,
                    target: target.clone(),
                    account_id,
                    role_name,
                };
                let sdk = this.sdk()?;
                let creds = sso::role_credentials(sdk, this.env, &this.request.endpoints, &role)?;
                sso::note_cached(this.env, &target.start_url, key);
                Ok(creds)
            }),
            Base::Store {
                profile,
                mfa_serial: None,
            } => keychain::read(self.env, profile),
            Base::Login { profile, session } => {
                self.fetch_once(key, &format!("profile {profile}"), |this| {
                    let session = login::Session {
                        profile,
                        arn: session,
                        region: this.request.region.as_deref(),
                    };
                    let (env, request) = (this.env, this.request);
                    login::credentials(|| this.sdk(), env, &request.endpoints, &session)
                })
            }
            Base::Store {
                profile,
                mfa_serial: Some(serial),
            } => {
                let long_term = keychain::read(self.env, profile)?;
                self.mfa_session(
                    &long_term,
                    serial,
                    duration.unwrap_or(MFA_SESSION_SECONDS),
                    profile,
                )
            }
        }
    }

    fn environment(&self, profile: &str) -> Result<Credentials> {
        let Some(credentials) = Credentials::from_env(self.env) else {
            bail!(
                "profile `{profile}` uses credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set"
            );
        };
        if let Some(previous) = self.env.get("HAT_PROFILE") {
            log::warn(&format!(
                "profile `{profile}` starts from the credentials in your environment, which hat exported for profile `{previous}`"
            ));
        }
        Ok(credentials)
    }

    /// Exchanges long-term keys and an MFA code for a 12-hour MFA session, cached so the
    /// next role behind the same device needs no code.
    fn mfa_session(
        &mut self,
        long_term: &Credentials,
        serial: &str,
        duration: u32,
        profile: &str,
    ) -> Result<Credentials> {
        let key = plan::mfa_key(self.request, &long_term.access_key_id, serial, duration);
        self.fetch_once(&key, &format!("MFA session for {serial}"), |this| {
            let code = this.codes.code(serial, profile)?;
            verbose!("profile {profile}: GetSessionToken with MFA device {serial}");
            let ctx = sts::Context {
                profile,
                source_profile: profile,
                role_arn: None,
                has_external_id: false,
                has_mfa: true,
            };
            this.sts()?
                .get_session_token(long_term, serial, &code, Some(duration), &ctx)
        })
    }

    fn assume(
        &mut self,
        step: &Step<'_>,
        caller: &Credentials,
        source_profile: &str,
    ) -> Result<Credentials> {
        let hop = step.hop;
        self.fetch_once(&step.key, &format!("profile {}", hop.profile), |this| {
            this.assume_uncached(step, caller, source_profile)
        })
    }

    fn assume_uncached(
        &mut self,
        step: &Step<'_>,
        caller: &Credentials,
        source_profile: &str,
    ) -> Result<Credentials> {
        let hop = step.hop;
        // Behind MFA with long-term keys: go through a cached MFA session, so the code is
        // asked once for all roles. Otherwise the code goes with the AssumeRole call.
        let mut mfa_code = None;
        let session;
        let caller = match &hop.mfa_serial {
            Some(serial) if caller.is_long_term() && !self.request.no_mfa_session => {
                session = self.mfa_session(caller, serial, MFA_SESSION_SECONDS, &hop.profile)?;
                &session
            }
            Some(serial) => {
                mfa_code = Some(self.codes.code(serial, &hop.profile)?);
                caller
            }
            None => caller,
        };
        verbose!(
            "profile {}: AssumeRole {} as {} (from profile {source_profile})",
            hop.profile,
            hop.role_arn,
            step.session_name
        );
        let request = sts::AssumeRole {
            role_arn: &hop.role_arn,
            session_name: &step.session_name,
            external_id: hop.external_id.as_deref(),
            duration: step.duration,
            tagging: &step.tagging,
            mfa: match (&hop.mfa_serial, &mfa_code) {
                (Some(serial), Some(code)) => Some((serial.as_str(), code.as_str())),
                _ => None,
            },
        };
        let ctx = sts::Context {
            profile: &hop.profile,
            source_profile,
            role_arn: Some(&hop.role_arn),
            has_external_id: hop.external_id.is_some(),
            has_mfa: hop.mfa_serial.is_some(),
        };
        self.sts()?.assume_role(caller, &request, &ctx)
    }

    /// One answer per key across parallel shells: under the entry's lock, re-read the
    /// cache (another shell may have just filled it), else fetch and cache.
    fn fetch_once(
        &mut self,
        key: &str,
        what: &str,
        fetch: impl FnOnce(&mut Self) -> Result<Credentials>,
    ) -> Result<Credentials> {
        let _lock = self.lock(key);
        if !self.request.no_cache
            && let Some(hit) = self.cache.load(key, self.now)
        {
            verbose!("{what}: cached ({})", Cache::describe(&hit, self.now));
            return Ok(hit);
        }
        let creds = fetch(self)?;
        self.remember(key, &creds);
        Ok(creds)
    }

    /// Serialises fetching `key` with other shells. A cache directory that cannot be
    /// used costs the coordination, not the assume.
    fn lock(&self, key: &str) -> Option<cache::Lock> {
        match self.cache.lock(key) {
            Ok(lock) => Some(lock),
            Err(e) => {
                self.cache_trouble(&e);
                None
            }
        }
    }

    /// Caches an answer; a cache that cannot be written costs speed, not correctness.
    fn remember(&self, key: &str, creds: &Credentials) {
        if let Err(e) = self.cache.store(key, creds) {
            self.cache_trouble(&e);
        }
    }

    /// Says once per run that the cache is not working, however many steps hit it.
    fn cache_trouble(&self, e: &anyhow::Error) {
        if !self.cache_warned.replace(true) {
            log::warn(&format!("{e:#}; continuing without the cache"));
        }
    }
}
