//! The user's profile files: `~/.aws/config` and `~/.aws/credentials` read by the AWS
//! SDKs' rules and merged into one view (the credentials file wins key by key). Every
//! setting remembers the file and line it came from, so errors can point at it.

pub mod edit;
mod parse;

pub use parse::ParseError;

use crate::env::Env;
use anyhow::{Context, Result};
use parse::RawSection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Config,
    Credentials,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub file: FileKind,
    pub line: usize,
}

/// The merged settings of one profile, sso-session or services section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    pub settings: BTreeMap<String, Setting>,
    /// Where the section was (last) declared.
    pub declared: Option<(FileKind, usize)>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(|s| s.value.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct ConfigSet {
    pub config_path: PathBuf,
    pub credentials_path: PathBuf,
    pub profiles: BTreeMap<String, Section>,
    pub sso_sessions: BTreeMap<String, Section>,
    pub services: BTreeMap<String, Section>,
    /// Sections and keys that were skipped, with file and line, for the user to fix.
    pub warnings: Vec<String>,
}

/// Settings whose values are secrets: never printed unless asked for.
pub fn is_secret_key(key: &str) -> bool {
    matches!(
        key,
        "aws_secret_access_key" | "aws_session_token" | "aws_security_token"
    )
}

impl ConfigSet {
    /// Reads both files named by `env`. A missing file is an empty file; an unreadable
    /// or malformed one is an error naming the file (and line).
    pub fn load(env: &Env) -> Result<ConfigSet> {
        let config_path = env.config_file();
        let credentials_path = env.credentials_file();
        let config = read_optional(&config_path)?;
        let credentials = read_optional(&credentials_path)?;
        Ok(ConfigSet::from_texts(
            &config_path,
            config.as_deref().unwrap_or(""),
            &credentials_path,
            credentials.as_deref().unwrap_or(""),
        )?)
    }

    pub fn from_texts(
        config_path: &Path,
        config: &str,
        credentials_path: &Path,
        credentials: &str,
    ) -> Result<ConfigSet, ParseError> {
        let mut set = ConfigSet {
            config_path: config_path.to_path_buf(),
            credentials_path: credentials_path.to_path_buf(),
            ..ConfigSet::default()
        };
        let config_sections = parse::parse(config, config_path)?;
        let credential_sections = parse::parse(credentials, credentials_path)?;
        set.merge(config_sections, FileKind::Config);
        set.merge(credential_sections, FileKind::Credentials);
        Ok(set)
    }

    pub fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Config => &self.config_path,
            FileKind::Credentials => &self.credentials_path,
        }
    }

    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// An `[sso-session NAME]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    pub fn sso_session_names(&self) -> impl Iterator<Item = &str> {
        self.sso_sessions.keys().map(String::as_str)
    }

    /// A `[services NAME]` section.
    pub fn services_section(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// `path, line N` for a setting of a profile, for error messages.
    pub fn locate(&self, profile: &str, key: &str) -> Option<String> {
        let setting = self.profiles.get(profile)?.settings.get(key)?;
        Some(format!(
            "{}, line {}",
            self.path(setting.file).display(),
            setting.line
        ))
    }

    fn warn(&mut self, kind: FileKind, line: usize, message: String) {
        let path = self.path(kind).display().to_string();
        self.warnings
            .push(format!("{path}, line {line}: {message}"));
    }

    fn merge(&mut self, sections: Vec<RawSection>, kind: FileKind) {
        // `[profile default]` anywhere in the config file replaces every `[default]` there.
        let has_prefixed_default = kind == FileKind::Config
            && sections
                .iter()
                .any(|s| split_header(&s.header) == (Some("profile"), "default"));

        for section in sections {
            let Some((target, name)) = self.classify(&section, kind, has_prefixed_default) else {
                continue;
            };
            let mut valid = Vec::with_capacity(section.properties.len());
            for property in section.properties {
                if is_identifier(&property.key) {
                    valid.push(property);
                } else {
                    self.warn(
                        kind,
                        property.line,
                        format!(
                            "key `{}` in [{}] ignored: keys may only contain letters, digits and _-/.%@:+",
                            property.key, section.header
                        ),
                    );
                }
            }
            let map = match target {
                Target::Profile => &mut self.profiles,
                Target::SsoSession => &mut self.sso_sessions,
                Target::Services => &mut self.services,
            };
            let entry = map.entry(name).or_default();
            entry.declared = Some((kind, section.line));
            for property in valid {
                entry.settings.insert(
                    property.key,
                    Setting {
                        value: property.value,
                        file: kind,
                        line: property.line,
                    },
                );
            }
        }
    }

    /// Decides what a section header means in a file of `kind`, warning about (and
    /// skipping) what the SDKs skip.
    fn classify(
        &mut self,
        section: &RawSection,
        kind: FileKind,
        has_prefixed_default: bool,
    ) -> Option<(Target, String)> {
        let (prefix, name) = split_header(&section.header);
        let line = section.line;
        match (kind, prefix) {
            (FileKind::Config, None) if name == "default" => {
                if has_prefixed_default {
                    self.warn(
                        kind,
                        line,
                        "[default] ignored because [profile default] takes priority".into(),
                    );
                    return None;
                }
                Some((Target::Profile, name.to_string()))
            }
            // Sections the AWS CLI itself keeps in the config file.
            (FileKind::Config, None) if matches!(name, "plugins" | "preview" | "cli") => None,
            (FileKind::Config, None) => {
                self.warn(
                    kind,
                    line,
                    format!(
                        "[{name}] ignored: in the config file a profile is written [profile {name}]"
                    ),
                );
                None
            }
            (FileKind::Config, Some(prefix)) => {
                if !is_identifier(name) {
                    self.warn(
                        kind,
                        line,
                        format!("[{prefix} {name}] ignored: `{name}` is not a valid name (letters, digits and _-/.%@:+ only)"),
                    );
                    return None;
                }
                match prefix {
                    "profile" => Some((Target::Profile, name.to_string())),
                    "sso-session" => Some((Target::SsoSession, name.to_string())),
                    "services" => Some((Target::Services, name.to_string())),
                    _ => None,
                }
            }
            (FileKind::Credentials, Some("profile")) => {
                self.warn(
                    kind,
                    line,
                    format!("[profile {name}] ignored: in the credentials file a profile is written [{name}]"),
                );
                None
            }
            (FileKind::Credentials, Some(prefix)) => {
                self.warn(
                    kind,
                    line,
                    format!("[{prefix} {name}] ignored: this section belongs in the config file"),
                );
                None
            }
            (FileKind::Credentials, None) => {
                if is_identifier(name) {
                    Some((Target::Profile, name.to_string()))
                } else {
                    self.warn(
                        kind,
                        line,
                        format!("[{name}] ignored: `{name}` is not a valid profile name (letters, digits and _-/.%@:+ only)"),
                    );
                    None
                }
            }
        }
    }
}

enum Target {
    Profile,
    SsoSession,
    Services,
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| anyhow::anyhow!("{} is not valid UTF-8", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("could not read {}", path.display())),
    }
}

/// `profile  dev` → (Some("profile"), "dev"); `default` → (None, "default").
fn split_header(header: &str) -> (Option<&str>, &str) {
    match header.split_once(parse::WHITESPACE) {
        Some((prefix, rest)) => (Some(prefix), parse::trim(rest)),
        None => (None, header),
    }
}

/// Profile names and keys must match `[A-Za-z0-9_\-/.%@:+]+`.
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(config: &str, credentials: &str) -> ConfigSet {
        ConfigSet::from_texts(Path::new("c"), config, Path::new("k"), credentials).expect("parses")
    }

    #[test]
    fn credentials_file_wins_key_by_key() {
        let set = load(
            "[profile a]\nregion = eu-west-1\naws_access_key_id = fromconfig\n",
            "[a]\naws_access_key_id = fromcreds\n",
        );
        let a = set.profile("a").unwrap();
        assert_eq!(a.get("region"), Some("eu-west-1"));
        assert_eq!(a.get("aws_access_key_id"), Some("fromcreds"));
        assert_eq!(a.settings["aws_access_key_id"].file, FileKind::Credentials);
    }

    #[test]
    fn prefixed_default_replaces_plain_default_in_config() {
        let set = load(
            "[default]\nregion = a\nx = 1\n[profile default]\nregion = b\n",
            "",
        );
        let d = set.profile("default").unwrap();
        assert_eq!(d.get("region"), Some("b"));
        assert_eq!(d.get("x"), None);
        assert!(
            set.warnings[0].contains("[default] ignored"),
            "{:?}",
            set.warnings
        );
    }

    #[test]
    fn plain_default_is_used_without_a_prefixed_one() {
        let set = load(
            "[default]\nregion = a\n",
            "[default]\naws_access_key_id = k\n",
        );
        let d = set.profile("default").unwrap();
        assert_eq!(d.get("region"), Some("a"));
        assert_eq!(d.get("aws_access_key_id"), Some("k"));
    }

    #[test]
    fn invalid_sections_and_keys_are_skipped_with_warnings() {
        let set = load(
            "[nope]\nk = v\n[profile bad name]\nk = v\n[profile ok]\nbad key = v\ngood = v\n[plugins]\nx = y\n",
            "[profile p]\nk = v\n[sso-session s]\nk = v\n[fine]\nk = v\n",
        );
        assert_eq!(set.profile_names().collect::<Vec<_>>(), ["fine", "ok"]);
        assert_eq!(set.profile("ok").unwrap().get("good"), Some("v"));
        assert_eq!(set.profile("ok").unwrap().get("bad key"), None);
        let w = set.warnings.join("\n");
        assert!(w.contains("c, line 1: [nope] ignored"), "{w}");
        assert!(w.contains("c, line 3: [profile bad name] ignored"), "{w}");
        assert!(w.contains("c, line 6: key `bad key`"), "{w}");
        assert!(w.contains("k, line 1: [profile p] ignored"), "{w}");
        assert!(w.contains("k, line 3: [sso-session s] ignored"), "{w}");
        assert!(!w.contains("plugins"), "{w}");
    }

    #[test]
    fn sso_sessions_and_services_are_their_own_sections() {
        let set = load(
            "[sso-session corp]\nsso_region = us-east-1\n[services local]\nsts =\n  endpoint_url = http://x\n",
            "",
        );
        assert_eq!(
            set.sso_sessions["corp"].get("sso_region"),
            Some("us-east-1")
        );
        assert_eq!(
            set.services["local"].get("sts"),
            Some("\nendpoint_url = http://x")
        );
        assert!(set.profiles.is_empty());
    }

    #[test]
    fn repeated_sections_merge_and_later_values_win() {
        let set = load("[profile a]\nx = 1\ny = 1\n[profile a]\ny = 2\n", "");
        let a = set.profile("a").unwrap();
        assert_eq!((a.get("x"), a.get("y")), (Some("1"), Some("2")));
        assert_eq!(set.locate("a", "y").unwrap(), "c, line 5");
    }
}
