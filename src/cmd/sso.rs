//! `hat sso login | logout | tokens | populate`: the IAM Identity Center commands.
//! Messages go to stderr; stdout carries only the answer (the token list, the
//! populate diff).

use crate::chain::SsoTarget;
use crate::cli::{
    SsoArgs, SsoCommand, SsoLoginArgs, SsoLogoutArgs, SsoPopulateArgs, SsoTargetArgs,
};
use crate::config::ConfigSet;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::sdk::Sdk;
use crate::sso::portal::Portal;
use crate::sso::session::Signer;
use crate::sso::token::{Store, sha1_hex};
use crate::sso::{self, login, populate};
use crate::{clock, log};
use anyhow::{Context, Result, anyhow, bail};
use aws_smithy_types::retry::RetryConfig;
use std::rc::Rc;

pub fn run(args: &SsoArgs, env: &Env) -> Result<String> {
    match &args.command {
        SsoCommand::Login(a) => login(a, env),
        SsoCommand::Logout(a) => logout(a, env),
        SsoCommand::Tokens => tokens(env),
        SsoCommand::Populate(a) => populate(a, env),
    }
}

/// The sign-in the arguments name; with none, the only sso-session there is.
pub fn target(config: &ConfigSet, args: &SsoTargetArgs) -> Result<SsoTarget> {
    if let Some(session) = &args.sso_session {
        return sso::config::session_target(config, session);
    }
    if let Some(name) = &args.profile {
        let Some(profile) = config.profile(name) else {
            let hint = crate::suggest::sentence(config.profile_names(), name).unwrap_or_default();
            bail!(
                "no profile named `{name}` in {}. {hint}",
                config.config_path.display()
            );
        };
        if !sso::config::is_sso_profile(profile) {
            bail!(
                "profile `{name}` does not sign in with IAM Identity Center: it has no sso_session or sso_start_url"
            );
        }
        return sso::config::profile_target(config, name, profile);
    }
    if let (Some(url), Some(region)) = (&args.sso_start_url, &args.sso_region) {
        return Ok(SsoTarget {
            session: None,
            start_url: url.clone(),
            region: region.clone(),
            scopes: None,
        });
    }
    let sessions: Vec<&str> = config.sso_session_names().collect();
    match sessions.as_slice() {
        [one] => sso::config::session_target(config, one),
        [] => bail!(
            "name the sign-in: --sso-session NAME (there is no [sso-session] in {}), --profile PROFILE, or --sso-start-url URL --sso-region REGION",
            config.config_path.display()
        ),
        many => bail!(
            "name the sign-in with --sso-session NAME; the sessions are {}",
            many.join(", ")
        ),
    }
}

fn login(args: &SsoLoginArgs, env: &Env) -> Result<String> {
    log::set_verbose(args.verbose);
    let config = crate::config::load(env)?;
    let target = target(&config, &args.target)?;
    let endpoints = Endpoints::new(env, &config, args.target.profile.as_deref());
    let signer = Signer {
        env,
        sdk: Rc::new(Sdk::for_env(env, &endpoints)?),
        endpoints: &endpoints,
        interactive: true,
    };
    signer.login(
        &target,
        login::LoginOptions {
            device_code: args.use_device_code,
        },
    )?;
    Ok(String::new())
}

/// The sso-session a token file belongs to, by its name (sha1 of the session name).
fn session_of(config: &ConfigSet, path: &std::path::Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    config
        .sso_session_names()
        .find(|name| sha1_hex(name.as_bytes()) == stem)
        .map(str::to_string)
}

fn logout(args: &SsoLogoutArgs, env: &Env) -> Result<String> {
    let config = crate::config::load(env)?;
    let store = Store::new(env);
    let mut tokens = store.all_tokens();
    if let Some(session) = &args.sso_session {
        let wanted = sso::config::session_target(&config, session)?;
        let path = store.token_path(&wanted);
        tokens.retain(|(p, _)| *p == path);
    }
    if tokens.is_empty() {
        log::info("no cached SSO tokens; nothing to sign out of");
        return Ok(String::new());
    }
    let endpoints = Endpoints::new(env, &config, None);
    let sdk = Sdk::for_env(env, &endpoints)?;
    let urls: Vec<String> = tokens.iter().map(|(_, t)| t.start_url.clone()).collect();
    for (path, token) in tokens {
        let name = session_of(&config, &path).unwrap_or_else(|| token.start_url.clone());
        if token.remaining(clock::now()) > 0 {
            let portal = Portal::new(&sdk, &endpoints, &token.region, crate::sdk::retry());
            if let Err(e) = sdk.block_on(portal.logout(&token.access_token)) {
                log::warn(&format!(
                    "could not revoke the sign-in to {name}: {e}; deleting it anyway"
                ));
            }
        }
        std::fs::remove_file(&path)
            .with_context(|| format!("could not delete {}", path.display()))?;
        log::info(&format!("signed out of {name}"));
    }
    // Role credentials from those sign-ins go too, as with `aws sso logout`.
    let removed = crate::providers::sso::forget_cached(env, |url| urls.iter().any(|u| u == url))?;
    if removed > 0 {
        log::info(&format!("deleted {removed} cached SSO role credentials"));
    }
    Ok(String::new())
}

fn tokens(env: &Env) -> Result<String> {
    let config = crate::config::load(env)?;
    let store = Store::new(env);
    let now = clock::now();
    let rows: Vec<[String; 4]> = store
        .all_tokens()
        .into_iter()
        .map(|(path, t)| {
            let name = session_of(&config, &path).unwrap_or_else(|| t.start_url.clone());
            let left = t.remaining(now);
            let expires = if left > 0 {
                format!("in {}", clock::human(left))
            } else {
                format!("expired {} ago", clock::human(-left))
            };
            let refresh = if t.refreshable(now) { "yes" } else { "no" };
            [name, t.region.clone(), expires, refresh.to_string()]
        })
        .collect();
    if rows.is_empty() {
        log::info(&format!(
            "no cached SSO tokens in {}; sign in with `hat sso login`",
            store.dir().display()
        ));
        return Ok(String::new());
    }
    let header = [
        "SESSION".to_string(),
        "REGION".into(),
        "EXPIRES".into(),
        "REFRESHABLE".into(),
    ];
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
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
        out.push_str(line.trim_end());
        out.push('\n');
    }
    Ok(out)
}

fn populate(args: &SsoPopulateArgs, env: &Env) -> Result<String> {
    log::set_verbose(args.verbose);
    let config = crate::config::load(env)?;
    let target = target(&config, &args.target)?;
    let endpoints = Endpoints::new(env, &config, args.target.profile.as_deref());
    let sdk = Rc::new(Sdk::for_env(env, &endpoints)?);
    let signer = Signer {
        env,
        sdk: Rc::clone(&sdk),
        endpoints: &endpoints,
        interactive: crate::tty::available(),
    };
    let token = signer.access_token(&target, None)?;
    // populate retries throttling itself, with jitter and more patience than one call.
    let portal = Portal::new(&sdk, &endpoints, &target.region, RetryConfig::disabled());
    let entries = sdk.block_on(populate::list(&portal, &token)).map_err(|e| {
        if e.is_unauthorized() {
            anyhow!(
                "the portal refused the sign-in to {}; run `{}`",
                target.name(),
                target.login_command()
            )
        } else {
            anyhow!("could not list your accounts and roles: {e}")
        }
    })?;
    let path = env.config_file();
    let old = crate::fs::read_or_empty(&path)?;
    let region = args.region.clone().unwrap_or_else(|| target.region.clone());
    let outcome = populate::render(
        &path,
        &old,
        &target,
        &entries,
        &populate::PopulateOptions {
            template: &args.template,
            region: &region,
            prune: args.prune,
        },
    )?;
    let changed = outcome.text != old;
    populate::summarise(&outcome, &target, changed, args.dry_run);
    if args.dry_run {
        return Ok(crate::diff::unified(&path, &old, &outcome.text));
    }
    if changed {
        crate::fs::write(&path, &outcome.text)?;
    }
    Ok(String::new())
}
