//! The providers: one file per way of getting credentials, and the three parts that
//! put them together for a resolved [`Chain`]: [`plan`] (the steps, their cache keys
//! and durations, worked out without side effects), [`fetch`] (cache first, one lock,
//! re-read, fetch, store) and [`mfa`] (where MFA codes come from).

pub mod container;
pub mod fetch;
pub mod http;
pub mod imds;
pub mod keychain;
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
