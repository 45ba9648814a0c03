//! `hat cache list|clear [PROFILE]`: hat's cached credentials as a person sees them
//! (which profile each entry is for, how long it has left, never a secret), and
//! removing one profile's entry or the whole cache, as aws-vault's `clear` does.

use crate::cache::{Cache, Cached};
use crate::cli::{CacheArgs, CacheCommand};
use crate::clock;
use crate::config::ConfigSet;
use crate::env::Env;
use crate::{log, session};
use anyhow::Result;
use std::collections::HashMap;
use std::fmt::Write as _;

pub fn run(args: &CacheArgs, env: &Env) -> Result<String> {
    let cache = Cache::new(&env.cache_dir());
    match &args.command {
        CacheCommand::List { profile } => list(&cache, env, profile.as_deref()),
        CacheCommand::Clear { profile: None } => {
            let removed = cache.clear()?;
            log::info(&format!(
                "removed {removed} cached {} from {}",
                plural(removed, "credential", "credentials"),
                cache.dir().display()
            ));
            Ok(String::new())
        }
        CacheCommand::Clear {
            profile: Some(profile),
        } => clear_profile(&cache, env, profile),
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Which profile each cache key is a step of (the step's own profile), for every
/// profile or for `only`'s chain.
fn owners(config: &ConfigSet, env: &Env, only: Option<&str>) -> Result<HashMap<String, String>> {
    let mut owners = HashMap::new();
    match only {
        Some(profile) => {
            for (step, key) in session::cache_keys(config, env, profile)? {
                owners.insert(key, step);
            }
        }
        None => {
            for profile in config.profile_names() {
                // A profile that does not resolve has no entries to name.
                if let Ok(keys) = session::cache_keys(config, env, profile) {
                    for (step, key) in keys {
                        owners.entry(key).or_insert(step);
                    }
                }
            }
        }
    }
    Ok(owners)
}

fn list(cache: &Cache, env: &Env, only: Option<&str>) -> Result<String> {
    let config = ConfigSet::load(env)?;
    let owners = owners(&config, env, only)?;
    let now = clock::now();
    let entries: Vec<Cached> = cache
        .entries()
        .into_iter()
        .filter(|e| only.is_none() || owners.contains_key(&e.key))
        .collect();
    if entries.is_empty() {
        log::info(&match only {
            Some(p) => format!("nothing is cached for profile `{p}`"),
            None => format!("the cache in {} is empty", cache.dir().display()),
        });
        return Ok(String::new());
    }
    let rows: Vec<[String; 4]> = entries
        .iter()
        .map(|e| {
            let profile = owners.get(&e.key).cloned().unwrap_or_else(|| "-".into());
            let (expires, left) = match e.credentials.as_ref().map(|c| c.expiration) {
                None => ("-".into(), "unreadable".into()),
                Some(None) => ("-".into(), "no expiry".into()),
                Some(Some(at)) if at <= now => (clock::to_rfc3339(at), "expired".into()),
                Some(Some(at)) => (clock::to_rfc3339(at), clock::human(at - now)),
            };
            [
                profile,
                expires,
                left,
                e.key[..e.key.len().min(12)].to_string(),
            ]
        })
        .collect();
    let header = ["PROFILE", "EXPIRES", "LEFT", "ENTRY"].map(String::from);
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .chain([&header])
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in [&header].into_iter().chain(&rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    Ok(out)
}

fn clear_profile(cache: &Cache, env: &Env, profile: &str) -> Result<String> {
    let config = ConfigSet::load(env)?;
    let keys = session::cache_keys(&config, env, profile)?;
    let Some((owner, key)) = keys.last().filter(|(owner, _)| owner == profile) else {
        log::info(&format!(
            "profile `{profile}` uses its credentials as they are; hat caches nothing for it"
        ));
        return Ok(String::new());
    };
    let had = cache.entries().iter().any(|e| &e.key == key);
    cache.remove(key)?;
    log::info(&if had {
        format!("removed the cached credentials of profile `{owner}`; the next assume asks again")
    } else {
        format!("nothing was cached for profile `{owner}`")
    });
    Ok(String::new())
}
