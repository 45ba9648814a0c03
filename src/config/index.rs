//! The in-memory index of both files: every accepted section's place (a segment) and
//! the sections of each kind by name, in a hash table over one string of names.

use super::{FileKind, Section, parse};
use hashbrown::HashTable;
use std::sync::OnceLock as OnceCell;

/// Where one section was written: its body is read and parsed on first use.
#[derive(Debug, Clone)]
pub(super) struct Segment {
    pub(super) file: FileKind,
    pub(super) span: parse::SectionSpan,
    /// The next section of the same name (NONE: none), in file order.
    pub(super) next: u32,
}

pub(super) const NONE: u32 = u32::MAX;

/// The sections of one kind (profiles, sso-sessions, services), by name.
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    pub(super) entries: Vec<Entry>,
    /// (hash of the name, index into `entries`); the hash is kept so that growing the
    /// table does not read every name again.
    pub(super) table: HashTable<(u64, u32)>,
    /// `entries` sorted by name, made when someone lists the names.
    pub(super) sorted: OnceCell<Vec<u32>>,
}

#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// The name: a range of `ConfigSet::names`.
    pub(super) name: (u32, u32),
    /// The first and last of its sections in `ConfigSet::segments`.
    pub(super) first: u32,
    pub(super) last: u32,
    /// Boxed: most entries are never merged, and the box keeps each entry small.
    pub(super) merged: OnceCell<Box<Section>>,
}

/// FxHash's multiply-rotate over 8 bytes at a time: profile names are the user's own,
/// so nothing needs SipHash's protection, and this is several times faster.
pub(super) fn hash_name(name: &str) -> u64 {
    pub(super) const K: u64 = 0xf135_7aea_2e62_a9c5;
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
    pub(super) fn find<'a>(&'a self, names: &str, name: &str) -> Option<&'a Entry> {
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
    pub(super) fn add(&mut self, names: &mut String, name: &str, segment: u32) -> Option<u32> {
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

    pub(super) fn names<'a>(&'a self, names: &'a str) -> impl Iterator<Item = &'a str> + 'a {
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

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

pub(super) fn entry_name<'a>(names: &'a str, entry: &Entry) -> &'a str {
    &names[entry.name.0 as usize..entry.name.1 as usize]
}
