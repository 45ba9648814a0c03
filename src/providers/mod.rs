//! Getting the credentials a resolved [`Chain`] describes: the base source, then each
//! role in turn, reusing cached answers from the newest step backwards so that a cached
//! profile costs one file read and no network, and asking STS (under a lock, so
//! parallel shells make one call) only for the steps that are missing.

pub mod container;
pub mod http;
pub mod imds;
pub mod keychain;
pub mod process;
pub mod sso;
pub mod sts;

use crate::cache::{self, Cache};
use crate::chain::{Base, Chain, Hop};
use crate::clock;
use crate::creds::Credentials;
use crate::duration;
use crate::endpoint::{Endpoints, Service};
use crate::env::Env;
use crate::log;
use crate::sdk::Sdk;
use crate::verbose;
use anyhow::{Context as _, Result, anyhow, bail};
use std::rc::Rc;
use sts::Sts;

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
    pub no_cache: bool,
    /// The region STS calls are signed for (the profile's).
    pub region: Option<String>,
    /// Where each service's calls go (the profile's endpoints, see [`crate::endpoint`]).
    pub endpoints: Endpoints,
}

/// One step of a chain with everything that decides its answer worked out beforehand.
struct Step<'a> {
    hop: &'a Hop,
    key: String,
    session_name: String,
    duration: Option<u32>,
}

pub fn obtain(chain: &Chain, request: &Request, env: &Env) -> Result<Credentials> {
    Fetcher::new(request, env).obtain(chain)
}

/// The credentials `obtain` would answer from the cache alone, without any network,
/// prompt or lock: for marking profiles with good cached credentials in lists. Sources
/// that are not cached (long-term keys, a process, the environment) give `None`.
pub fn cached(chain: &Chain, request: &Request, env: &Env) -> Option<Credentials> {
    let fetcher = Fetcher::new(request, env);
    let (base_key, base_cacheable, _) = fetcher.plan_base_quietly(chain).ok()?;
    let steps = fetcher.plan_hops(chain, &base_key, true).ok()?;
    let key = match steps.last() {
        Some(step) => step.key.as_str(),
        None if base_cacheable => base_key.as_str(),
        None => return None,
    };
    fetcher.cache.load(key, fetcher.now)
}

/// The cache entries `obtain` reads and writes for `chain` (with no `-d`), oldest step
/// first, each with the profile whose step it is: the base's when its answer is cached,
/// then each role's. The last one is the profile's own. For `hat cache`.
pub fn cache_keys(chain: &Chain, request: &Request, env: &Env) -> Result<Vec<(String, String)>> {
    let fetcher = Fetcher::new(request, env);
    let (base_key, base_cacheable, _) = fetcher.plan_base_quietly(chain)?;
    let steps = fetcher.plan_hops(chain, &base_key, true)?;
    let mut keys = Vec::with_capacity(steps.len() + 1);
    if base_cacheable {
        keys.push((chain.base.profile().to_string(), base_key));
    }
    keys.extend(steps.into_iter().map(|s| (s.hop.profile.clone(), s.key)));
    Ok(keys)
}

struct Fetcher<'a> {
    env: &'a Env,
    request: &'a Request,
    cache: Cache,
    /// The runtime and HTTP client, made on the first call that needs the network.
    sdk: Option<Rc<Sdk>>,
    sts: Option<Sts>,
    mfa_token: Option<String>,
    now: i64,
    /// Part of every cache key: credentials from a test endpoint are not AWS's.
    endpoint: String,
    cache_warned: std::cell::Cell<bool>,
}

impl<'a> Fetcher<'a> {
    fn new(request: &'a Request, env: &'a Env) -> Fetcher<'a> {
        Fetcher {
            env,
            request,
            cache: Cache::new(&env.cache_dir()),
            sdk: None,
            sts: None,
            mfa_token: request.mfa_token.clone(),
            now: clock::now(),
            endpoint: request
                .endpoints
                .get(Service::Sts)
                .unwrap_or("default")
                .to_string(),
            cache_warned: std::cell::Cell::new(false),
        }
    }

    fn obtain(&mut self, chain: &Chain) -> Result<Credentials> {
        let (base_key, base_cacheable, base_duration) = self.plan_base(chain)?;
        let steps = self.plan_hops(chain, &base_key, false)?;

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
            None => self.base(chain, &base_key, base_duration)?,
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

    /// The base's cache key (its identity), whether its answer is cached, and the
    /// duration it asks STS for.
    fn plan_base(&self, chain: &Chain) -> Result<(String, bool, Option<u32>)> {
        let last = chain.hops.is_empty();
        let wanted = if last { self.request.duration } else { None };
        if wanted.is_some() && !chain.base.asks_for_a_session() {
            log::warn(&format!(
                "-d has no effect: profile `{}` uses its credentials as they are, without asking STS for a session",
                chain.base.profile()
            ));
        }
        self.plan_base_quietly(chain)
    }

    /// [`Self::plan_base`] without the warning, for looking at the cache only.
    fn plan_base_quietly(&self, chain: &Chain) -> Result<(String, bool, Option<u32>)> {
        let last = chain.hops.is_empty();
        let wanted = if last { self.request.duration } else { None };
        Ok(match &chain.base {
            Base::Static {
                credentials,
                mfa_serial: Some(serial),
                ..
            } => {
                let d = wanted.unwrap_or(MFA_SESSION_SECONDS);
                duration::check(d, duration::SESSION_TOKEN_MAX, "GetSessionToken")?;
                (
                    self.mfa_key(&credentials.access_key_id, serial, d),
                    true,
                    Some(d),
                )
            }
            Base::Static { credentials, .. } => (
                cache::key(&["static", &credentials.access_key_id]),
                false,
                None,
            ),
            Base::Environment { .. } => {
                let id = self.env.get("AWS_ACCESS_KEY_ID").unwrap_or("");
                (cache::key(&["env", id]), false, None)
            }
            Base::Process { command, .. } => (cache::key(&["process", command]), false, None),
            Base::WebIdentity {
                role_arn,
                token_file,
                session_name,
                duration: own,
                ..
            } => {
                let d = wanted.or(*own);
                if let Some(d) = d {
                    duration::check(d, duration::ASSUME_ROLE_MAX, "AssumeRoleWithWebIdentity")?;
                }
                let name = self.session_name(session_name.as_deref());
                let key = cache::key(&[
                    "web-identity",
                    role_arn,
                    token_file,
                    &name,
                    &d.map(|d| d.to_string()).unwrap_or_default(),
                    &self.endpoint,
                ]);
                (key, true, d)
            }
            // Not cached by hat (the endpoint is local and refreshes itself), but the
            // key names the endpoint so role credentials built on it stay apart.
            Base::Ec2InstanceMetadata { .. } => (
                cache::key(&["imds", &imds::endpoint(self.env)]),
                false,
                None,
            ),
            Base::EcsContainer { profile } => {
                let url = container::endpoint(self.env, profile)?;
                let token = container::token(self.env)?.unwrap_or_default();
                (cache::key(&["container", &url, &token]), false, None)
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
                    self.request
                        .endpoints
                        .get(Service::Sso)
                        .unwrap_or("default"),
                ]);
                (key, true, None)
            }
            // The same keys as static keys in the file would have: moving them into
            // the store keeps every cached session and role.
            Base::Store {
                profile,
                mfa_serial: Some(serial),
            } => {
                let d = wanted.unwrap_or(MFA_SESSION_SECONDS);
                duration::check(d, duration::SESSION_TOKEN_MAX, "GetSessionToken")?;
                let id = keychain::key_id(self.env, profile)?;
                (self.mfa_key(&id, serial, d), true, Some(d))
            }
            Base::Store { profile, .. } => {
                let id = keychain::key_id(self.env, profile)?;
                (cache::key(&["static", &id]), false, None)
            }
        })
    }

    fn plan_hops<'c>(
        &self,
        chain: &'c Chain,
        base_key: &str,
        quiet: bool,
    ) -> Result<Vec<Step<'c>>> {
        let mut steps = Vec::with_capacity(chain.hops.len());
        let mut previous = base_key.to_string();
        // Instance, container and SSO credentials are role sessions too: a role on top
        // of them is chaining.
        let base_is_role = chain.base.is_role_session();
        for (index, hop) in chain.hops.iter().enumerate() {
            let last = index + 1 == chain.hops.len();
            let mut duration = if last {
                self.request.duration.or(hop.duration)
            } else {
                hop.duration
            };
            if let Some(d) = duration {
                duration::check(d, duration::ASSUME_ROLE_MAX, "AssumeRole")?;
                // Role credentials assuming a role is chaining: STS allows one hour at most.
                let chained = index > 0 || base_is_role;
                if chained && d > duration::CHAINED_MAX {
                    if !quiet {
                        log::warn(&format!(
                            "profile `{}` is reached by role chaining, which STS limits to 1h; asking for 1h instead of {}",
                            hop.profile,
                            duration::describe(d)
                        ));
                    }
                    duration = Some(duration::CHAINED_MAX);
                }
            }
            let session_name = self.session_name(hop.session_name.as_deref());
            let key = cache::key(&[
                "assume-role",
                &previous,
                &hop.role_arn,
                hop.external_id.as_deref().unwrap_or(""),
                &session_name,
                &duration.map(|d| d.to_string()).unwrap_or_default(),
                hop.mfa_serial.as_deref().unwrap_or(""),
                &self.endpoint,
            ]);
            previous = key.clone();
            steps.push(Step {
                hop,
                key,
                session_name,
                duration,
            });
        }
        Ok(steps)
    }

    fn mfa_key(&self, key_id: &str, serial: &str, duration: u32) -> String {
        cache::key(&[
            "mfa-session",
            key_id,
            serial,
            &duration.to_string(),
            &self.endpoint,
        ])
    }

    /// `role_session_name`, else `hat-<user>`, cut to STS's alphabet and 64 characters.
    fn session_name(&self, configured: Option<&str>) -> String {
        if let Some(name) = configured {
            return name.to_string();
        }
        sts::default_name(self.env, 64)
    }

    fn sdk(&mut self) -> Result<Rc<Sdk>> {
        if self.sdk.is_none() {
            self.sdk = Some(crate::sdk::shared()?);
        }
        Ok(Rc::clone(self.sdk.as_ref().expect("just set")))
    }

    fn sts(&mut self) -> Result<&Sts> {
        if self.sts.is_none() {
            let sdk = self.sdk()?;
            self.sts = Some(Sts::new(
                sdk,
                self.request.endpoints.get(Service::Sts),
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
            Base::Process { profile, command } => process::run(profile, command),
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
                let name = this.session_name(session_name.as_deref());
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
        let key = self.mfa_key(&long_term.access_key_id, serial, duration);
        self.fetch_once(&key, &format!("MFA session for {serial}"), |this| {
            let code = this.mfa_code(serial, profile)?;
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

    /// The code from `--mfa-token` (used once), else asked on the terminal, where a
    /// mistyped code is asked for again (three tries).
    fn mfa_code(&mut self, serial: &str, profile: &str) -> Result<String> {
        if let Some(code) = self.mfa_token.take() {
            return check_mfa_code(&code);
        }
        let mut tries = 0;
        loop {
            let answer = crate::tty::ask(&format!("MFA code for {serial}: ")).map_err(|e| {
                anyhow!(
                    "profile `{profile}` needs an MFA code from {serial}, but hat could not ask for one ({e}); pass it with --mfa-token CODE"
                )
            })?;
            tries += 1;
            match check_mfa_code(&answer) {
                Ok(code) => return Ok(code),
                Err(e) if tries < 3 => crate::tty::tell(&format!("{e}\n")),
                Err(e) => return Err(e),
            }
        }
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
            Some(serial) if caller.is_long_term() => {
                session = self.mfa_session(caller, serial, MFA_SESSION_SECONDS, &hop.profile)?;
                &session
            }
            Some(serial) => {
                mfa_code = Some(self.mfa_code(serial, &hop.profile)?);
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

fn check_mfa_code(code: &str) -> Result<String> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        bail!(
            "an MFA code is 6 digits; got {} characters. Type the code your MFA device shows now",
            code.chars().count()
        );
    }
    Ok(code.to_string())
}
