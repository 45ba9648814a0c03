//! `hat console`: credentials (from [`session::open`], so the cache, role chains and
//! every other source work the same, or the ones in the environment) → the console
//! page asked for → a sign-in URL → the browser, or the URL itself with `--url`. The
//! work is [`crate::web_console::open`]'s, shared with `assume -c`.

use crate::cli::ConsoleArgs;
use crate::creds::Credentials;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::web_console::open::{self, DurationFor, Visit, Who};
use crate::web_console::services;
use crate::{duration, log, region, resolve, sdk, session};
use anyhow::{Result, bail};

pub fn run(args: &ConsoleArgs, env: &Env) -> Result<String> {
    log::set_verbose(args.verbose);
    if args.list_services {
        return Ok(services::table());
    }
    let config = crate::config::load(env)?;
    let duration = args.duration.as_deref().map(duration::parse).transpose()?;
    let visit = Visit {
        service: args.service.as_deref(),
        destination: args.destination.as_deref(),
        browser_profile: args.browser_profile.as_deref(),
        duration,
        url_only: args.url,
    };
    let from_env = Credentials::from_env(env);
    let profile = match (&args.profile, &from_env) {
        (Some(p), _) => Some(p.as_str()),
        (None, Some(_)) => None,
        (None, None) => match env.get("AWS_PROFILE") {
            Some(p) => Some(p),
            None => bail!(
                "no credentials in this shell: name a profile (`hat console PROFILE`), or run `assume PROFILE` first"
            ),
        },
    };
    let url = match (profile, from_env) {
        (Some(profile), _) => {
            let chain = resolve::resolve(&config, profile)?;
            let session_options = session::SessionOptions {
                region: args.region.clone(),
                duration: match open::precheck(&chain)? {
                    DurationFor::ConsoleOnly => None,
                    DurationFor::Session => duration,
                },
                mfa_token: args.mfa_token.clone(),
                no_cache: args.no_cache,
                ..session::SessionOptions::default()
            };
            let session =
                session::open_chain(&config, env, chain, Some(profile), &session_options)?;
            open::open(
                env,
                &config,
                &sdk::shared(env)?,
                &Who::from(&session),
                &visit,
            )?
        }
        (None, Some(creds)) => {
            let region = match &args.region {
                Some(r) => Some(region::expand(r)?),
                None => session::profile_region(&config, env, None),
            };
            let endpoints = Endpoints::new(env, &config, None);
            let who = Who {
                profile: None,
                chain: None,
                credentials: &creds,
                region: region.as_deref(),
                endpoints: &endpoints,
            };
            open::open(env, &config, &sdk::shared(env)?, &who, &visit)?
        }
        (None, None) => unreachable!("a profile was found above"),
    };
    Ok(url.map(|u| format!("{u}\n")).unwrap_or_default())
}
