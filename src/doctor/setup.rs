//! What hat reaches beyond the AWS files: each SSO sign-in's token, the browser the
//! console would open, the key store, and endpoints the environment redirects.

use super::{Finding, show};
use crate::chain::SsoTarget as Target;
use crate::config::ConfigSet;
use crate::env::Env;
use crate::sso;
use crate::web_console::browser::{self, Browser};
use crate::{clock, keys, settings};

/// Every sign-in the files name: each `[sso-session]`, and each start URL of a profile
/// without one. A token is described by its state, never quoted.
pub fn check_sso(env: &Env, config: &ConfigSet) -> Vec<Finding> {
    const CHECK: &str = "sso";
    let mut targets: Vec<Target> = Vec::new();
    let mut findings = Vec::new();
    for name in config.sso_session_names() {
        match sso::config::session_target(config, name) {
            Ok(t) => targets.push(t),
            Err(e) => findings.push(Finding::fail(
                CHECK,
                format!("{e:#}"),
                "complete the section in the config file",
            )),
        }
    }
    for name in config.profile_names() {
        let Some(profile) = config.profile(name) else {
            continue;
        };
        if !sso::config::is_sso_profile(profile) || profile.get("sso_session").is_some() {
            continue;
        }
        match sso::config::profile_target(config, name, profile) {
            Ok(t)
                if !targets
                    .iter()
                    .any(|k| k.session.is_none() && k.start_url == t.start_url) =>
            {
                targets.push(t)
            }
            Ok(_) => {}
            Err(e) => findings.push(Finding::fail(
                CHECK,
                format!("{e:#}"),
                "complete the profile in the config file",
            )),
        }
    }
    let store = sso::token::Store::new(env);
    let now = clock::now();
    for target in &targets {
        let what = match &target.session {
            Some(s) => format!("sso-session {s}"),
            None => format!("start URL {}", target.start_url),
        };
        let login = target.login_command();
        let Some(token) = store.load(target) else {
            findings.push(Finding::note(
                CHECK,
                format!("{what}: not signed in"),
                Some(format!("`{login}` when you need it")),
            ));
            continue;
        };
        let left = token.remaining(now);
        let refreshable = token.refreshable(now);
        findings.push(match (left > 0, refreshable) {
            (true, true) => Finding::ok(
                CHECK,
                format!(
                    "{what}: signed in for {} more, and hat refreshes the token before then",
                    clock::human(left)
                ),
            ),
            (true, false) => Finding::ok(
                CHECK,
                format!(
                    "{what}: signed in for {} more; the token cannot be refreshed, so sign in again then",
                    clock::human(left)
                ),
            ),
            (false, true) => Finding::ok(
                CHECK,
                format!("{what}: the token expired; hat refreshes it on the next assume"),
            ),
            (false, false) => Finding::warn(
                CHECK,
                format!("{what}: the token expired and cannot be refreshed"),
                format!("sign in again: `{login}`"),
            ),
        });
    }
    if targets.is_empty() && findings.is_empty() {
        findings.push(Finding::ok(
            CHECK,
            "no IAM Identity Center sign-ins configured",
        ));
    }
    findings
}

pub fn check_browser(env: &Env) -> Finding {
    const CHECK: &str = "browser";
    let settings = match settings::load(env) {
        Ok(s) => s,
        Err(e) => {
            return Finding::fail(
                CHECK,
                format!("{e:#}"),
                format!("correct {}", show(env, &settings::path(env))),
            );
        }
    };
    let chosen = match browser::configured(env, &settings.console) {
        Ok(b) => b,
        Err(e) => return Finding::fail(CHECK, format!("{e:#}"), "correct [console] browser"),
    };
    let url = url::Url::parse("https://console.aws.amazon.com/").expect("a URL");
    let target = browser::BrowserIdentity {
        profile: "doctor",
        ..browser::BrowserIdentity::default()
    };
    match browser::plan(env, &settings.console, &chosen, &target, &url) {
        Err(e) => Finding::fail(
            CHECK,
            format!("{e:#}"),
            "install that browser, or set browser_path or another browser in [console]",
        ),
        Ok(Some(launch)) => Finding::ok(
            CHECK,
            format!("the console opens with {}", show(env, &launch.program)),
        ),
        Ok(None) => default_browser(env, &chosen),
    }
}

/// The default browser: `$BROWSER`, else the system's opener.
fn default_browser(env: &Env, _: &Browser) -> Finding {
    const CHECK: &str = "browser";
    if let Some(value) = env.get("BROWSER") {
        let first = value
            .split(':')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .next()
            .unwrap_or("");
        return match find_program(env, first) {
            Some(path) => Finding::ok(
                CHECK,
                format!("the console opens with $BROWSER ({})", show(env, &path)),
            ),
            None => Finding::fail(
                CHECK,
                format!("BROWSER is `{first}`, which is not a program on PATH"),
                "set BROWSER to a browser's command, or name one in [console] of hat's config.toml",
            ),
        };
    }
    let openers: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open", "gio", "gnome-open", "kde-open", "wslview"]
    };
    match openers.iter().find_map(|o| find_program(env, o)) {
        Some(path) => Finding::ok(
            CHECK,
            format!(
                "the console opens in the default browser ({})",
                show(env, &path)
            ),
        ),
        None => Finding::warn(
            CHECK,
            "no default browser opener (xdg-open) is installed, so `assume -c` cannot open the console",
            "set BROWSER, name a browser in [console] of hat's config.toml, or use `assume -c --url`",
        ),
    }
}

fn find_program(env: &Env, program: &str) -> Option<std::path::PathBuf> {
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        let path = env.expand_tilde(program);
        return path.is_file().then_some(path);
    }
    std::env::split_paths(env.get("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

pub fn check_keys(env: &Env) -> Finding {
    const CHECK: &str = "keys";
    let index = match keys::Index::load(env) {
        Ok(i) => i,
        Err(e) => return Finding::fail(CHECK, format!("{e:#}"), "see `hat keys list`"),
    };
    let stored = |backend: keys::Backend| {
        index
            .profiles
            .values()
            .filter(|e| e.backend == backend)
            .count()
    };
    let (in_keychain, in_file) = (stored(keys::Backend::Keychain), stored(keys::Backend::File));
    if in_file > 0 {
        let path = match keys::file::path(env) {
            Ok(p) => p,
            Err(e) => {
                return Finding::fail(CHECK, format!("{e:#}"), "correct [keys] in config.toml");
            }
        };
        if !path.is_file() {
            return Finding::fail(
                CHECK,
                format!(
                    "{in_file} profile(s) keep their keys in {}, which does not exist",
                    show(env, &path)
                ),
                "restore the file, or add the keys again with `hat keys add PROFILE`",
            );
        }
    }
    match keys::chosen_backend(env) {
        Ok(backend) => Finding::ok(
            CHECK,
            format!(
                "the {} key store answers ({} profile(s) stored)",
                backend.name(),
                in_keychain + in_file
            ),
        ),
        Err(e) if in_keychain > 0 => Finding::fail(
            CHECK,
            format!("{in_keychain} profile(s) keep keys in the keychain, but {e:#}"),
            "unlock or start the keychain (on Linux: a Secret Service such as gnome-keyring)",
        ),
        Err(_) => Finding::note(
            CHECK,
            "no keychain answers; only `hat keys` needs one",
            Some("HAT_KEYS_BACKEND=file keeps keys in an encrypted file instead".into()),
        ),
    }
}

/// Variables that send calls somewhere else than AWS's own endpoints.
const REDIRECTS: &[&str] = &[
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_EKS",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "HAT_FEDERATION_ENDPOINT",
    "AWS_CA_BUNDLE",
];

pub fn check_endpoints(env: &Env) -> Vec<Finding> {
    const CHECK: &str = "endpoints";
    let mut findings: Vec<Finding> = REDIRECTS
        .iter()
        .filter_map(|name| Some((name, env.get(name)?)))
        .map(|(name, value)| {
            Finding::note(
                CHECK,
                format!(
                    "{name} is set ({}): hat's calls follow it",
                    without_userinfo(value)
                ),
                Some(format!("unset {name} unless you mean it")),
            )
        })
        .collect();
    if env
        .get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        findings.push(Finding::note(
            CHECK,
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true: endpoint settings in the files and the environment are ignored",
            None,
        ));
    }
    if findings.is_empty() {
        findings.push(Finding::ok(
            CHECK,
            "AWS's own endpoints (no override in the environment)",
        ));
    }
    findings
}

/// A URL without any `user:password@`, query or fragment (they may carry secrets);
/// anything that is not a URL (a CA bundle's path) as it is.
fn without_userinfo(value: &str) -> String {
    match url::Url::parse(value) {
        Ok(mut u) if u.has_host() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        _ => value.to_string(),
    }
}
