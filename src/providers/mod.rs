//! The providers: one file per way of getting credentials, and the three parts that
//! put them together for a resolved [`Chain`]: [`plan`] (the steps, their cache keys
//! and durations, worked out without side effects), [`fetch`] (cache first, one lock,
//! re-read, fetch, store) and [`mfa`] (where MFA codes come from).

pub mod container;
pub mod fetch;
pub mod http;
pub mod imds;
pub mod keychain;
pub mod login;
pub mod mfa;
pub mod plan;
pub mod process;
pub mod sso;
pub mod sts;

use crate::cache::Cache;
use crate::chain::Chain;
use crate::clock;
use crate::creds::Credentials;
use crate::env::Env;
use anyhow::Result;

pub use plan::{MFA_SESSION_SECONDS, Request};

pub fn obtain(chain: &Chain, request: &Request, env: &Env) -> Result<Credentials> {
    fetch::Fetcher::new(request, env).obtain(chain)
}

/// The credentials `obtain` would answer from the cache alone, without any network,
/// prompt or lock: for marking profiles with good cached credentials in lists. Sources
/// that are not cached (long-term keys, a process, the environment) give `None`.
pub fn cached(chain: &Chain, request: &Request, env: &Env) -> Option<Credentials> {
    let plan = plan::plan(chain, request, env).ok()?;
    Cache::new(&env.cache_dir()).load(plan.final_key()?, clock::now())
}

/// The cache entries `obtain` reads and writes for `chain` (with no `-d`), oldest step
/// first, each with the profile whose step it is: the base's when its answer is cached,
/// then each role's. The last one is the profile's own. For `hat cache`.
pub fn cache_keys(chain: &Chain, request: &Request, env: &Env) -> Result<Vec<(String, String)>> {
    let plan = plan::plan(chain, request, env)?;
    let mut keys = Vec::with_capacity(plan.steps.len() + 1);
    if plan.base.cached {
        keys.push((chain.base.profile().to_string(), plan.base.key.clone()));
    }
    keys.extend(
        plan.steps
            .into_iter()
            .map(|s| (s.hop.profile.clone(), s.key)),
    );
    Ok(keys)
}
