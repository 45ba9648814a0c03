//! Role credentials from IAM Identity Center: an access token for the profile's
//! sign-in ([`crate::sso::session`]), then the portal's GetRoleCredentials. Called
//! inside `fetch_once`, so the answer is cached like an assumed role's and a second
//! assume reads neither the network nor the token.

use crate::cache::Cache;
use crate::chain::SsoTarget;
use crate::creds::Credentials;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::sdk::{self, Sdk};
use crate::sso::portal::Portal;
use crate::sso::session::Signer;
use crate::verbose;
use anyhow::{Result, anyhow, bail};
use std::rc::Rc;

pub struct Role<'a> {
    pub profile: &'a str,
    pub target: SsoTarget,
    pub account_id: &'a str,
    pub role_name: &'a str,
}

pub fn role_credentials(
    sdk: Rc<Sdk>,
    env: &Env,
    endpoints: &Endpoints,
    role: &Role<'_>,
) -> Result<Credentials> {
    let signer = Signer {
        env,
        sdk: Rc::clone(&sdk),
        endpoints,
        interactive: crate::tty::available(),
    };
    let portal = Portal::new(&sdk, endpoints, &role.target.region, sdk::retry());
    let mut token = signer.access_token(&role.target, None)?;
    let mut retried = false;
    loop {
        verbose!(
            "profile {}: GetRoleCredentials {} in account {}",
            role.profile,
            role.role_name,
            role.account_id
        );
        match sdk.block_on(portal.role_credentials(&token, role.account_id, role.role_name)) {
            Ok(creds) => return Ok(creds),
            // Signed out or revoked: sign in again (or say how), once.
            Err(e) if e.is_unauthorized() && !retried => {
                verbose!(
                    "profile {}: the portal refused the token: {e}",
                    role.profile
                );
                token = signer.access_token(&role.target, Some(&token))?;
                retried = true;
            }
            Err(e) if e.is("ForbiddenException") || e.is("ResourceNotFoundException") => bail!(
                "no access to role {} in account {} (profile `{}`); run `hat sso populate --prune` to update the generated profiles, or ask your administrator for the assignment",
                role.role_name,
                role.account_id,
                role.profile
            ),
            Err(e) => {
                return Err(anyhow!(
                    "could not get the credentials of profile `{}` from IAM Identity Center: {e}",
                    role.profile
                ));
            }
        }
    }
}

/// The list of cache entries that hold SSO role credentials (`START_URL<TAB>KEY` per
/// line), so `hat sso logout` can delete them as the AWS CLI does.
fn index(env: &Env) -> std::path::PathBuf {
    env.cache_dir().join("sso-role-credentials")
}

/// Records that cache entry `key` holds role credentials from `start_url`'s sign-in.
pub fn note_cached(env: &Env, start_url: &str, key: &str) {
    let path = index(env);
    let line = format!("{start_url}\t{key}\n");
    let known = std::fs::read_to_string(&path).unwrap_or_default();
    if known.contains(&line) {
        return;
    }
    // Best effort: without the line, `hat sso logout` leaves this entry to expire.
    if let Err(e) = crate::fs::append(&path, line) {
        verbose!("could not note the cached SSO role credentials: {e:#}");
    }
}

/// Deletes the cached role credentials of the sign-ins for which `signed_out` says
/// yes; returns how many entries went.
pub fn forget_cached(env: &Env, signed_out: impl Fn(&str) -> bool) -> Result<usize> {
    let path = index(env);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(0);
    };
    let cache = Cache::new(&env.cache_dir());
    let mut kept = String::new();
    let mut removed = 0;
    for line in text.lines() {
        match line.split_once('\t') {
            Some((url, key)) if signed_out(url) => {
                cache.remove(key)?;
                removed += 1;
            }
            Some(_) => {
                kept.push_str(line);
                kept.push('\n');
            }
            None => {}
        }
    }
    if kept.is_empty() {
        let _ = std::fs::remove_file(&path);
    } else {
        crate::fs::write(&path, &kept)?;
    }
    Ok(removed)
}
