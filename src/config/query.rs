//! Reading what loading found: a section's text read and merged on first use, one
//! value without merging, the names of each kind.

use super::disk;
use super::index::{Entry, Index, Segment};
use super::source::Source;
use super::{ConfigSet, FileKind, Section, Setting, is_identifier, keys, parse};
use std::borrow::Cow;
use std::path::Path;

impl ConfigSet {
    pub(super) fn source(&self, kind: FileKind) -> &Source {
        match kind {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
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
    pub(super) fn segments_of<'a>(
        &'a self,
        entry: &Entry,
    ) -> impl Iterator<Item = &'a Segment> + 'a {
        let mut at = entry.first;
        std::iter::from_fn(move || {
            let segment = self.segments.get(at as usize)?;
            at = segment.next;
            Some(segment)
        })
    }

    /// Parses and merges an entry's sections: later keys win, the credentials file last.
    pub(super) fn merge(&self, entry: &Entry) -> Section {
        self.merge_spans(self.segments_of(entry).map(|s| (s.file, s.span)))
    }

    /// Parses and merges sections given as (file, span), in file order.
    fn merge_spans(&self, spans: impl Iterator<Item = (FileKind, parse::SectionSpan)>) -> Section {
        let mut section = Section::default();
        for (file, span) in spans {
            let line = span.line as usize;
            section.declared = Some((file, line));
            let body = self.source(file).read(span.body());
            for property in parse::properties(&body, 0..body.len(), line + 1) {
                // Keys that are not valid names were warned about when loading.
                if is_identifier(&property.key) {
                    section.settings.insert(
                        property.key,
                        Setting {
                            value: property.value,
                            file,
                            line: property.line,
                        },
                    );
                }
            }
        }
        section
    }

    pub(super) fn section<'a>(
        &'a self,
        kind: disk::Kind,
        index: &'a Index,
        name: &str,
    ) -> Option<&'a Section> {
        if let Some(table) = &self.disk {
            let (i, segments) = table.find(kind, name)?;
            return Some(
                self.lazy
                    .slot(i)?
                    .get_or_init(|| Box::new(self.merge_spans(segments.into_iter()))),
            );
        }
        let entry = index.find(&self.names, name)?;
        Some(entry.merged.get_or_init(|| Box::new(self.merge(entry))))
    }

    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.section(disk::Kind::Profile, &self.profiles, name)
    }

    /// Every profile's name, sorted.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.names_of(disk::Kind::Profile, &self.profiles)
    }

    /// The sorted names of one kind, from the on-disk index or the scan's.
    fn names_of<'a>(&'a self, kind: disk::Kind, index: &'a Index) -> impl Iterator<Item = &'a str> {
        let disk = self.disk.as_ref().map(|t| t.names(kind));
        let scanned = self.disk.is_none().then(|| index.names(&self.names));
        disk.into_iter()
            .flatten()
            .chain(scanned.into_iter().flatten())
    }

    /// One setting of a profile without merging the whole profile: the cheap read for
    /// listing thousands of profiles. Same answer as `profile(name)?.get(key)`.
    pub fn profile_value(&self, name: &str, key: &str) -> Option<Cow<'_, str>> {
        keys::check(key);
        if self.disk.is_some() {
            return self.profile(name)?.get(key).map(Cow::Borrowed);
        }
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
        self.section(disk::Kind::SsoSession, &self.sso_sessions, name)
    }

    pub fn sso_session_names(&self) -> impl Iterator<Item = &str> {
        self.names_of(disk::Kind::SsoSession, &self.sso_sessions)
    }

    /// A `[services NAME]` section.
    pub fn services_section(&self, name: &str) -> Option<&Section> {
        self.section(disk::Kind::Services, &self.services, name)
    }

    pub fn services_names(&self) -> impl Iterator<Item = &str> {
        self.names_of(disk::Kind::Services, &self.services)
    }

    /// Whether no profile is defined at all.
    pub fn has_no_profiles(&self) -> bool {
        match &self.disk {
            Some(table) => !table.has(disk::Kind::Profile),
            None => self.profiles.is_empty(),
        }
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
}
