//! `hat console` and `assume -c`: credentials (from [`session::open`], so the cache,
//! role chains and every other source work the same) → the console page asked for →
//! a sign-in URL → the browser, or the URL itself with `--url`.

use crate::chain::Chain;
use crate::cli::ConsoleArgs;
use crate::config::ConfigSet;
use crate::console::browser::{self, Browser};
use crate::console::partition::Partition;
use crate::console::services::{self, Target};
use crate::console::{self, Kind, Signin};
use crate::creds::Credentials;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::session::{self, Session};
use crate::settings::{self, ConsoleSettings};
use crate::{duration, log, region};
use anyhow::{Result, anyhow, bail};
use url::Url;

/// What to open, as typed.
#[derive(Debug, Default, Clone)]
pub struct Options<'a> {
    pub service: Option<&'a str>,
    pub destination: Option<&'a str>,
    pub browser_profile: Option<&'a str>,
    /// `-d`, as typed.
    pub duration: Option<&'a str>,
    /// `--url`: answer the URL instead of opening it.
    pub url_only: bool,
}

/// Whose credentials sign in.
pub struct Who<'a> {
    /// `None`: the credentials in the environment.
    pub profile: Option<&'a str>,
    pub chain: Option<&'a Chain>,
    pub credentials: &'a Credentials,
    pub region: Option<&'a str>,
}

impl<'a> From<&'a Session> for Who<'a> {
    fn from(session: &'a Session) -> Who<'a> {
        Who {
            profile: Some(&session.profile),
            chain: Some(&session.chain),
            credentials: &session.credentials,
            region: session.region.as_deref(),
        }
    }
}

pub fn run(args: &ConsoleArgs, env: &Env) -> Result<String> {
    log::set_verbose(args.verbose);
    if args.list_services {
        return Ok(services::table());
    }
    let config = crate::config::load(env)?;
    let options = Options {
        service: args.service.as_deref(),
        destination: args.destination.as_deref(),
        browser_profile: args.browser_profile.as_deref(),
        duration: args.duration.as_deref(),
        url_only: args.url,
    };
    let session_options = session::Options {
        region: args.region.clone(),
        duration: args.duration.clone(),
        mfa_token: args.mfa_token.clone(),
        no_cache: args.no_cache,
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
            let mut session_options = session_options;
            if precheck(&config, profile)? == DurationFor::ConsoleOnly {
                session_options.duration = None;
            }
            let session = session::open(&config, env, profile, &session_options)?;
            open(env, &config, &Who::from(&session), &options)?
        }
        (None, Some(creds)) => {
            let region = match &args.region {
                Some(r) => Some(region::expand(r)?),
                None => session::profile_region(&config, env, None),
            };
            let who = Who {
                profile: None,
                chain: None,
                credentials: &creds,
                region: region.as_deref(),
            };
            open(env, &config, &who, &options)?
        }
        (None, None) => unreachable!("a profile was found above"),
    };
    Ok(url.map(|u| format!("{u}\n")).unwrap_or_default())
}

/// Refuses a profile whose credentials could never sign in, before asking for them
/// (and for an MFA code), and says whether `-d` is for the credentials (a role) or
/// only for the console (keys used as they are, or exchanged by GetFederationToken).
/// Resolution errors are left for `session::open` to report.
pub fn precheck(config: &ConfigSet, profile: &str) -> Result<DurationFor> {
    let Ok(chain) = crate::resolve::resolve(config, profile) else {
        return Ok(DurationFor::Session);
    };
    console::check_chain(&chain)?;
    Ok(if chain.duration_is_console_only() {
        DurationFor::ConsoleOnly
    } else {
        DurationFor::Session
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationFor {
    /// The role session and the console session.
    Session,
    /// Only the console (or its federation token): STS is not asked for a session.
    ConsoleOnly,
}

/// Signs in and opens the browser; with `--url`, answers the sign-in URL instead.
pub fn open(
    env: &Env,
    config: &ConfigSet,
    who: &Who<'_>,
    options: &Options<'_>,
) -> Result<Option<Url>> {
    // A mistake in the settings file shows before any network call.
    let browser = if options.url_only {
        None
    } else {
        let settings = settings::load(env)?;
        let browser = browser::configured(env, &settings.console)?;
        Some((browser, settings.console))
    };
    let partition = Partition::detect(
        who.chain.and_then(Chain::role_arn),
        console::partition_region(who.chain, who.region),
    );
    let (destination, page) = destination(partition, who.region, options)?;
    let duration = options.duration.map(duration::parse).transpose()?;
    let endpoints = Endpoints::new(env, config, who.profile);
    let kind = console::kind(who.chain, who.credentials);
    if kind == Kind::LongTerm {
        log::info(&format!(
            "{} has long-term keys; asking STS for a federation token to open the console",
            label(who)
        ));
    }
    let url = console::signin_url(
        env,
        &Signin {
            profile: who.profile,
            credentials: who.credentials,
            kind,
            partition,
            destination: &destination,
            duration,
            region: who.region,
            endpoints: &endpoints,
        },
    )?;
    let Some((browser, console_settings)) = browser else {
        return Ok(Some(url));
    };
    launch(
        env,
        config,
        who,
        options,
        &browser,
        &console_settings,
        &url,
        &page,
    );
    Ok(None)
}

/// Opens the URL; when no browser can, prints it on stderr instead (the user asked to
/// be signed in, and can still be).
#[allow(clippy::too_many_arguments)]
fn launch(
    env: &Env,
    config: &ConfigSet,
    who: &Who<'_>,
    options: &Options<'_>,
    browser: &Browser,
    console_settings: &ConsoleSettings,
    url: &Url,
    page: &str,
) {
    let profile_name = who
        .profile
        .map(str::to_string)
        .or_else(|| env.get("HAT_PROFILE").map(str::to_string))
        .or_else(|| env.get("AWS_PROFILE").map(str::to_string))
        .unwrap_or_else(|| "environment".into());
    let section = who.profile.and_then(|p| config.profile(p));
    let target = browser::Target {
        profile: &profile_name,
        browser_profile: options.browser_profile,
        color: section.and_then(|s| s.get("granted_color")),
        icon: section.and_then(|s| s.get("granted_icon")),
    };
    match browser::open(env, console_settings, browser, &target, url) {
        Ok(how) => log::info(&format!(
            "opened the console ({page}) for {} in {how}",
            label(who)
        )),
        Err(e) => eprintln!(
            "hat: could not open a browser ({e:#}).\n\
             hat: open this sign-in URL yourself. It signs you in as {} for 15 minutes, so keep it to yourself:\n{url}",
            label(who)
        ),
    }
}

fn label(who: &Who<'_>) -> String {
    match who.profile {
        Some(p) => format!("profile `{p}`"),
        None => "the credentials in your environment".into(),
    }
}

/// The console URL to land on, and a few words about it for messages.
fn destination(
    partition: Partition,
    region: Option<&str>,
    options: &Options<'_>,
) -> Result<(Url, String)> {
    if let Some(text) = options.destination {
        let url = Url::parse(text).map_err(|e| {
            anyhow!("--destination {text} is not a URL ({e}); give a whole console URL, e.g. https://eu-west-1.console.aws.amazon.com/lambda/home")
        })?;
        if url.scheme() != "https" {
            bail!("--destination must be an https:// console URL, not {text}");
        }
        let page = url.host_str().unwrap_or_default().to_string();
        return Ok((url, page));
    }
    let target = match options.service {
        Some(name) => services::lookup(name)?,
        None => Target::Home,
    };
    if let Target::Unknown(name) = &target {
        log::warn(&format!(
            "hat does not know the service `{name}`; opening {name}/home on the console (`hat console --list-services` lists the shortcuts)"
        ));
    }
    let url = services::destination(partition, region, &target);
    let what = match &target {
        Target::Home => "home".to_string(),
        Target::Known(s) => s.title.to_string(),
        Target::Unknown(name) => name.clone(),
    };
    let page = match region {
        Some(r) if !matches!(&target, Target::Known(s) if s.global) => format!("{what}, {r}"),
        _ => what,
    };
    Ok((url, page))
}
