//! The user's profile files: `~/.aws/config` and `~/.aws/credentials` read by the AWS
//! SDKs' rules and merged into one view (the credentials file wins key by key). Every
//! setting remembers the file and line it came from, so errors can point at it.

pub mod edit;
mod parse;

pub use parse::ParseError;

use crate::env::Env;
use anyhow::{Context, Result};
use hashbrown::HashTable;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::sync::OnceLock as OnceCell;

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

/// Both files, merged. Loading checks every line's syntax and finds every section
/// (one fast pass, no copies), but a section's settings are read only when asked for:
/// a cached `assume` touches a handful of 50,000 profiles.
#[derive(Debug, Clone, Default)]
pub struct ConfigSet {
    pub config_path: PathBuf,
    pub credentials_path: PathBuf,
    /// Sections and keys that were skipped, with file and line, for the user to fix.
    pub warnings: Vec<String>,
    config: String,
    credentials: String,
    /// Every accepted section of both files, in file order.
    segments: Vec<Segment>,
    profiles: Index,
    sso_sessions: Index,
    services: Index,
}

/// Where one section was written: its body is parsed on first use.
#[derive(Debug, Clone)]
struct Segment {
    file: FileKind,
    span: parse::SectionSpan,
    /// The next section of the same name (u32::MAX: none), in file order.
    next: u32,
}

const NONE: u32 = u32::MAX;

/// The sections of one kind (profiles, sso-sessions, services), by name.
#[derive(Debug, Clone, Default)]
struct Index {
    entries: Vec<Entry>,
    /// (hash of the name, index into `entries`). Names are slices of the file texts, so
    /// building this copies nothing; the hash is kept so that growing the table does not
    /// read every name again from all over the text.
    table: HashTable<(u64, u32)>,
    hasher: RandomState,
    /// `entries` sorted by name, made when someone lists the names.
    sorted: OnceCell<Vec<u32>>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The name: a byte range of one file's text.
    file: FileKind,
    name: (u32, u32),
    /// The first and last of its sections in `ConfigSet::segments`.
    first: u32,
    last: u32,
    /// Boxed: most entries are never merged, and the box keeps each entry small.
    merged: OnceCell<Box<Section>>,
}

impl Index {
    fn find(&self, texts: &Texts<'_>, name: &str) -> Option<&Entry> {
        let hash = self.hasher.hash_one(name);
        self.table
            .find(hash, |&(h, i)| {
                h == hash && texts.name(&self.entries[i as usize]) == name
            })
            .map(|&(_, i)| &self.entries[i as usize])
    }

    /// Adds a section under its name; returns the entry's previous last segment when the
    /// name was already there (the caller links the new one after it).
    fn add(
        &mut self,
        texts: &Texts<'_>,
        file: FileKind,
        name: (u32, u32),
        segment: u32,
    ) -> Option<u32> {
        let text = texts.get(file, name);
        let hash = self.hasher.hash_one(text);
        let entries = &self.entries;
        let found = self
            .table
            .find(hash, |&(h, i)| {
                h == hash && texts.name(&entries[i as usize]) == text
            })
            .map(|&(_, i)| i);
        match found {
            Some(i) => {
                let entry = &mut self.entries[i as usize];
                Some(std::mem::replace(&mut entry.last, segment))
            }
            None => {
                let i = self.entries.len() as u32;
                self.entries.push(Entry {
                    file,
                    name,
                    first: segment,
                    last: segment,
                    merged: OnceCell::new(),
                });
                self.table.insert_unique(hash, (hash, i), |&(h, _)| h);
                None
            }
        }
    }

    fn names<'a>(&'a self, texts: Texts<'a>) -> impl Iterator<Item = &'a str> + 'a {
        let sorted = self.sorted.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| {
                texts
                    .name(&self.entries[a as usize])
                    .cmp(texts.name(&self.entries[b as usize]))
            });
            order
        });
        sorted
            .iter()
            .map(move |&i| texts.name(&self.entries[i as usize]))
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The two files' texts and every section's place, to resolve offsets.
#[derive(Clone, Copy)]
struct Texts<'a> {
    config: &'a str,
    credentials: &'a str,
    segments: &'a [Segment],
}

impl<'a> Texts<'a> {
    fn text(&self, kind: FileKind) -> &'a str {
        match kind {
            FileKind::Config => self.config,
            FileKind::Credentials => self.credentials,
        }
    }

    fn get(&self, kind: FileKind, (start, end): (u32, u32)) -> &'a str {
        &self.text(kind)[start as usize..end as usize]
    }

    fn name(&self, entry: &Entry) -> &'a str {
        self.get(entry.file, entry.name)
    }

    /// An entry's sections, in file order (the config file's first).
    fn segments(&self, entry: &Entry) -> impl Iterator<Item = &'a Segment> + 'a {
        let segments = self.segments;
        let mut at = entry.first;
        std::iter::from_fn(move || {
            let segment = segments.get(at as usize)?;
            at = segment.next;
            Some(segment)
        })
    }

    /// Parses and merges an entry's sections: later keys win, the credentials file last.
    fn merge(&self, entry: &Entry) -> Section {
        let mut section = Section::default();
        for segment in self.segments(entry) {
            let line = segment.span.line as usize;
            section.declared = Some((segment.file, line));
            let text = self.text(segment.file);
            for property in parse::properties(text, segment.span.body(), line + 1) {
                // Keys that are not valid names were warned about when loading.
                if is_identifier(&property.key) {
                    section.settings.insert(
                        property.key,
                        Setting {
                            value: property.value,
                            file: segment.file,
                            line: property.line,
                        },
                    );
                }
            }
        }
        section
    }
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
        let config = read_optional(&config_path)?.unwrap_or_default();
        let credentials = read_optional(&credentials_path)?.unwrap_or_default();
        Ok(ConfigSet::from_strings(
            &config_path,
            config,
            &credentials_path,
            credentials,
        )?)
    }

    pub fn from_texts(
        config_path: &Path,
        config: &str,
        credentials_path: &Path,
        credentials: &str,
    ) -> Result<ConfigSet, ParseError> {
        ConfigSet::from_strings(
            config_path,
            config.to_string(),
            credentials_path,
            credentials.to_string(),
        )
    }

    fn from_strings(
        config_path: &Path,
        config: String,
        credentials_path: &Path,
        credentials: String,
    ) -> Result<ConfigSet, ParseError> {
        let config_scan = parse::scan(&config, config_path)?;
        let credentials_scan = parse::scan(&credentials, credentials_path)?;
        let mut set = ConfigSet {
            config_path: config_path.to_path_buf(),
            credentials_path: credentials_path.to_path_buf(),
            ..ConfigSet::default()
        };
        set.index(&config, &credentials, config_scan, FileKind::Config);
        set.index(
            &config,
            &credentials,
            credentials_scan,
            FileKind::Credentials,
        );
        set.config = config;
        set.credentials = credentials;
        Ok(set)
    }

    fn texts(&self) -> Texts<'_> {
        Texts {
            config: &self.config,
            credentials: &self.credentials,
            segments: &self.segments,
        }
    }

    pub fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Config => &self.config_path,
            FileKind::Credentials => &self.credentials_path,
        }
    }

    fn section<'a>(&'a self, index: &'a Index, name: &str) -> Option<&'a Section> {
        let texts = self.texts();
        let entry = index.find(&texts, name)?;
        Some(entry.merged.get_or_init(|| Box::new(texts.merge(entry))))
    }

    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.section(&self.profiles, name)
    }

    /// Every profile's name, sorted.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.names(self.texts())
    }

    /// One setting of a profile without merging the whole profile: the cheap read for
    /// listing thousands of profiles. Same answer as `profile(name)?.get(key)`.
    pub fn profile_value(&self, name: &str, key: &str) -> Option<Cow<'_, str>> {
        let texts = self.texts();
        let entry = self.profiles.find(&texts, name)?;
        if let Some(merged) = entry.merged.get() {
            return merged.get(key).map(Cow::Borrowed);
        }
        let mut found = None;
        for segment in texts.segments(entry) {
            let text = texts.text(segment.file);
            if let Some(value) = parse::value(text, segment.span.body(), key) {
                found = Some(value);
            }
        }
        found
    }

    /// An `[sso-session NAME]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.section(&self.sso_sessions, name)
    }

    pub fn sso_session_names(&self) -> impl Iterator<Item = &str> {
        self.sso_sessions.names(self.texts())
    }

    /// A `[services NAME]` section.
    pub fn services_section(&self, name: &str) -> Option<&Section> {
        self.section(&self.services, name)
    }

    /// Whether no profile is defined at all.
    pub fn has_no_profiles(&self) -> bool {
        self.profiles.is_empty()
    }

    /// `path, line N` for a setting of a profile, for error messages.
    pub fn locate(&self, profile: &str, key: &str) -> Option<String> {
        let setting = self.profile(profile)?.settings.get(key)?;
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

    /// Files every section of one file under its name, warning (in file order) about
    /// the sections and keys the SDKs skip.
    fn index(&mut self, config: &str, credentials: &str, scan: parse::Scan, kind: FileKind) {
        let text = match kind {
            FileKind::Config => config,
            FileKind::Credentials => credentials,
        };
        // `[profile default]` anywhere in the config file replaces every `[default]` there.
        let has_prefixed_default = kind == FileKind::Config
            && scan
                .sections
                .iter()
                .any(|s| split_header(&text[s.header()]) == (Some("profile"), "default"));

        self.segments.reserve(scan.sections.len());
        // Most sections of a large file are profiles; sizing once avoids regrowing.
        if kind == FileKind::Config {
            self.profiles.entries.reserve(scan.sections.len());
            self.profiles
                .table
                .reserve(scan.sections.len(), |&(h, _)| h);
        }
        let mut bad_keys = scan.bad_keys.iter().peekable();
        for (number, span) in scan.sections.into_iter().enumerate() {
            let header = &text[span.header()];
            let classified = self.classify(header, span.line as usize, kind, has_prefixed_default);
            let mut keys = Vec::new();
            while let Some((_, line, key)) = bad_keys.next_if(|(s, _, _)| *s == number) {
                keys.push((*line, key));
            }
            let Some((target, name)) = classified else {
                continue;
            };
            for (line, key) in keys {
                self.warn(
                    kind,
                    line,
                    format!(
                        "key `{key}` in [{header}] ignored: keys may only contain letters, digits and _-/.%@:+"
                    ),
                );
            }
            let start = (name.as_ptr() as usize - text.as_ptr() as usize) as u32;
            let name = (start, start + name.len() as u32);
            let segment = self.segments.len() as u32;
            self.segments.push(Segment {
                file: kind,
                span,
                next: NONE,
            });
            let texts = Texts {
                config,
                credentials,
                segments: &self.segments,
            };
            let index = match target {
                Target::Profile => &mut self.profiles,
                Target::SsoSession => &mut self.sso_sessions,
                Target::Services => &mut self.services,
            };
            if let Some(previous) = index.add(&texts, kind, name, segment) {
                self.segments[previous as usize].next = segment;
            }
        }
    }

    /// Decides what a section header means in a file of `kind`, warning about (and
    /// skipping) what the SDKs skip. The name returned is a slice of `header`.
    fn classify<'h>(
        &mut self,
        header: &'h str,
        line: usize,
        kind: FileKind,
        has_prefixed_default: bool,
    ) -> Option<(Target, &'h str)> {
        let (prefix, name) = split_header(header);
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
                Some((Target::Profile, name))
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
                    "profile" => Some((Target::Profile, name)),
                    "sso-session" => Some((Target::SsoSession, name)),
                    "services" => Some((Target::Services, name)),
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
                    Some((Target::Profile, name))
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
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+')
        })
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
            set.sso_session("corp").unwrap().get("sso_region"),
            Some("us-east-1")
        );
        assert_eq!(
            set.services_section("local").unwrap().get("sts"),
            Some("\nendpoint_url = http://x")
        );
        assert!(set.has_no_profiles());
    }

    #[test]
    fn repeated_sections_merge_and_later_values_win() {
        let set = load("[profile a]\nx = 1\ny = 1\n[profile a]\ny = 2\n", "");
        let a = set.profile("a").unwrap();
        assert_eq!((a.get("x"), a.get("y")), (Some("1"), Some("2")));
        assert_eq!(set.locate("a", "y").unwrap(), "c, line 5");
    }

    #[test]
    fn one_value_reads_the_same_as_the_merged_profile() {
        let config = "[profile a]\nregion = x # c\nRegion = y\nk =\n  sub = 1\n[profile b]\nregion = eu-\n  west\n[profile a]\nm = a;b\n";
        let set = load(config, "[a]\nregion = z\n");
        for (name, key) in [
            ("a", "region"),
            ("a", "k"),
            ("a", "m"),
            ("b", "region"),
            ("b", "nope"),
            ("c", "region"),
        ] {
            let fast = set.profile_value(name, key).map(|v| v.into_owned());
            let slow = set
                .profile(name)
                .and_then(|p| p.get(key))
                .map(str::to_string);
            assert_eq!(fast, slow, "{name}.{key}");
        }
        assert_eq!(set.profile_value("a", "region").as_deref(), Some("z"));
    }

    #[test]
    fn names_are_sorted_and_merged_across_files() {
        let set = load("[profile b]\n[profile a]\n[profile b]\n", "[c]\n[a]\n");
        assert_eq!(set.profile_names().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(
            set.profile("a").unwrap().declared,
            Some((FileKind::Credentials, 2))
        );
    }
}
