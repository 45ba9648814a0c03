//! The user's profile files: `~/.aws/config` and `~/.aws/credentials` read by the AWS
//! SDKs' rules and merged into one view (the credentials file wins key by key). Every
//! setting remembers the file and line it came from, so errors can point at it.

pub mod edit;
pub mod keys;
mod parse;

pub use parse::ParseError;

use crate::env::Env;
use anyhow::{Context, Result};
use hashbrown::HashTable;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
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
        keys::check(key);
        self.settings.get(key).map(|s| s.value.as_str())
    }
}

/// Both files, merged. Loading reads each file once, a piece at a time, checking every
/// line's syntax and noting where each section is; it keeps the names, not the text. A
/// section's settings are read (from the file again) and merged only when asked for: a
/// cached `assume` touches a handful of 50,000 profiles.
#[derive(Debug, Clone, Default)]
pub struct ConfigSet {
    pub config_path: PathBuf,
    pub credentials_path: PathBuf,
    /// Sections and keys that were skipped, with file and line, for the user to fix.
    pub warnings: Vec<String>,
    /// Where each warning points, to put them in file order.
    warned: Vec<(FileKind, usize)>,
    config: Source,
    credentials: Source,
    /// Every accepted section of both files, in file order.
    segments: Vec<Segment>,
    /// Every section name, back to back.
    names: String,
    profiles: Index,
    sso_sessions: Index,
    services: Index,
}

/// Where a file's text comes from when a section is read.
#[derive(Debug, Default)]
enum Source {
    /// No file: nothing to read.
    #[default]
    Empty,
    /// Given whole (tests, `from_texts`).
    Text(String),
    /// The open file, read again by offset; the whole text is kept once something
    /// reads many sections (`hat list`, the picker).
    File {
        file: std::fs::File,
        whole: OnceCell<String>,
    },
}

impl Clone for Source {
    fn clone(&self) -> Self {
        match self {
            Source::Empty => Source::Empty,
            Source::Text(text) => Source::Text(text.clone()),
            Source::File { file, whole } => match file.try_clone() {
                Ok(file) => Source::File {
                    file,
                    whole: whole.clone(),
                },
                // Out of file descriptors: a copy of the text serves as well.
                Err(_) => {
                    self.keep_whole();
                    Source::Text(whole.get().cloned().unwrap_or_default())
                }
            },
        }
    }
}

impl Source {
    /// The text of `range` (empty if the file can no longer be read as it was).
    fn read(&self, range: Range<usize>) -> Cow<'_, str> {
        match self {
            Source::Empty => Cow::Borrowed(""),
            Source::Text(text) => Cow::Borrowed(text.get(range).unwrap_or("")),
            Source::File { file, whole } => {
                if let Some(text) = whole.get() {
                    return Cow::Borrowed(text.get(range).unwrap_or(""));
                }
                use std::os::unix::fs::FileExt;
                let mut bytes = vec![0; range.len()];
                match file.read_exact_at(&mut bytes, range.start as u64) {
                    Ok(()) => Cow::Owned(String::from_utf8(bytes).unwrap_or_default()),
                    Err(_) => Cow::Borrowed(""),
                }
            }
        }
    }

    fn keep_whole(&self) {
        if let Source::File { file, whole } = self {
            whole.get_or_init(|| {
                // By offset, like every other read: the file's position is shared.
                use std::os::unix::fs::FileExt;
                let length = file.metadata().map(|m| m.len()).unwrap_or(0);
                let mut bytes = vec![0; length as usize];
                match file.read_exact_at(&mut bytes, 0) {
                    Ok(()) => String::from_utf8(bytes).unwrap_or_default(),
                    Err(_) => String::new(),
                }
            });
        }
    }
}

/// Where one section was written: its body is read and parsed on first use.
#[derive(Debug, Clone)]
struct Segment {
    file: FileKind,
    span: parse::SectionSpan,
    /// The next section of the same name (NONE: none), in file order.
    next: u32,
}

const NONE: u32 = u32::MAX;

/// The sections of one kind (profiles, sso-sessions, services), by name.
#[derive(Debug, Clone, Default)]
struct Index {
    entries: Vec<Entry>,
    /// (hash of the name, index into `entries`); the hash is kept so that growing the
    /// table does not read every name again.
    table: HashTable<(u64, u32)>,
    /// `entries` sorted by name, made when someone lists the names.
    sorted: OnceCell<Vec<u32>>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The name: a range of `ConfigSet::names`.
    name: (u32, u32),
    /// The first and last of its sections in `ConfigSet::segments`.
    first: u32,
    last: u32,
    /// Boxed: most entries are never merged, and the box keeps each entry small.
    merged: OnceCell<Box<Section>>,
}

/// FxHash's multiply-rotate over 8 bytes at a time: profile names are the user's own,
/// so nothing needs SipHash's protection, and this is several times faster.
fn hash_name(name: &str) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut hash: u64 = name.len() as u64;
    let mut chunks = name.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    hash = (hash.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    // The table uses the top bits as tags: fold the well-mixed high half down.
    hash ^ (hash >> 29)
}

impl Index {
    fn find<'a>(&'a self, names: &str, name: &str) -> Option<&'a Entry> {
        let hash = hash_name(name);
        self.table
            .find(hash, |&(h, i)| {
                h == hash && entry_name(names, &self.entries[i as usize]) == name
            })
            .map(|&(_, i)| &self.entries[i as usize])
    }

    /// Adds a section under `name`; returns the entry's previous last segment when the
    /// name was already there (the caller links the new one after it). `store` copies
    /// a new name into the names and says where it went.
    fn add(&mut self, names: &mut String, name: &str, segment: u32) -> Option<u32> {
        let hash = hash_name(name);
        let entries = &self.entries;
        let found = self
            .table
            .find(hash, |&(h, i)| {
                h == hash && entry_name(names, &entries[i as usize]) == name
            })
            .map(|&(_, i)| i);
        match found {
            Some(i) => {
                let entry = &mut self.entries[i as usize];
                Some(std::mem::replace(&mut entry.last, segment))
            }
            None => {
                let start = names.len() as u32;
                names.push_str(name);
                let i = self.entries.len() as u32;
                self.entries.push(Entry {
                    name: (start, names.len() as u32),
                    first: segment,
                    last: segment,
                    merged: OnceCell::new(),
                });
                self.table.insert_unique(hash, (hash, i), |&(h, _)| h);
                None
            }
        }
    }

    fn names<'a>(&'a self, names: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let sorted = self.sorted.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| {
                entry_name(names, &self.entries[a as usize])
                    .cmp(entry_name(names, &self.entries[b as usize]))
            });
            order
        });
        sorted
            .iter()
            .map(move |&i| entry_name(names, &self.entries[i as usize]))
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn entry_name<'a>(names: &'a str, entry: &Entry) -> &'a str {
    &names[entry.name.0 as usize..entry.name.1 as usize]
}

/// Settings whose values are secrets: never printed unless asked for.
pub fn is_secret_key(key: &str) -> bool {
    matches!(
        key,
        "aws_secret_access_key" | "aws_session_token" | "aws_security_token"
    )
}

/// How much of a file is read at a time while scanning.
const CHUNK: usize = 256 * 1024;

/// What loading one file keeps until its end.
struct Pending {
    /// The config file's plain `[default]` sections (with their bad keys), which a
    /// `[profile default]` anywhere in the file overrides.
    plain_defaults: Vec<(u32, Vec<(usize, String)>)>,
    has_prefixed_default: bool,
    /// The current section's header, for warnings about its keys.
    header: String,
}

/// [`ConfigSet::load`], then each of its warnings on stderr: how every command that
/// reads the profile files starts.
pub fn load(env: &Env) -> Result<ConfigSet> {
    let config = ConfigSet::load(env)?;
    for warning in &config.warnings {
        crate::log::warn(warning);
    }
    Ok(config)
}

impl ConfigSet {
    /// Reads both files named by `env`. A missing file is an empty file; an unreadable
    /// or malformed one is an error naming the file (and line).
    pub fn load(env: &Env) -> Result<ConfigSet> {
        let mut set = ConfigSet {
            config_path: env.config_file(),
            credentials_path: env.credentials_file(),
            ..ConfigSet::default()
        };
        for kind in [FileKind::Config, FileKind::Credentials] {
            let path = set.path(kind).to_path_buf();
            let file = match std::fs::File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("could not read {}", path.display()));
                }
            };
            set.scan_file(kind, &path, &file)?;
            *set.source_mut(kind) = Source::File {
                file,
                whole: OnceCell::new(),
            };
        }
        set.finish();
        Ok(set)
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
        for (kind, text) in [
            (FileKind::Config, config),
            (FileKind::Credentials, credentials),
        ] {
            let path = set.path(kind).to_path_buf();
            let mut scanner = parse::Scanner::new(&path);
            let mut pending = set.pending();
            let mut last = None;
            scanner.feed(text, &mut |found| {
                set.found(kind, found, &mut pending, &mut last)
            })?;
            set.end_file(kind, text.len(), pending, last);
            *set.source_mut(kind) = Source::Text(text.to_string());
        }
        set.finish();
        Ok(set)
    }

    fn source(&self, kind: FileKind) -> &Source {
        match kind {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }

    fn source_mut(&mut self, kind: FileKind) -> &mut Source {
        match kind {
            FileKind::Config => &mut self.config,
            FileKind::Credentials => &mut self.credentials,
        }
    }

    /// Reads `file` a chunk of whole lines at a time and files its sections.
    fn scan_file(&mut self, kind: FileKind, path: &Path, file: &std::fs::File) -> Result<()> {
        use std::io::Read;
        let mut reader = file;
        let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK);
        let mut scanner = parse::Scanner::new(path);
        let mut pending = self.pending();
        let mut last = None;
        let mut total = 0;
        let mut eof = false;
        while !eof {
            // Appends into the spare capacity without zeroing it first.
            let want = CHUNK.saturating_sub(buffer.len()).max(CHUNK / 2) as u64;
            let read = (&mut reader)
                .take(want)
                .read_to_end(&mut buffer)
                .with_context(|| format!("could not read {}", path.display()))?;
            eof = read == 0;
            // Whole lines only, except at the end of the file.
            let cut = if eof {
                buffer.len()
            } else {
                match buffer.iter().rposition(|b| *b == b'\n') {
                    Some(n) => n + 1,
                    None => continue,
                }
            };
            let text = std::str::from_utf8(&buffer[..cut])
                .map_err(|_| anyhow::anyhow!("{} is not valid UTF-8", path.display()))?;
            scanner.feed(text, &mut |found| {
                self.found(kind, found, &mut pending, &mut last)
            })?;
            total += cut;
            buffer.drain(..cut);
        }
        self.end_file(kind, total, pending, last);
        Ok(())
    }

    fn pending(&self) -> Pending {
        Pending {
            plain_defaults: Vec::new(),
            has_prefixed_default: false,
            header: String::new(),
        }
    }

    /// Files one thing the scan found. `last` is the previous section's segment (if it
    /// was kept), whose body ends where this header starts.
    fn found(
        &mut self,
        kind: FileKind,
        found: parse::Found<'_>,
        pending: &mut Pending,
        last: &mut Option<(u32, bool)>,
    ) {
        match found {
            parse::Found::Section {
                header,
                span,
                line_start,
            } => {
                if let Some((segment, _)) = *last
                    && segment != NONE
                {
                    self.segments[segment as usize].span.body.1 = line_start;
                }
                *last = None;
                pending.header.clear();
                pending.header.push_str(header);
                let (prefix, name) = split_header(header);
                let plain_default =
                    kind == FileKind::Config && prefix.is_none() && name == "default";
                if kind == FileKind::Config && (prefix, name) == (Some("profile"), "default") {
                    pending.has_prefixed_default = true;
                }
                // A plain [default] in the config file counts only if no [profile
                // default] shows up anywhere in it: filed now, maybe dropped at the end.
                let classified = if plain_default {
                    Some((Target::Profile, name))
                } else {
                    self.classify(header, span.line as usize, kind, false)
                };
                let Some((target, name)) = classified else {
                    *last = Some((NONE, false));
                    return;
                };
                let segment = self.segments.len() as u32;
                self.segments.push(Segment {
                    file: kind,
                    span,
                    next: NONE,
                });
                let index = match target {
                    Target::Profile => &mut self.profiles,
                    Target::SsoSession => &mut self.sso_sessions,
                    Target::Services => &mut self.services,
                };
                if let Some(previous) = index.add(&mut self.names, name, segment) {
                    self.segments[previous as usize].next = segment;
                }
                if plain_default {
                    pending.plain_defaults.push((segment, Vec::new()));
                }
                *last = Some((segment, plain_default));
            }
            parse::Found::BadKey { line, key } => match *last {
                // Keys of a skipped section are not worth a word.
                Some((NONE, _)) | None => {}
                Some((_, true)) => {
                    if let Some((_, keys)) = pending.plain_defaults.last_mut() {
                        keys.push((line, key));
                    }
                }
                Some((_, false)) => self.bad_key(kind, line, &key, &pending.header),
            },
        }
    }

    fn bad_key(&mut self, kind: FileKind, line: usize, key: &str, header: &str) {
        self.warn(
            kind,
            line,
            format!(
                "key `{key}` in [{header}] ignored: keys may only contain letters, digits and _-/.%@:+"
            ),
        );
    }

    /// Closes a file: the last body ends at the end of the file, and a `[profile
    /// default]` in the config file drops every plain `[default]` there.
    fn end_file(
        &mut self,
        kind: FileKind,
        length: usize,
        pending: Pending,
        last: Option<(u32, bool)>,
    ) {
        if let Some((segment, _)) = last
            && segment != NONE
        {
            self.segments[segment as usize].span.body.1 = length as u32;
        }
        for (segment, keys) in pending.plain_defaults {
            let line = self.segments[segment as usize].span.line as usize;
            if pending.has_prefixed_default {
                self.warn(
                    kind,
                    line,
                    "[default] ignored because [profile default] takes priority".into(),
                );
                self.unlink_default(segment);
            } else {
                for (line, key) in keys {
                    self.bad_key(kind, line, &key, "default");
                }
            }
        }
    }

    /// Takes one segment out of the `default` profile's list.
    fn unlink_default(&mut self, segment: u32) {
        let names = &self.names;
        let Some(entry) = self
            .profiles
            .entries
            .iter_mut()
            .find(|e| entry_name(names, e) == "default")
        else {
            return;
        };
        let mut kept = Vec::new();
        let mut at = entry.first;
        while at != NONE {
            if at != segment {
                kept.push(at);
            }
            at = self.segments[at as usize].next;
        }
        // `[profile default]` exists, so something is always kept.
        for pair in kept.windows(2) {
            self.segments[pair[0] as usize].next = pair[1];
        }
        if let (Some(&first), Some(&last)) = (kept.first(), kept.last()) {
            self.segments[last as usize].next = NONE;
            entry.first = first;
            entry.last = last;
        }
    }

    /// Warnings in file order (the config file's first), as the SDKs read the files.
    fn finish(&mut self) {
        let mut order: Vec<((FileKind, usize), String)> = std::mem::take(&mut self.warned)
            .into_iter()
            .zip(std::mem::take(&mut self.warnings))
            .collect();
        order.sort_by_key(|((kind, line), _)| (*kind == FileKind::Credentials, *line));
        self.warnings = order.into_iter().map(|(_, w)| w).collect();
    }

    /// Keeps both files' whole text in memory: for commands that read many sections.
    pub fn read_whole(&self) {
        self.config.keep_whole();
        self.credentials.keep_whole();
    }

    pub fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Config => &self.config_path,
            FileKind::Credentials => &self.credentials_path,
        }
    }

    /// An entry's sections, in file order (the config file's first).
    fn segments_of<'a>(&'a self, entry: &Entry) -> impl Iterator<Item = &'a Segment> + 'a {
        let mut at = entry.first;
        std::iter::from_fn(move || {
            let segment = self.segments.get(at as usize)?;
            at = segment.next;
            Some(segment)
        })
    }

    /// Parses and merges an entry's sections: later keys win, the credentials file last.
    fn merge(&self, entry: &Entry) -> Section {
        let mut section = Section::default();
        for segment in self.segments_of(entry) {
            let line = segment.span.line as usize;
            section.declared = Some((segment.file, line));
            let body = self.source(segment.file).read(segment.span.body());
            for property in parse::properties(&body, 0..body.len(), line + 1) {
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

    fn section<'a>(&'a self, index: &'a Index, name: &str) -> Option<&'a Section> {
        let entry = index.find(&self.names, name)?;
        Some(entry.merged.get_or_init(|| Box::new(self.merge(entry))))
    }

    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.section(&self.profiles, name)
    }

    /// Every profile's name, sorted.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.names(&self.names)
    }

    /// One setting of a profile without merging the whole profile: the cheap read for
    /// listing thousands of profiles. Same answer as `profile(name)?.get(key)`.
    pub fn profile_value(&self, name: &str, key: &str) -> Option<Cow<'_, str>> {
        keys::check(key);
        let entry = self.profiles.find(&self.names, name)?;
        if let Some(merged) = entry.merged.get() {
            return merged.get(key).map(Cow::Borrowed);
        }
        let mut found = None;
        for segment in self.segments_of(entry) {
            match self.source(segment.file).read(segment.span.body()) {
                Cow::Borrowed(body) => {
                    if let Some(value) = parse::value(body, 0..body.len(), key) {
                        found = Some(value);
                    }
                }
                Cow::Owned(body) => {
                    if let Some(value) = parse::value(&body, 0..body.len(), key) {
                        found = Some(Cow::Owned(value.into_owned()));
                    }
                }
            }
        }
        found
    }

    /// An `[sso-session NAME]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.section(&self.sso_sessions, name)
    }

    pub fn sso_session_names(&self) -> impl Iterator<Item = &str> {
        self.sso_sessions.names(&self.names)
    }

    /// A `[services NAME]` section.
    pub fn services_section(&self, name: &str) -> Option<&Section> {
        self.section(&self.services, name)
    }

    pub fn services_names(&self) -> impl Iterator<Item = &str> {
        self.services.names(&self.names)
    }

    /// Whether no profile is defined at all.
    pub fn has_no_profiles(&self) -> bool {
        self.profiles.is_empty()
    }

    /// `path, line N` for a setting of a profile, for error messages.
    pub fn locate(&self, profile: &str, key: &str) -> Option<String> {
        keys::check(key);
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
        self.warned.push((kind, line));
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

/// `profile  dev` → (Some("profile"), "dev"); `default` → (None, "default").
fn split_header(header: &str) -> (Option<&str>, &str) {
    match header.bytes().position(|b| b == b' ' || b == b'\t') {
        Some(at) => (Some(&header[..at]), parse::trim(&header[at + 1..])),
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

    /// Loading reads files a chunk at a time: sections across chunk boundaries, a last
    /// line without a newline and errors far down must come out as from one string.
    #[test]
    fn files_read_in_chunks_load_as_whole_texts_do() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("[profile p{i}]\r\nregion = r{i}\n# c\n\n"));
        }
        text.push_str("[default]\nbad key = 1\n[profile default]\nregion = d\nlast = x");
        assert!(text.len() > 2 * CHUNK);
        let config = dir.path().join("config");
        std::fs::write(&config, &text).unwrap();
        let env = Env::from_pairs([
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"),
        ]);
        let loaded = ConfigSet::load(&env).unwrap();
        let whole =
            ConfigSet::from_texts(&config, &text, Path::new("/nonexistent/credentials"), "")
                .unwrap();
        for name in ["p0", "p9999", "p19999", "default"] {
            assert_eq!(loaded.profile(name), whole.profile(name), "{name}");
        }
        assert_eq!(
            loaded.profile("p12345").unwrap().get("region"),
            Some("r12345")
        );
        assert_eq!(loaded.profile("default").unwrap().get("last"), Some("x"));
        assert_eq!(loaded.warnings, whole.warnings);
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert_eq!(loaded.profile_names().count(), 20_001);

        std::fs::write(&config, format!("{text}\n[profile broken\n")).unwrap();
        let e = ConfigSet::load(&env).unwrap_err();
        assert!(
            format!("{e:#}").contains(&format!("line {}", 20_000 * 4 + 6)),
            "{e:#}"
        );
    }
}
