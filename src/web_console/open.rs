//! Opening the console for credentials a command already has: the checks made before
//! any credentials are fetched ([`precheck`]), then the page, the sign-in URL and the
//! browser ([`open`]). `hat console` and `assume -c` both call these, so they refuse,
//! sign in and open in the same way.

use crate::chain::Chain;
use crate::config::ConfigSet;
use crate::creds::Credentials;
use crate::endpoint::Endpoints;
use crate::env::Env;
use crate::log;
use crate::sdk::Sdk;
use crate::session::Session;
use crate::settings::{self, ConsoleSettings};
use crate::web_console::browser::{self, Browser};
use crate::web_console::partition::Partition;
use crate::web_console::services::{self, Page};
use crate::web_console::{self, Kind, Signin};
use anyhow::{Result, anyhow, bail};
use std::rc::Rc;
use url::Url;

/// What to open, as the user asked for it.
#[derive(Debug, Default, Clone)]
pub struct Visit<'a> {
    pub service: Option<&'a str>,
    pub destination: Option<&'a str>,
    pub browser_profile: Option<&'a str>,
    /// `-d`, parsed: the console session's length.
    pub duration: Option<u32>,
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
    /// The profile's endpoints (GetFederationToken goes to its STS endpoint).
    pub endpoints: &'a Endpoints,
}

impl<'a> From<&'a Session> for Who<'a> {
    fn from(session: &'a Session) -> Who<'a> {
        Who {
            profile: Some(&session.profile),
            chain: Some(&session.chain),
            credentials: &session.credentials,
            region: session.region.as_deref(),
            endpoints: &session.endpoints,
        }
    }
}

/// Refuses a chain whose credentials could never sign in, before asking for them
/// (and for an MFA code), and says whether `-d` is for the credentials (a role) or
/// only for the console (keys used as they are, or exchanged by GetFederationToken).
pub fn precheck(chain: &Chain) -> Result<DurationFor> {
    web_console::check_chain(chain)?;
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
/// Network calls run on `sdk`, the runtime the credentials were fetched on.
pub fn open(
    env: &Env,
    config: &ConfigSet,
    sdk: &Rc<Sdk>,
    who: &Who<'_>,
    visit: &Visit<'_>,
) -> Result<Option<Url>> {
    // A mistake in the settings file shows before any network call.
    let browser = if visit.url_only {
        None
    } else {
        let settings = settings::load(env)?;
        let browser = browser::configured(env, &settings.console)?;
        Some((browser, settings.console))
    };
    let partition = Partition::detect(
        who.chain.and_then(Chain::role_arn),
        web_console::partition_region(who.chain, who.region),
    );
    let (destination, page) = destination(partition, who.region, visit)?;
    let kind = web_console::kind(who.chain, who.credentials);
    if kind == Kind::LongTerm {
        log::info(&format!(
            "{} has long-term keys; asking STS for a federation token to open the console",
            label(who)
        ));
    }
    let url = web_console::signin_url(
        env,
        sdk,
        &Signin {
            profile: who.profile,
            credentials: who.credentials,
            kind,
            partition,
            destination: &destination,
            duration: visit.duration,
            region: who.region,
            endpoints: who.endpoints,
        },
    )?;
    let Some((browser, console_settings)) = browser else {
        return Ok(Some(url));
    };
    let opened = Opened {
        page: &page,
        browser: &browser,
        settings: &console_settings,
    };
    launch(env, config, who, visit, &opened, &url);
    Ok(None)
}

/// The browser chosen and what it is to show.
struct Opened<'a> {
    page: &'a str,
    browser: &'a Browser,
    settings: &'a ConsoleSettings,
}

/// Opens the URL; when no browser can, prints it on stderr instead (the user asked to
/// be signed in, and can still be).
fn launch(
    env: &Env,
    config: &ConfigSet,
    who: &Who<'_>,
    visit: &Visit<'_>,
    opened: &Opened<'_>,
    url: &Url,
) {
    let profile_name = who
        .profile
        .map(str::to_string)
        .or_else(|| env.get("HAT_PROFILE").map(str::to_string))
        .or_else(|| env.get("AWS_PROFILE").map(str::to_string))
        .unwrap_or_else(|| "environment".into());
    let section = who.profile.and_then(|p| config.profile(p));
    // The flag, then the profile's own choice, then Granted's variable (the flag's
    // twin in Granted), then the settings' default.
    let chosen = visit
        .browser_profile
        .map(|b| (b, "--browser-profile"))
        .or_else(|| {
            section
                .and_then(|s| s.get("granted_browser_profile"))
                .map(|b| (b, "granted_browser_profile"))
        })
        .or_else(|| {
            env.get("GRANTED_BROWSER_PROFILE")
                .filter(|b| !b.is_empty())
                .map(|b| (b, "GRANTED_BROWSER_PROFILE"))
        })
        .or_else(|| {
            opened
                .settings
                .browser_profile
                .as_deref()
                .map(|b| (b, "browser_profile in [console]"))
        });
    let target = browser::BrowserIdentity {
        profile: &profile_name,
        browser_profile: chosen.map(|(b, _)| b),
        browser_profile_from: chosen.map_or("", |(_, from)| from),
        color: section.and_then(|s| s.get("granted_color")),
        icon: section.and_then(|s| s.get("granted_icon")),
    };
    match browser::open(env, opened.settings, opened.browser, &target, url) {
        Ok(how) => log::info(&format!(
            "opened the console ({}) for {} in {how}",
            opened.page,
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
    visit: &Visit<'_>,
) -> Result<(Url, String)> {
    if let Some(text) = visit.destination {
        let url = Url::parse(text).map_err(|e| {
            anyhow!("--destination {text} is not a URL ({e}); give a whole console URL, e.g. https://eu-west-1.console.aws.amazon.com/lambda/home")
        })?;
        if url.scheme() != "https" {
            bail!("--destination must be an https:// console URL, not {text}");
        }
        let page = url.host_str().unwrap_or_default().to_string();
        return Ok((url, page));
    }
    let target = match visit.service {
        Some(name) => services::lookup(name)?,
        None => Page::Home,
    };
    if let Page::Unknown(name) = &target {
        log::warn(&format!(
            "hat does not know the service `{name}`; opening {name}/home on the console (`hat console --list-services` lists the shortcuts)"
        ));
    }
    let url = services::destination(partition, region, &target);
    let what = match &target {
        Page::Home => "home".to_string(),
        Page::Known(s) => s.title.to_string(),
        Page::Unknown(name) => name.clone(),
    };
    let page = match region {
        Some(r) if !matches!(&target, Page::Known(s) if s.global) => format!("{what}, {r}"),
        _ => what,
    };
    Ok((url, page))
}
