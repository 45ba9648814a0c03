//! A usable access token for one sign-in, however many shells ask at once: the cached
//! token while more than 15 minutes remain; else, under the token's lock, the cache
//! again (another shell may have just refreshed it), a refresh with the refresh token
//! (keeping the old refresh token when the answer has none), and a new sign-in only
//! when the refresh fails and someone is there to approve it.

use super::login::{self, LoginOptions};
use super::portal::{Grant, Oidc};
use super::token::{REFRESH_WINDOW, Store, Token};
use crate::cache::{self, Cache};
use crate::chain::SsoTarget;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::sdk::Sdk;
use crate::{clock, log, verbose};
use anyhow::{Result, bail};
use std::rc::Rc;

pub struct Signer<'a> {
    pub env: &'a Env,
    pub sdk: Rc<Sdk>,
    pub endpoints: &'a Endpoints,
    /// Whether a sign-in may be started when nothing else works.
    pub interactive: bool,
}

/// Why there is no usable token, for the message that names the command to run.
enum Missing {
    None,
    Expired,
    Rejected,
}

/// `assume -es` (Granted's --export-sso-token): a usable token for `target` in the AWS
/// CLI's cache, found, refreshed or signed in for as any SSO call would, and the file
/// it is in. The SDK is made only when the cached token will not do.
pub fn ensure_cached(
    env: &Env,
    endpoints: &Endpoints,
    target: &SsoTarget,
) -> Result<std::path::PathBuf> {
    let store = Store::new(env);
    let fresh = store
        .load(target)
        .is_some_and(|t| t.remaining(clock::now()) > REFRESH_WINDOW);
    if !fresh {
        let signer = Signer {
            env,
            sdk: crate::sdk::shared(env)?,
            endpoints,
            interactive: crate::tty::available(),
        };
        signer.access_token(target, None)?;
    }
    Ok(store.token_path(target))
}

impl Signer<'_> {
    fn oidc(&self, target: &SsoTarget) -> Oidc {
        Oidc::new(Rc::clone(&self.sdk), self.endpoints, &target.region)
    }

    /// The lock that serialises refreshes and sign-ins of one token across processes.
    fn lock(&self, target: &SsoTarget) -> Option<cache::Lock> {
        let key = cache::key(&["sso-token", &target.region, target.name()]);
        match Cache::new(&self.env.cache_dir()).lock(&key) {
            Ok(lock) => Some(lock),
            Err(e) => {
                log::warn(&format!(
                    "{e:#}; signing in without coordinating with other shells"
                ));
                None
            }
        }
    }

    /// An access token for `target`. `rejected` is a token the portal refused
    /// (revoked, signed out): it is not handed out again.
    pub fn access_token(&self, target: &SsoTarget, rejected: Option<&str>) -> Result<String> {
        let store = Store::new(self.env);
        let good = |t: &Token| {
            t.remaining(clock::now()) > REFRESH_WINDOW && Some(t.access_token.as_str()) != rejected
        };
        if let Some(t) = store.load(target).filter(good) {
            verbose!(
                "SSO: cached token for {} ({} left)",
                target.name(),
                clock::human(t.remaining(clock::now()))
            );
            return Ok(t.access_token);
        }
        let _lock = self.lock(target);
        let cached = store.load(target);
        if let Some(t) = cached.as_ref().filter(|t| good(t)) {
            verbose!(
                "SSO: another process renewed the token for {}",
                target.name()
            );
            return Ok(t.access_token.clone());
        }
        let mut refresh_failed = None;
        if let Some(t) = &cached {
            if t.refreshable(clock::now()) {
                match self.refresh(target, t) {
                    Ok(new) => {
                        store.save(target, &new)?;
                        return Ok(new.access_token);
                    }
                    Err(e) => {
                        verbose!(
                            "SSO: could not refresh the token for {}: {e:#}",
                            target.name()
                        );
                        refresh_failed = Some(format!("{e:#}"));
                    }
                }
            }
            // Not refreshed, but not expired: use it until it expires (botocore's rule).
            if t.remaining(clock::now()) > 0 && Some(t.access_token.as_str()) != rejected {
                return Ok(t.access_token.clone());
            }
        }
        let missing = match &cached {
            None => Missing::None,
            Some(t) if Some(t.access_token.as_str()) == rejected => Missing::Rejected,
            Some(_) => Missing::Expired,
        };
        if !self.interactive {
            let why = match missing {
                Missing::None => format!("you are not signed in to {}", target.name()),
                Missing::Expired => match &refresh_failed {
                    Some(e) => format!(
                        "the sign-in to {} has expired and refreshing it failed ({e})",
                        target.name()
                    ),
                    None => format!("the sign-in to {} has expired", target.name()),
                },
                Missing::Rejected => format!(
                    "the sign-in to {} is no longer valid (signed out or revoked)",
                    target.name()
                ),
            };
            bail!("{why}; run `{}`", target.login_command());
        }
        let token = login::login(
            &self.oidc(target),
            self.env,
            target,
            LoginOptions::default(),
        )?;
        Ok(token.access_token)
    }

    /// A new sign-in, whatever is cached (`hat sso login`), under the token's lock.
    pub fn login(&self, target: &SsoTarget, options: LoginOptions) -> Result<Token> {
        let _lock = self.lock(target);
        login::login(&self.oidc(target), self.env, target, options)
    }

    fn refresh(&self, target: &SsoTarget, old: &Token) -> Result<Token> {
        let (Some(id), Some(secret), Some(refresh)) =
            (&old.client_id, &old.client_secret, &old.refresh_token)
        else {
            bail!("the token cannot be refreshed");
        };
        verbose!("SSO: refreshing the token for {}", target.name());
        let new = self
            .oidc(target)
            .create_token(id, secret, Grant::Refresh(refresh))?;
        Ok(Token {
            start_url: target.start_url.clone(),
            region: target.region.clone(),
            access_token: new.access_token,
            expires_at: clock::now() + new.expires_in,
            client_id: old.client_id.clone(),
            client_secret: old.client_secret.clone(),
            registration_expires_at: old.registration_expires_at,
            // An answer without a new refresh token leaves the old one in force.
            refresh_token: new.refresh_token.or_else(|| old.refresh_token.clone()),
        })
    }
}
