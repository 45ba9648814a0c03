//! Loading: each file read a chunk of whole lines at a time, every line's syntax checked
//! by the byte scanner (`parse`), every section filed in the index by the SDKs' rules
//! (what is skipped is warned about, with file and line).

use super::disk;
use super::index::{NONE, Segment, entry_name};
use super::source::Source;
use super::{ConfigSet, FileKind, ParseError, is_identifier, parse};
use crate::env::Env;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::OnceLock as OnceCell;

/// How much of a file is read at a time while scanning.
pub(super) const CHUNK: usize = 256 * 1024;

/// What loading one file keeps until its end.
pub(super) struct Pending {
    /// The config file's plain `[default]` sections (with their bad keys), which a
    /// `[profile default]` anywhere in the file overrides.
    pub(super) plain_defaults: Vec<(u32, Vec<(usize, String)>)>,
    pub(super) has_prefixed_default: bool,
    /// The current section's header, for warnings about its keys.
    pub(super) header: String,
}

impl ConfigSet {
    /// Reads both files named by `env`. A missing file is an empty file; an unreadable
    /// or malformed one is an error naming the file (and line).
    pub fn load(env: &Env) -> Result<ConfigSet> {
        let (config_path, credentials_path) = (env.config_file(), env.credentials_file());
        let files = [open(&config_path)?, open(&credentials_path)?];
        Self::scan_opened(config_path, credentials_path, files)
    }

    /// As [`ConfigSet::load`], through the on-disk index of both files when it is
    /// valid (same identities, not racy): then the files are stat'ed, not scanned, and
    /// only the sections asked for are read. Otherwise scans, and writes the index when
    /// the files are old enough for their identity to be trusted.
    pub fn load_indexed(env: &Env) -> Result<ConfigSet> {
        let (config_path, credentials_path) = (env.config_file(), env.credentials_file());
        let files = [open(&config_path)?, open(&credentials_path)?];
        let identities = match (
            disk::Identity::of(&config_path, files[0].as_ref()),
            disk::Identity::of(&credentials_path, files[1].as_ref()),
        ) {
            (Ok(a), Ok(b)) => [a, b],
            _ => return Self::scan_opened(config_path, credentials_path, files),
        };
        let index_path = disk::path_for(&env.cache_dir(), &config_path, &credentials_path);
        match disk::load(&index_path, &identities) {
            Some(disk::Loaded::Failed(message)) => Err(anyhow::anyhow!(message)),
            Some(disk::Loaded::Clean { warnings, table }) => {
                crate::verbose!(
                    "profile files: read through the index {}",
                    index_path.display()
                );
                let mut set = ConfigSet {
                    config_path,
                    credentials_path,
                    warnings,
                    lazy: disk::Slots::new(table.len()),
                    disk: Some(table),
                    ..ConfigSet::default()
                };
                let [config, credentials] = files;
                for (kind, file) in [
                    (FileKind::Config, config),
                    (FileKind::Credentials, credentials),
                ] {
                    if let Some(file) = file {
                        *set.source_mut(kind) = Source::File {
                            file,
                            whole: OnceCell::new(),
                        };
                    }
                }
                Ok(set)
            }
            None => {
                let handles = [
                    files[0].as_ref().and_then(|f| f.try_clone().ok()),
                    files[1].as_ref().and_then(|f| f.try_clone().ok()),
                ];
                let result =
                    Self::scan_opened(config_path.clone(), credentials_path.clone(), files);
                // The files must still be what was scanned, and old enough that a
                // change within the timestamp granularity could not hide.
                let after = [
                    disk::Identity::of(&config_path, handles[0].as_ref()),
                    disk::Identity::of(&credentials_path, handles[1].as_ref()),
                ];
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as i128)
                    .unwrap_or(0);
                let same = after
                    .iter()
                    .zip(&identities)
                    .all(|(a, b)| a.as_ref().ok() == Some(b));
                if same && !identities.iter().any(|f| f.is_racy(now)) {
                    let outcome = match &result {
                        Ok(set) => set.outcome(),
                        Err(e) => disk::Outcome::Failed(format!("{e:#}")),
                    };
                    // A cache: failing to write it costs the next run a scan, nothing more.
                    if let Err(e) =
                        crate::fs::write(&index_path, disk::encode(&identities, &outcome))
                    {
                        crate::verbose!("profile files: index not written: {e:#}");
                    }
                }
                result
            }
        }
    }

    /// What the index keeps of a scanned set: its warnings and every name's sections.
    fn outcome(&self) -> disk::Outcome {
        let mut records = Vec::new();
        for (kind, index) in [
            (disk::Kind::Profile, &self.profiles),
            (disk::Kind::SsoSession, &self.sso_sessions),
            (disk::Kind::Services, &self.services),
        ] {
            for entry in &index.entries {
                let segments = self.segments_of(entry).map(|s| (s.file, s.span)).collect();
                records.push((kind, entry_name(&self.names, entry).to_string(), segments));
            }
        }
        records.sort_unstable_by(|a, b| (a.0, a.1.as_str()).cmp(&(b.0, b.1.as_str())));
        disk::Outcome::Clean {
            warnings: self.warnings.clone(),
            records,
        }
    }

    fn scan_opened(
        config_path: PathBuf,
        credentials_path: PathBuf,
        files: [Option<std::fs::File>; 2],
    ) -> Result<ConfigSet> {
        let mut set = ConfigSet {
            config_path,
            credentials_path,
            ..ConfigSet::default()
        };
        let [config, credentials] = files;
        for (kind, file) in [
            (FileKind::Config, config),
            (FileKind::Credentials, credentials),
        ] {
            let Some(file) = file else { continue };
            let path = set.path(kind).to_path_buf();
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

    pub(super) fn source_mut(&mut self, kind: FileKind) -> &mut Source {
        match kind {
            FileKind::Config => &mut self.config,
            FileKind::Credentials => &mut self.credentials,
        }
    }

    /// Reads `file` a chunk of whole lines at a time and files its sections.
    pub(super) fn scan_file(
        &mut self,
        kind: FileKind,
        path: &Path,
        file: &std::fs::File,
    ) -> Result<()> {
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

    pub(super) fn pending(&self) -> Pending {
        Pending {
            plain_defaults: Vec::new(),
            has_prefixed_default: false,
            header: String::new(),
        }
    }

    /// Files one thing the scan found. `last` is the previous section's segment (if it
    /// was kept), whose body ends where this header starts.
    pub(super) fn found(
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

    pub(super) fn bad_key(&mut self, kind: FileKind, line: usize, key: &str, header: &str) {
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
    pub(super) fn end_file(
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
    pub(super) fn unlink_default(&mut self, segment: u32) {
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
    pub(super) fn finish(&mut self) {
        let mut order: Vec<((FileKind, usize), String)> = std::mem::take(&mut self.warned)
            .into_iter()
            .zip(std::mem::take(&mut self.warnings))
            .collect();
        order.sort_by_key(|((kind, line), _)| (*kind == FileKind::Credentials, *line));
        self.warnings = order.into_iter().map(|(_, w)| w).collect();
    }

    pub(super) fn warn(&mut self, kind: FileKind, line: usize, message: String) {
        let path = self.path(kind).display().to_string();
        self.warnings
            .push(format!("{path}, line {line}: {message}"));
        self.warned.push((kind, line));
    }

    /// Decides what a section header means in a file of `kind`, warning about (and
    /// skipping) what the SDKs skip. The name returned is a slice of `header`.
    pub(super) fn classify<'h>(
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

/// Opens a profile file; a missing one is None (an empty file), an unreadable one an
/// error naming it.
fn open(path: &Path) -> Result<Option<std::fs::File>> {
    match std::fs::File::open(path) {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("could not read {}", path.display())),
    }
}

pub(super) enum Target {
    Profile,
    SsoSession,
    Services,
}

/// `profile  dev` → (Some("profile"), "dev"); `default` → (None, "default").
pub(super) fn split_header(header: &str) -> (Option<&str>, &str) {
    match header.bytes().position(|b| b == b' ' || b == b'\t') {
        Some(at) => (Some(&header[..at]), parse::trim(&header[at + 1..])),
        None => (None, header),
    }
}
