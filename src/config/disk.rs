//! The on-disk index of both profile files, for the cached path: each section name's
//! byte ranges in each file (duplicates already merged by the SDKs' rules), the
//! warnings, or the first error, keyed on both files' identity. With it valid, loading
//! stats the files and reads this one file instead of scanning 50,000 profiles.
//!
//! Trust follows git's racy-git rule: a file whose mtime is not at least
//! [`RACY_NS`] older than the index's own mtime could have changed again within the
//! timestamp granularity without its identity changing, so the entry is not trusted
//! (the file is scanned), and an index is never written while a file is that young.

use super::FileKind;
use super::parse::SectionSpan;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"HATIDX1\n";

/// Two seconds: coarser than every filesystem's mtime granularity hat runs on (FAT's 2 s
/// included), so a modification the timestamps could hide is always rescanned.
pub(super) const RACY_NS: i128 = 2_000_000_000;

/// Which table a section name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Profile = 0,
    SsoSession = 1,
    Services = 2,
}

/// What identifies one file's contents without reading them (absent is an identity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Identity {
    pub(super) path: PathBuf,
    /// (device, inode, size, mtime ns, ctime ns); None: there was no file.
    pub(super) stat: Option<(u64, u64, u64, i128, i128)>,
}

impl Identity {
    pub(super) fn of(path: &Path, file: Option<&File>) -> std::io::Result<Identity> {
        let stat = match file {
            None => None,
            Some(file) => {
                let m = file.metadata()?;
                Some((
                    m.dev(),
                    m.ino(),
                    m.size(),
                    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
                    i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
                ))
            }
        };
        Ok(Identity {
            path: path.to_path_buf(),
            stat,
        })
    }

    /// Whether the file changed too recently for its timestamps to prove it has not
    /// changed again since, measured against `now` (an index's mtime, or the clock).
    pub(super) fn is_racy(&self, now_ns: i128) -> bool {
        // mtime alone, as git's index: ctime is in the identity, and any content
        // change moves mtime as well.
        self.stat
            .is_some_and(|(_, _, _, mtime, _)| mtime > now_ns.saturating_sub(RACY_NS))
    }
}

/// One name's record: its table, the name, and its sections as (file, span).
pub(super) type Record = (Kind, String, Vec<(FileKind, SectionSpan)>);

/// What the full scan found, as the index stores it.
pub(super) enum Outcome {
    /// The files scanned clean: warnings in print order, then each name's sections.
    Clean {
        warnings: Vec<String>,
        /// Sorted by (kind, name); each segment is (file, span).
        records: Vec<Record>,
    },
    /// The first syntax or read error, as it would be printed.
    Failed(String),
}

/// The index file's bytes for `files` and `outcome`.
pub(super) fn encode(files: &[Identity; 2], outcome: &Outcome) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    for identity in files {
        put_bytes(&mut out, identity.path.as_os_str().as_encoded_bytes());
        match identity.stat {
            None => out.push(0),
            Some((dev, ino, size, mtime, ctime)) => {
                out.push(1);
                for v in [dev, ino, size] {
                    out.extend_from_slice(&v.to_le_bytes());
                }
                out.extend_from_slice(&mtime.to_le_bytes());
                out.extend_from_slice(&ctime.to_le_bytes());
            }
        }
    }
    match outcome {
        Outcome::Failed(message) => {
            out.push(1);
            put_bytes(&mut out, message.as_bytes());
        }
        Outcome::Clean { warnings, records } => {
            out.push(0);
            put_u32(&mut out, warnings.len() as u32);
            for w in warnings {
                put_bytes(&mut out, w.as_bytes());
            }
            put_u32(&mut out, records.len() as u32);
            let mut body = Vec::new();
            let mut offsets = Vec::with_capacity(records.len() * 4);
            for (kind, name, segments) in records {
                offsets.extend_from_slice(&(body.len() as u32).to_le_bytes());
                body.push(*kind as u8);
                put_bytes(&mut body, name.as_bytes());
                put_u32(&mut body, segments.len() as u32);
                for (file, span) in segments {
                    body.push(u8::from(*file == FileKind::Credentials));
                    put_u32(&mut body, span.line);
                    put_u32(&mut body, span.body.0);
                    put_u32(&mut body, span.body.1);
                }
            }
            out.extend_from_slice(&offsets);
            out.extend_from_slice(&body);
        }
    }
    out
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u32(out, bytes.len() as u32);
    out.extend_from_slice(bytes);
}

/// A reader over the index's bytes that fails (None) instead of panicking on a
/// truncated or corrupt file.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn i128(&mut self) -> Option<i128> {
        Some(i128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
}

/// A loaded index whose identities matched: the sorted table is searched in place,
/// never turned into one allocation per name.
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    bytes: Vec<u8>,
    /// Where the offsets table and the records start, and how many records.
    offsets: usize,
    body: usize,
    count: usize,
}

/// What a valid index says.
pub(super) enum Loaded {
    Clean { warnings: Vec<String>, table: Table },
    Failed(String),
}

/// Reads the index at `path` if it describes exactly `files` and can be trusted; None
/// means scan (missing, corrupt, another version, other files, or racy).
pub(super) fn load(path: &Path, files: &[Identity; 2]) -> Option<Loaded> {
    let mut file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let written = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    if files.iter().any(|f| f.is_racy(written)) {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
    let mut r = Reader {
        bytes: &bytes,
        at: 0,
    };
    if r.take(8)? != MAGIC {
        return None;
    }
    for identity in files {
        if r.bytes()? != identity.path.as_os_str().as_encoded_bytes() {
            return None;
        }
        let stat = match r.u8()? {
            0 => None,
            1 => Some((r.u64()?, r.u64()?, r.u64()?, r.i128()?, r.i128()?)),
            _ => return None,
        };
        if stat != identity.stat {
            return None;
        }
    }
    match r.u8()? {
        1 => {
            let message = r.str()?.to_string();
            (r.at == bytes.len()).then_some(Loaded::Failed(message))
        }
        0 => {
            let n = r.u32()? as usize;
            let mut warnings = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                warnings.push(r.str()?.to_string());
            }
            let count = r.u32()? as usize;
            let offsets = r.at;
            r.take(count.checked_mul(4)?)?;
            let body = r.at;
            let table = Table {
                bytes,
                offsets,
                body,
                count,
            };
            // Every record must parse, or the file is not ours to trust; checking
            // the last one's end catches truncation, the search checks the rest.
            if count > 0 {
                let (_, _, end) = table.record(count - 1)?;
                if end != table.bytes.len() {
                    return None;
                }
            } else if body != table.bytes.len() {
                return None;
            }
            Some(Loaded::Clean { warnings, table })
        }
        _ => None,
    }
}

impl Table {
    /// Record `i`: its kind, name and where its segments start; plus where it ends.
    fn record(&self, i: usize) -> Option<((Kind, &str), usize, usize)> {
        let at = self.offsets.checked_add(i.checked_mul(4)?)?;
        let offset = u32::from_le_bytes(self.bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let mut r = Reader {
            bytes: &self.bytes,
            at: self.body.checked_add(offset)?,
        };
        let kind = match r.u8()? {
            0 => Kind::Profile,
            1 => Kind::SsoSession,
            2 => Kind::Services,
            _ => return None,
        };
        let name = r.str()?;
        let segments = r.at;
        let n = r.u32()? as usize;
        r.take(n.checked_mul(13)?)?;
        Some(((kind, name), segments, r.at))
    }

    /// The record number of `name` in table `kind`, by binary search.
    pub(super) fn find(&self, kind: Kind, name: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.count);
        while low < high {
            let mid = low + (high - low) / 2;
            let (key, _, _) = self.record(mid)?;
            match key.cmp(&(kind, name)) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// Record `i`'s sections, in file order.
    pub(super) fn segments(&self, i: usize) -> Vec<(FileKind, SectionSpan)> {
        let Some((_, at, _)) = self.record(i) else {
            return Vec::new();
        };
        let mut r = Reader {
            bytes: &self.bytes,
            at,
        };
        let n = r.u32().unwrap_or(0);
        let mut out = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let (Some(file), Some(line), Some(start), Some(end)) =
                (r.u8(), r.u32(), r.u32(), r.u32())
            else {
                break;
            };
            let file = if file == 1 {
                FileKind::Credentials
            } else {
                FileKind::Config
            };
            out.push((
                file,
                SectionSpan {
                    line,
                    body: (start, end),
                },
            ));
        }
        out
    }

    /// The names in table `kind`, sorted (the table's own order).
    pub(super) fn names(&self, kind: Kind) -> impl Iterator<Item = &str> + '_ {
        (0..self.count)
            .filter_map(move |i| self.record(i))
            .filter(move |((k, _), _, _)| *k == kind)
            .map(|((_, name), _, _)| name)
    }

    pub(super) fn has(&self, kind: Kind) -> bool {
        self.names(kind).next().is_some()
    }
}

/// Where the index of these two files lives: one file per pair of paths, so switching
/// `AWS_CONFIG_FILE` back and forth keeps both valid.
pub(super) fn path_for(cache_dir: &Path, config: &Path, credentials: &Path) -> PathBuf {
    let mut key = Vec::new();
    key.extend_from_slice(config.as_os_str().as_encoded_bytes());
    key.push(0);
    key.extend_from_slice(credentials.as_os_str().as_encoded_bytes());
    // FNV-1a: stable across builds and versions, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    cache_dir.join("aws-index").join(format!("{hash:016x}"))
}
