//! hat's own settings file, `config.toml` in hat's config directory
//! (`$XDG_CONFIG_HOME/hat`, else `~/.config/hat`; `HAT_CONFIG_FILE` names another).
//! It is the user's file: hat writes it only when asked to record something there
//! (`hat registry add` and `remove`, `hat migrate`), through [`update`], which keeps
//! every other byte.
//! A missing file means the defaults; a malformed one is an error naming the file and
//! line. Read only by the commands that need it (the console, keys, registries, `hat
//! init` for `[shell]`); on the cached `assume` path only for the `[session]` role
//! session name, part of a role's cache key (MFA settings are read only when a code is
//! needed).

use crate::env::Env;
use anyhow::{Result, anyhow};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub console: ConsoleSettings,
    pub keys: KeysSettings,
    pub mfa: MfaSettings,
    pub session: SessionSettings,
    /// `[[registry]]`: the profile registries `hat registry` syncs, in the order added.
    pub registry: Vec<RegistrySettings>,
    pub network: NetworkSettings,
    pub export: ExportSettings,
    pub shell: ShellSettings,
}

/// `[export]`: how `assume -ex` names the profile it writes into the credentials file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportSettings {
    /// Granted's `ExportCredentialSuffix`: `-ex` writes `PROFILE-SUFFIX`.
    pub credential_suffix: Option<String>,
}

/// `[shell]`: what the shell function passes to every `assume`. Read by `hat init`
/// when the function is printed, so a cached `assume` reads nothing more for it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShellSettings {
    /// Also export awsume's `AWSUME_PROFILE` and `AWSUME_EXPIRATION`, for prompts
    /// written for awsume (default false).
    pub awsume_variables: Option<bool>,
}

/// `[network]`: how long hat waits for AWS and the local credential endpoints, in
/// seconds (for slow links; the defaults fail an unresponsive endpoint within 10 s).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkSettings {
    /// Connecting to an endpoint (default 3).
    pub connect_timeout: Option<f64>,
    /// One call with all its attempts (default 9).
    pub timeout: Option<f64>,
    /// One request to the instance metadata service or container endpoint (default 2).
    pub metadata_timeout: Option<f64>,
}

/// `[console]`: how `assume -c` opens the browser.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleSettings {
    /// chrome, chromium, brave, edge, firefox, safari, or custom (with `command`).
    pub browser: Option<String>,
    /// The browser's executable, when it is not found on PATH.
    pub browser_path: Option<String>,
    /// For `browser = "custom"`: a command template with `{url}` and `{profile}`.
    pub command: Option<String>,
    /// Open Firefox through Granted's container extension.
    pub firefox_containers: Option<bool>,
    /// The browser profile (or container) for every AWS profile that names none, as if
    /// `--browser-profile` were given (Granted #886).
    pub browser_profile: Option<String>,
}

/// `[keys]`: where long-term keys are kept.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeysSettings {
    /// keychain or file.
    pub backend: Option<String>,
    /// Where the file backend keeps its encrypted file (default: `keys.enc` in hat's
    /// state directory); `HAT_KEYS_FILE` wins.
    pub file: Option<String>,
}

/// `[session]`: defaults for role sessions.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    /// The session name of roles whose profile sets no `role_session_name`: a template
    /// with `{user}` and `{profile}` (default `hat-{user}`).
    pub role_session_name: Option<String>,
}

/// `[mfa]`: where MFA codes come from when neither `--mfa-token` nor the profile's
/// `mfa_process` gives one (see [`crate::providers::mfa`]).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MfaSettings {
    /// terminal (the default), ykman, zenity, kdialog, osascript or pass-through.
    pub prompt: Option<String>,
    /// For ykman: the OATH account, with `{serial}` and `{profile}` (default `{serial}`).
    pub ykman_account: Option<String>,
    /// For pass-through: the command (run with `sh -c`) that prints the code.
    pub command: Option<String>,
    /// Seconds a command may take to answer (default 60).
    pub timeout: Option<u64>,
}

/// One `[[registry]]`: a git repository of shared profiles (Granted's registry flags).
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrySettings {
    pub name: String,
    /// https://, ssh:// or scp-style `git@host:path`, file://, or an absolute path.
    pub url: String,
    /// The branch, tag or commit to sync (default: the remote's HEAD).
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// The folder inside the repository that holds `filename` and the config files.
    pub path: Option<String>,
    /// The registry's manifest (default `granted.yml`).
    pub filename: Option<String>,
    /// Higher wins a profile name two registries define.
    pub priority: i64,
    pub prefix_all_profiles: bool,
    pub prefix_duplicate_profiles: bool,
    /// The user's answers to the registry's required keys.
    pub values: std::collections::BTreeMap<String, String>,
}

/// Where the settings file is (whether or not it exists).
pub fn path(env: &Env) -> PathBuf {
    match env.get("HAT_CONFIG_FILE") {
        Some(p) => env.expand_tilde(p),
        None => env.config_dir().join("config.toml"),
    }
}

pub fn load(env: &Env) -> Result<Settings> {
    let path = path(env);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        Err(e) => return Err(anyhow!("could not read {}: {e}", path.display())),
    };
    parse(&text).map_err(|e| anyhow!("{}{e}", path.display()))
}

/// Changes the settings file with `change`, keeping its comments, order and formatting
/// (the file is created if missing); written atomically, mode 0600. The new text must
/// still load, so a change can never leave a file that hat then refuses.
pub fn update(
    env: &Env,
    change: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<()>,
) -> Result<()> {
    let edit = preview(env, change)?;
    if edit.new != edit.old {
        crate::fs::write(&edit.path, edit.new)?;
    }
    Ok(())
}

/// The settings file before and after a change, for `--dry-run` diffs and for
/// [`update`], which writes `new` when it differs.
#[derive(Debug)]
pub struct Edit {
    pub path: PathBuf,
    pub old: String,
    pub new: String,
}

/// What [`update`] would write, without writing: `change` applied to the file's text
/// (empty when it is missing), checked to still load.
pub fn preview(
    env: &Env,
    change: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<()>,
) -> Result<Edit> {
    let path = path(env);
    let old = crate::fs::read_or_empty(&path)?;
    let mut doc: toml_edit::DocumentMut = old
        .parse()
        .map_err(|e: toml_edit::TomlError| anyhow!("{}: {}", path.display(), e.message()))?;
    change(&mut doc)?;
    let new = doc.to_string();
    parse(&new).map_err(|e| anyhow!("{}{e}", path.display()))?;
    Ok(Edit { path, old, new })
}

/// Parses the file's text; the error starts with `, line N: ` for the caller's path.
fn parse(text: &str) -> Result<Settings, String> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().to_string();
        match line {
            Some(line) => format!(", line {line}: {message}"),
            None => format!(": {message}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_optional_and_read_when_present() {
        let s = parse("").unwrap();
        assert!(s.console.browser.is_none() && s.keys.backend.is_none());
        let s = parse("[console]\nbrowser = \"firefox\"\n[keys]\nbackend = \"file\"\n").unwrap();
        assert_eq!(s.console.browser.as_deref(), Some("firefox"));
        assert_eq!(s.keys.backend.as_deref(), Some("file"));
    }

    #[test]
    fn mistakes_name_the_line() {
        let e = parse("[console]\n\nbrowzer = \"x\"\n").unwrap_err();
        assert!(e.starts_with(", line 3: "), "{e}");
    }

    #[test]
    fn a_missing_file_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([("HOME", dir.path().to_str().unwrap())]);
        assert!(load(&env).unwrap().console.browser.is_none());
        assert_eq!(path(&env), dir.path().join(".config/hat/config.toml"));
    }
}
