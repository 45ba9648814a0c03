//! Opening the sign-in URL: the system's default browser (the `webbrowser` crate, which
//! honours `$BROWSER`), or the browser named in `[console]` of hat's settings file.
//! Chromium-family browsers get one user-data directory per AWS profile under hat's
//! state directory, so accounts stay signed in side by side; Firefox can open the URL
//! in a container through Granted's extension. Exactly one URL is opened per call, and
//! the browser never inherits hat's stdout (the shell function is reading it).

use crate::env::Env;
use crate::settings::{self, ConsoleSettings};
use anyhow::{Context as _, Result, anyhow, bail};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Browser {
    /// The system's default browser, or `$BROWSER`.
    Default,
    Chromium(Family),
    Firefox {
        containers: bool,
    },
    Safari,
    /// A command template with `{url}` and `{profile}`.
    Custom(String),
}

/// Browsers that take `--user-data-dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Chrome,
    Chromium,
    Brave,
    Edge,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Chrome => "chrome",
            Family::Chromium => "chromium",
            Family::Brave => "brave",
            Family::Edge => "edge",
        }
    }

    /// Executables to look for on PATH, then the macOS application bundle.
    fn candidates(self) -> &'static [&'static str] {
        match self {
            Family::Chrome => &[
                "google-chrome",
                "google-chrome-stable",
                "chrome",
                "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
            ],
            Family::Chromium => &[
                "chromium",
                "chromium-browser",
                "/Applications/Chromium.app/Contents/MacOS/Chromium",
            ],
            Family::Brave => &[
                "brave-browser",
                "brave",
                "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser",
            ],
            Family::Edge => &[
                "microsoft-edge",
                "microsoft-edge-stable",
                "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
            ],
        }
    }
}

const FIREFOX: &[&str] = &[
    "firefox",
    "/Applications/Firefox.app/Contents/MacOS/firefox",
];

/// The browser `[console]` names (the default browser when it names none).
pub fn configured(env: &Env, console: &ConsoleSettings) -> Result<Browser> {
    let file = settings::path(env);
    let name = console.browser.as_deref().map(str::to_ascii_lowercase);
    Ok(match name.as_deref() {
        None | Some("default") => Browser::Default,
        Some("chrome" | "google-chrome") => Browser::Chromium(Family::Chrome),
        Some("chromium") => Browser::Chromium(Family::Chromium),
        Some("brave") => Browser::Chromium(Family::Brave),
        Some("edge" | "msedge") => Browser::Chromium(Family::Edge),
        Some("firefox") => Browser::Firefox {
            containers: console.firefox_containers.unwrap_or(false),
        },
        Some("safari") => Browser::Safari,
        Some("custom") => match &console.command {
            Some(command) if !command.trim().is_empty() => Browser::Custom(command.clone()),
            _ => bail!(
                "{}: [console] browser = \"custom\" needs a command, e.g. command = \"firefox -P {{profile}} {{url}}\"",
                file.display()
            ),
        },
        Some(other) => bail!(
            "{}: [console] browser = \"{other}\" is not a browser hat knows; use chrome, chromium, brave, edge, firefox, safari, custom (with command) or default",
            file.display()
        ),
    })
}

/// Who the console is for.
#[derive(Debug, Clone, Default)]
pub struct BrowserIdentity<'a> {
    /// The AWS profile: names the browser profile or the container.
    pub profile: &'a str,
    /// `--browser-profile` (or the profile's `granted_browser_profile`,
    /// `GRANTED_BROWSER_PROFILE`, `[console] browser_profile`): overrides the browser
    /// profile / container name.
    pub browser_profile: Option<&'a str>,
    /// Which of those named it, for messages.
    pub browser_profile_from: &'a str,
    /// `granted_color` / `granted_icon` of the profile, for Firefox containers.
    pub color: Option<&'a str>,
    pub icon: Option<&'a str>,
}

impl BrowserIdentity<'_> {
    fn name(&self) -> &str {
        self.browser_profile.unwrap_or(self.profile)
    }
}

/// A browser command line, worked out before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// A directory to create (0700) before launching.
    pub user_data_dir: Option<PathBuf>,
}

/// The command that opens `url` in `browser` for `target`; `None` for the default
/// browser, which the `webbrowser` crate finds.
pub fn plan(
    env: &Env,
    console: &ConsoleSettings,
    browser: &Browser,
    target: &BrowserIdentity<'_>,
    url: &Url,
) -> Result<Option<Launch>> {
    let url = url.as_str();
    let configured_path = console.browser_path.as_deref().map(|p| env.expand_tilde(p));
    let launch = match browser {
        Browser::Default => return Ok(None),
        Browser::Chromium(family) => {
            let program = match configured_path {
                Some(p) => p,
                None => find(env, family.candidates())
                    .ok_or_else(|| not_found(env, family.name(), family.candidates()))?,
            };
            let dir = env
                .state_dir()
                .join("browser-profiles")
                .join(family.name())
                .join(dir_name(target.name()));
            Launch {
                program,
                args: vec![
                    format!("--user-data-dir={}", dir.display()),
                    "--no-first-run".into(),
                    "--no-default-browser-check".into(),
                    url.to_string(),
                ],
                user_data_dir: Some(dir),
            }
        }
        Browser::Firefox { containers } => {
            let program = match configured_path {
                Some(p) => p,
                None => find(env, FIREFOX).ok_or_else(|| not_found(env, "firefox", FIREFOX))?,
            };
            let args = if *containers {
                vec!["--new-tab".into(), container_url(target, url)]
            } else if let Some(profile) = target.browser_profile {
                vec!["-P".into(), profile.into(), "--new-tab".into(), url.into()]
            } else {
                vec!["--new-tab".into(), url.into()]
            };
            Launch {
                program,
                args,
                user_data_dir: None,
            }
        }
        Browser::Safari => {
            if !cfg!(target_os = "macos") {
                bail!(
                    "Safari is only on macOS; pick another browser in [console] of {}",
                    settings::path(env).display()
                );
            }
            Launch {
                program: "/usr/bin/open".into(),
                args: vec!["-a".into(), "Safari".into(), url.into()],
                user_data_dir: None,
            }
        }
        Browser::Custom(template) => {
            let words = split_words(template).map_err(|e| {
                anyhow!("{}: [console] command: {e}", settings::path(env).display())
            })?;
            let mut has_url = false;
            let mut words: Vec<String> = words
                .into_iter()
                .map(|w| {
                    has_url |= w.contains("{url}");
                    w.replace("{profile}", target.name()).replace("{url}", url)
                })
                .collect();
            if !has_url {
                words.push(url.to_string());
            }
            let program = words.remove(0);
            let program = if program.contains('/') {
                env.expand_tilde(&program)
            } else {
                find(env, &[program.as_str()]).ok_or_else(|| {
                    anyhow!(
                        "`{program}` (the command in [console] of {}) is not on PATH",
                        settings::path(env).display()
                    )
                })?
            };
            Launch {
                program,
                args: words,
                user_data_dir: None,
            }
        }
    };
    Ok(Some(launch))
}

/// Opens `url`; answers how, for the message. An error means nothing was opened.
pub fn open(
    env: &Env,
    console: &ConsoleSettings,
    browser: &Browser,
    target: &BrowserIdentity<'_>,
    url: &Url,
) -> Result<String> {
    let Some(launch) = plan(env, console, browser, target, url)? else {
        if target.browser_profile.is_some() {
            crate::log::warn(&format!(
                "{} needs a browser named in [console] of {} (chrome, chromium, brave, edge, firefox or custom); opening the default browser",
                target.browser_profile_from,
                settings::path(env).display()
            ));
        }
        // A text browser runs in the foreground on hat's stdout, which the shell
        // function captures and evaluates: never let it draw there.
        if let Some(text) = text_browser(env)
            && !std::io::stdout().is_terminal()
        {
            bail!(
                "$BROWSER names a text browser ({text}), which cannot run while the shell function reads hat's output; run `hat console` directly for it"
            );
        }
        webbrowser::open(url.as_str()).map_err(|e| anyhow!("{e}"))?;
        return Ok("the default browser".into());
    };
    if let Some(dir) = &launch.user_data_dir {
        create_private_dir(dir)?;
    }
    Command::new(&launch.program)
        .args(&launch.args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("could not start {}", launch.program.display()))?;
    Ok(match &launch.user_data_dir {
        Some(dir) => format!(
            "{} (browser profile {})",
            launch.program.display(),
            dir.display()
        ),
        None => launch.program.display().to_string(),
    })
}

/// The text browser `$BROWSER` names, if any (the ones `webbrowser` runs in the
/// foreground).
fn text_browser(env: &Env) -> Option<String> {
    const TEXT: &[&str] = &[
        "lynx", "links", "links2", "elinks", "w3m", "eww", "netrik", "retawq", "curl",
    ];
    env.get("BROWSER")?.split(':').find_map(|entry| {
        let program = entry.split_whitespace().next()?;
        let name = Path::new(program).file_name()?.to_str()?;
        TEXT.contains(&name).then(|| name.to_string())
    })
}

/// Granted's container extension URL: `ext+granted-containers:name=…&url=…&color=…&icon=…`.
pub fn container_url(target: &BrowserIdentity<'_>, url: &str) -> String {
    let escape = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut out = format!(
        "ext+granted-containers:name={}&url={}",
        escape(target.name()),
        escape(url)
    );
    if let Some(color) = target.color {
        out.push_str(&format!("&color={}", escape(color)));
    }
    if let Some(icon) = target.icon {
        out.push_str(&format!("&icon={}", escape(icon)));
    }
    out
}

/// A profile name as one safe directory name.
fn dir_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.as_str() {
        "" | "." | ".." => "_".into(),
        _ => cleaned,
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    crate::fs::create_dir(dir).with_context(|| {
        format!(
            "could not create the browser profile directory {}",
            dir.display()
        )
    })
}

/// The first candidate that is an executable file: absolute paths as they are, names
/// on `PATH`.
fn find(env: &Env, candidates: &[&str]) -> Option<PathBuf> {
    let path = env.get("PATH").unwrap_or("");
    candidates.iter().find_map(|c| {
        if c.starts_with('/') {
            let p = PathBuf::from(c);
            return is_executable(&p).then_some(p);
        }
        path.split(':')
            .filter(|d| !d.is_empty())
            .map(|d| Path::new(d).join(c))
            .find(|p| is_executable(p))
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn not_found(env: &Env, name: &str, candidates: &[&str]) -> anyhow::Error {
    anyhow!(
        "{name} is not installed where hat looks ({}); set browser_path in [console] of {}",
        candidates.join(", "),
        settings::path(env).display()
    )
}

/// Splits a command template into words as a POSIX shell splits plain words and
/// quotes (shlex, as for credential_process lines), without running a shell: the URL
/// is substituted after splitting, so nothing in it is ever interpreted.
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    match shlex::split(text) {
        None => Err("a quote is not closed".into()),
        Some(words) if words.is_empty() => Err("the command is empty".into()),
        Some(words) => Ok(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(browser: &str) -> ConsoleSettings {
        ConsoleSettings {
            browser: Some(browser.into()),
            ..Default::default()
        }
    }

    #[test]
    fn known_browsers_and_mistakes() {
        let env = Env::from_pairs([("HOME", "/h")]);
        assert_eq!(
            configured(&env, &ConsoleSettings::default()).unwrap(),
            Browser::Default
        );
        assert_eq!(
            configured(&env, &settings("Brave")).unwrap(),
            Browser::Chromium(Family::Brave)
        );
        let e = configured(&env, &settings("chrom"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("/h/.config/hat/config.toml") && e.contains("chromium"),
            "{e}"
        );
        let e = configured(&env, &settings("custom"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs a command"), "{e}");
    }

    #[test]
    fn command_templates_split_like_a_shell_without_one() {
        assert_eq!(
            split_words(r#"'/Applications/My Browser' --profile="{profile}" a\ b {url}"#).unwrap(),
            [
                "/Applications/My Browser",
                "--profile={profile}",
                "a b",
                "{url}"
            ]
        );
        assert!(split_words("'open").is_err());
        assert!(split_words("   ").is_err());
    }

    #[test]
    fn container_urls_escape_the_sign_in_url() {
        let target = BrowserIdentity {
            profile: "prod admin",
            color: Some("red"),
            icon: Some("fingerprint"),
            ..Default::default()
        };
        assert_eq!(
            container_url(&target, "https://x/federation?Action=login&SigninToken=a+b"),
            "ext+granted-containers:name=prod+admin&url=https%3A%2F%2Fx%2Ffederation%3FAction%3Dlogin%26SigninToken%3Da%2Bb&color=red&icon=fingerprint"
        );
        let plain = BrowserIdentity {
            profile: "p",
            ..Default::default()
        };
        assert_eq!(
            container_url(&plain, "u"),
            "ext+granted-containers:name=p&url=u"
        );
    }

    #[test]
    fn text_browsers_in_browser_are_recognised() {
        let env = |b: &str| Env::from_pairs([("BROWSER", b)]);
        assert_eq!(
            text_browser(&env("/usr/bin/w3m %s")).as_deref(),
            Some("w3m")
        );
        assert_eq!(text_browser(&env("firefox:lynx")).as_deref(), Some("lynx"));
        assert_eq!(text_browser(&env("firefox")), None);
        assert_eq!(text_browser(&Env::default()), None);
    }

    #[test]
    fn profile_names_become_one_directory() {
        assert_eq!(dir_name("prod/admin"), "prod_admin");
        assert_eq!(dir_name(".."), "_");
        assert_eq!(dir_name("a.b-c_d"), "a.b-c_d");
    }

    #[test]
    fn custom_commands_get_the_url_once_even_without_the_placeholder() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("mybrowser");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let env = Env::from_pairs([("HOME", "/h"), ("PATH", dir.path().to_str().unwrap())]);
        let url = Url::parse("https://example.com/?a=1&b='$(x)'").unwrap();
        let target = BrowserIdentity {
            profile: "prod",
            ..Default::default()
        };
        let console = ConsoleSettings::default();
        let launch = plan(
            &env,
            &console,
            &Browser::Custom("mybrowser --p {profile}".into()),
            &target,
            &url,
        )
        .unwrap()
        .unwrap();
        assert_eq!(launch.program, exe);
        assert_eq!(launch.args, ["--p", "prod", url.as_str()]);
        let launch = plan(
            &env,
            &console,
            &Browser::Custom("mybrowser {url} x".into()),
            &target,
            &url,
        )
        .unwrap()
        .unwrap();
        assert_eq!(launch.args, [url.as_str(), "x"]);
        let e = plan(
            &env,
            &console,
            &Browser::Chromium(Family::Edge),
            &target,
            &url,
        )
        .unwrap_err();
        assert!(e.to_string().contains("browser_path"), "{e}");
    }
}
