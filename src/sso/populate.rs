//! `hat sso populate`: one profile per account and role the sign-in reaches, written
//! into one marked block of `~/.aws/config` that hat owns. The listing is paged, runs
//! a bounded number of requests at once, and backs off with jitter when the portal
//! throttles; nothing is written unless all of it succeeded. Everything outside the
//! block is kept byte for byte, and the block is rendered in a fixed order, so a
//! second run with the same access changes no byte.

use super::portal::{Account, CallError, Portal};
use crate::chain::SsoTarget;
use crate::config::{ConfigSet, edit};
use crate::log;
use anyhow::{Result, anyhow};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// ListAccountRoles calls in flight at once: fast, and gentle enough that a large
/// organisation is throttled only now and then.
const CONCURRENCY: usize = 16;
/// Attempts per request when throttled or failing with 5xx.
const ATTEMPTS: u32 = 10;

pub struct PopulateOptions<'a> {
    pub template: &'a str,
    pub region: &'a str,
    pub prune: bool,
}

/// One generated profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRole {
    pub account_id: String,
    pub account_name: String,
    pub role_name: String,
}

/// Every (account, role) the token reaches, sorted by account name, id and role.
pub async fn list(portal: &Portal, token: &str) -> Result<Vec<AccountRole>, CallError> {
    let mut accounts: Vec<Account> = Vec::new();
    let mut next = None;
    loop {
        let (page, more) = retrying(|| portal.accounts_page(token, next.clone())).await?;
        accounts.extend(page);
        match more {
            Some(n) if !n.is_empty() => next = Some(n),
            _ => break,
        }
    }
    let bar = progress(accounts.len() as u64);
    let names: BTreeMap<String, String> = accounts
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let queue = Arc::new(Mutex::new(
        accounts
            .into_iter()
            .map(|a| a.id)
            .collect::<VecDeque<String>>(),
    ));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (queue, portal, token, bar) = (
            Arc::clone(&queue),
            portal.clone(),
            token.to_string(),
            bar.clone(),
        );
        workers.spawn(async move {
            let mut found: Vec<(String, String)> = Vec::new();
            loop {
                let Some(account) = queue.lock().expect("not poisoned").pop_front() else {
                    return Ok::<_, CallError>(found);
                };
                let mut next = None;
                loop {
                    let (roles, more) =
                        retrying(|| portal.roles_page(&token, &account, next.clone())).await?;
                    found.extend(roles.into_iter().map(|r| (account.clone(), r)));
                    match more {
                        Some(n) if !n.is_empty() => next = Some(n),
                        _ => break,
                    }
                }
                bar.inc(1);
            }
        });
    }
    let mut pairs = Vec::new();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok(found)) => pairs.extend(found),
            Ok(Err(e)) => {
                workers.abort_all();
                bar.finish_and_clear();
                return Err(e);
            }
            Err(e) => {
                bar.finish_and_clear();
                return Err(CallError {
                    code: None,
                    status: None,
                    message: format!("a listing task failed: {e}"),
                });
            }
        }
    }
    bar.finish_and_clear();
    let mut entries: Vec<AccountRole> = pairs
        .into_iter()
        .map(|(account_id, role_name)| AccountRole {
            account_name: names.get(&account_id).cloned().unwrap_or_default(),
            account_id,
            role_name,
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.account_name, &a.account_id, &a.role_name).cmp(&(
            &b.account_name,
            &b.account_id,
            &b.role_name,
        ))
    });
    entries.dedup();
    Ok(entries)
}

fn progress(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("listing roles {bar:30} {pos}/{len} accounts")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Runs `call` again after a jittered, growing pause while it is throttled or 5xx.
async fn retrying<T, F, Fut>(mut call: F) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CallError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Err(e) if e.is_transient() && attempt + 1 < ATTEMPTS => {
                // Full jitter: anywhere up to 50 ms, 100 ms, ... capped at 2 s.
                let cap = (50u64 << attempt.min(6)).min(2000);
                let pause = jitter(cap);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn jitter(cap_ms: u64) -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes) % (cap_ms + 1)
}

/// The block's marker lines for one sign-in.
pub fn markers(target: &SsoTarget) -> (String, String) {
    (
        format!(
            "# BEGIN hat sso populate {} (generated: edits inside are replaced)",
            target.name()
        ),
        format!("# END hat sso populate {}", target.name()),
    )
}

/// What a run changes: the new file text and counts for the summary.
pub struct Outcome {
    pub text: String,
    pub written: usize,
    pub added: usize,
    pub removed: usize,
    pub skipped: Vec<String>,
}

/// The config file's new text with `entries` in this sign-in's block.
pub fn render(
    config_path: &Path,
    text: &str,
    target: &SsoTarget,
    entries: &[AccountRole],
    options: &PopulateOptions<'_>,
) -> Result<Outcome> {
    let (begin, end) = markers(target);
    let old_block = edit::read_block(text, &begin, &end).unwrap_or("");
    let parse = |t: &str| {
        ConfigSet::from_texts(config_path, t, Path::new(""), "")
            .map_err(|e| anyhow!("could not read {}: {e}", config_path.display()))
    };
    let old = parse(old_block)?;
    let outside = parse(&edit::replace_block(text, &begin, &end, ""))?;

    // name -> keys, in the order they are written.
    let mut profiles: BTreeMap<String, Vec<(&'static str, String)>> = BTreeMap::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let base = profile_name(options.template, entry, target);
        // Two roles whose names come out the same (a template without {role_name},
        // names that differ only in characters sanitised away): add the account id,
        // then a counter.
        let mut name = base.clone();
        let mut n = 1;
        while profiles.contains_key(&name) {
            name = if n == 1 {
                format!("{base}-{}", entry.account_id)
            } else {
                format!("{base}-{}-{n}", entry.account_id)
            };
            n += 1;
        }
        if outside.profile(&name).is_some() {
            skipped.push(name);
            continue;
        }
        profiles.insert(name, keys(target, entry, options.region));
    }
    let mut removed = 0;
    for name in old.profile_names() {
        if profiles.contains_key(name) || outside.profile(name).is_some() {
            continue;
        }
        if options.prune {
            removed += 1;
            continue;
        }
        // Kept as it was: the role may only be hidden for a while.
        let section = old.profile(name).expect("listed");
        let kept = [
            "sso_session",
            "sso_start_url",
            "sso_region",
            "sso_account_id",
            "sso_role_name",
            "region",
        ]
        .iter()
        .filter_map(|k| section.get(k).map(|v| (*k, v.to_string())))
        .collect();
        profiles.insert(name.to_string(), kept);
    }
    let added = profiles.keys().filter(|n| old.profile(n).is_none()).count();
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut body = String::new();
    for (i, (name, keys)) in profiles.iter().enumerate() {
        if i > 0 {
            body.push_str(nl);
        }
        body.push_str(&format!("[profile {name}]{nl}"));
        for (key, value) in keys {
            body.push_str(&format!("{key} = {value}{nl}"));
        }
    }
    Ok(Outcome {
        text: edit::replace_block(text, &begin, &end, &body),
        written: profiles.len(),
        added,
        removed,
        skipped,
    })
}

fn keys(target: &SsoTarget, entry: &AccountRole, region: &str) -> Vec<(&'static str, String)> {
    let mut keys = match &target.session {
        Some(session) => vec![("sso_session", session.clone())],
        None => vec![
            ("sso_start_url", target.start_url.clone()),
            ("sso_region", target.region.clone()),
        ],
    };
    keys.push(("sso_account_id", entry.account_id.clone()));
    keys.push(("sso_role_name", entry.role_name.clone()));
    keys.push(("region", region.to_string()));
    keys
}

/// `assume --sso ... --save-to NAME` (Granted's ad-hoc SSO role saved as a profile):
/// `[profile NAME]` with the role's sign-in, account, role and region, replacing a
/// profile of that name whole (as Granted does) and keeping every other byte. Granted
/// writes `granted_sso_*` keys and a `credential_process = granted ...` line, since it
/// keeps its tokens in its own keychain; hat's tokens are the AWS CLI's, so the
/// profile gets the keys the AWS CLI and the SDKs read themselves.
pub fn save_profile(
    text: &str,
    name: &str,
    target: &SsoTarget,
    account_id: &str,
    role_name: &str,
    region: &str,
) -> String {
    let header = format!("profile {name}");
    let entry = AccountRole {
        account_id: account_id.to_string(),
        account_name: String::new(),
        role_name: role_name.to_string(),
    };
    let keys = keys(target, &entry, region);
    let pairs: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (*k, v.as_str())).collect();
    edit::set_keys(&edit::remove_section(text, &header), &header, &pairs)
}

/// Refuses a `--save-to` name that would not read back as the same profile.
/// The profile files' own rule ([`crate::config::is_identifier`]), and not `default`.
pub fn check_profile_name(name: &str) -> Result<()> {
    if !crate::config::is_identifier(name) || name == "default" {
        anyhow::bail!(
            "--save-to `{name}` is not a name hat saves a profile under: use letters, digits and -_/.%@:+ (and not `default`)"
        );
    }
    Ok(())
}

/// The template filled in and made a valid profile name: letters, digits and
/// `-_./+@:` kept, runs of anything else (spaces, brackets, `#`) become one `-`.
pub fn profile_name(template: &str, entry: &AccountRole, target: &SsoTarget) -> String {
    let account_name = if entry.account_name.is_empty() {
        &entry.account_id
    } else {
        &entry.account_name
    };
    let filled = template
        .replace("{account_name}", account_name)
        .replace("{account_id}", &entry.account_id)
        .replace("{role_name}", &entry.role_name)
        .replace("{session}", target.name());
    let mut out = String::with_capacity(filled.len());
    for c in filled.chars() {
        if c.is_alphanumeric() || "-_./+@:".contains(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        format!("{}-{}", entry.account_id, entry.role_name)
    } else {
        trimmed.to_string()
    }
}

/// Says what a run did, on stderr.
pub fn summarise(outcome: &Outcome, target: &SsoTarget, changed: bool, dry_run: bool) {
    for name in &outcome.skipped {
        log::warn(&format!(
            "profile `{name}` is already defined outside hat's block; it was left alone and not generated"
        ));
    }
    let verb = if dry_run { "would write" } else { "wrote" };
    if !changed {
        log::info(&format!(
            "{} profiles for {} are up to date; nothing changed",
            outcome.written,
            target.name()
        ));
    } else {
        log::info(&format!(
            "{verb} {} profiles for {} ({} new, {} removed)",
            outcome.written,
            target.name(),
            outcome.added,
            outcome.removed
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> SsoTarget {
        SsoTarget {
            session: Some("corp".into()),
            start_url: "https://corp/start".into(),
            region: "eu-west-1".into(),
            scopes: None,
        }
    }

    fn entry(id: &str, name: &str, role: &str) -> AccountRole {
        AccountRole {
            account_id: id.into(),
            account_name: name.into(),
            role_name: role.into(),
        }
    }

    const OPTS: PopulateOptions<'static> = PopulateOptions {
        template: "{account_name}/{role_name}",
        region: "eu-west-1",
        prune: false,
    };

    #[test]
    fn names_are_sanitised() {
        let e = entry("1", "Prod [EU] #1", "Admin Access");
        assert_eq!(
            profile_name(OPTS.template, &e, &target()),
            "Prod-EU-1/Admin-Access"
        );
        assert_eq!(
            profile_name("{account_id}-{role_name}", &e, &target()),
            "1-Admin-Access"
        );
    }

    #[test]
    fn the_block_is_replaced_and_the_rest_kept_byte_for_byte() {
        let user = "# mine\n[profile me]\nregion = x\n\n; note\n";
        let entries = vec![entry("1", "a", "R"), entry("2", "b", "R")];
        let p = Path::new("cfg");
        let first = render(p, user, &target(), &entries, &OPTS).unwrap();
        assert!(first.text.starts_with(user));
        assert_eq!(first.written, 2);
        let again = render(p, &first.text, &target(), &entries, &OPTS).unwrap();
        assert_eq!(again.text, first.text);
        // A role that went away is kept unless pruned.
        let fewer = vec![entry("1", "a", "R")];
        let kept = render(p, &first.text, &target(), &fewer, &OPTS).unwrap();
        assert_eq!(kept.text, first.text);
        let prune = PopulateOptions {
            prune: true,
            ..OPTS
        };
        let pruned = render(p, &first.text, &target(), &fewer, &prune).unwrap();
        assert_eq!(pruned.removed, 1);
        assert!(!pruned.text.contains("[profile b/R]") && pruned.text.starts_with(user));
        // A name the user already has outside the block is not generated.
        let clash = render(p, "[profile a/R]\nregion = y\n", &target(), &entries, &OPTS).unwrap();
        assert_eq!(clash.skipped, ["a/R"]);
        // Names that come out the same are told apart, never overwritten.
        let same = vec![
            entry("1", "a", "R1"),
            entry("1", "a", "R2"),
            entry("2", "a", "R3"),
        ];
        let by_account = PopulateOptions {
            template: "{account_name}",
            ..OPTS
        };
        let out = render(p, "", &target(), &same, &by_account).unwrap();
        assert_eq!(out.written, 3);
        for name in ["[profile a]", "[profile a-1]", "[profile a-2]"] {
            assert!(out.text.contains(name), "{name} in {}", out.text);
        }
    }
}
