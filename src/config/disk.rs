//! The on-disk index of both profile files, for the cached path: each section name's
//! byte ranges in each file (duplicates already merged by the SDKs' rules), the
//! warnings, or the first error, keyed on both files' identity. With it valid, loading
//! stats the files and reads this one file instead of scanning 50,000 profiles.
//!
//! Trust follows git's racy-git rule: a file whose mtime is not at least
//! [`RACY_NS`] older than the index's own mtime could have changed again within the
//! timestamp granularity without its identity changing, so the entry is not trusted
//! (the file is scanned), and an index is never written while a file is that young.

use super::parse::SectionSpan;
use super::{FileKind, Section};
use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

const MAGIC: &[u8; 8] = b"HATIDX2\n";

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
            for kind in [Kind::Profile, Kind::SsoSession, Kind::Services] {
                put_u32(
                    &mut out,
                    records.iter().filter(|r| r.0 == kind).count() as u32,
                );
            }
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

/// A loaded index whose identities matched. The file stays open and each probe of
/// the binary search reads one offset pair and one record by position, so a lookup
/// at 50,000 profiles reads a few hundred bytes, not the 2 MB table; only listing
/// every name reads the records whole (once).
#[derive(Debug, Clone)]
pub(super) struct Table {
    file: Arc<File>,
    /// The file's length when it was checked: the last record ends exactly there.
    len: u64,
    /// Where the offsets table and the records start, and how many records.
    offsets: u64,
    body: u64,
    count: usize,
    /// Records per kind, in [`Kind`] order: the table is sorted by kind first.
    kinds: [usize; 3],
    /// The offsets table and the records, read whole on the first walk over names;
    /// from then on every probe reads memory (the picker and `hat list` walk the names,
    /// then look up each one).
    all: OnceLock<Option<Vec<u8>>>,
}

/// What a valid index says.
pub(super) enum Loaded {
    Clean { warnings: Vec<String>, table: Table },
    Failed(String),
}

/// How much of the file the first read takes: the identities, the outcome and the
/// counts fit in it unless there are many warnings, and then the head is read again.
const HEAD: usize = 16 * 1024;

/// Reads the index at `path` if it describes exactly `files` and can be trusted; None
/// means scan (missing, corrupt, another version, other files, or racy).
pub(super) fn load(path: &Path, files: &[Identity; 2]) -> Option<Loaded> {
    let file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let written = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    if files.iter().any(|f| f.is_racy(written)) {
        return None;
    }
    let len = meta.len();
    let mut want = HEAD.min(usize::try_from(len).ok()?);
    loop {
        let head = read_at(&file, 0, want)?;
        match parse_head(&head, files) {
            Head::Short if want < len as usize => want = (want * 4).min(len as usize),
            Head::Short | Head::Bad => return None,
            Head::Failed(message, end) => {
                return (end == len).then_some(Loaded::Failed(message));
            }
            Head::Clean {
                warnings,
                count,
                kinds,
                offsets,
            } => {
                let body = offsets.checked_add(u64::try_from(count).ok()?.checked_mul(4)?)?;
                if kinds.iter().sum::<usize>() != count {
                    return None;
                }
                let table = Table {
                    file: Arc::new(file),
                    len,
                    offsets,
                    body,
                    count,
                    kinds,
                    all: OnceLock::new(),
                };
                // Checking the last record's end against the file's length catches
                // truncation; each probe checks the record it reads.
                if count > 0 {
                    let (start, end) = table.bounds(count - 1)?;
                    table.parse(&read_at(&table.file, start, (end - start) as usize)?)?;
                } else if body != len {
                    return None;
                }
                return Some(Loaded::Clean { warnings, table });
            }
        }
    }
}

/// `n` bytes at `at`, or None when the file is shorter.
fn read_at(file: &File, at: u64, n: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; n];
    file.read_exact_at(&mut buf, at).ok()?;
    Some(buf)
}

enum Head {
    /// The head ran past the bytes read.
    Short,
    /// Not an index of these files.
    Bad,
    /// The remembered error, and where its record ends (the end of the file).
    Failed(String, u64),
    Clean {
        warnings: Vec<String>,
        count: usize,
        kinds: [usize; 3],
        /// Where the offsets table starts.
        offsets: u64,
    },
}

fn parse_head(bytes: &[u8], files: &[Identity; 2]) -> Head {
    let mut r = Reader { bytes, at: 0 };
    macro_rules! get {
        ($e:expr) => {
            match $e {
                Some(v) => v,
                None => return Head::Short,
            }
        };
    }
    if get!(r.take(8)) != MAGIC {
        return Head::Bad;
    }
    for identity in files {
        if get!(r.bytes()) != identity.path.as_os_str().as_encoded_bytes() {
            return Head::Bad;
        }
        let stat = match get!(r.u8()) {
            0 => None,
            1 => Some((
                get!(r.u64()),
                get!(r.u64()),
                get!(r.u64()),
                get!(r.i128()),
                get!(r.i128()),
            )),
            _ => return Head::Bad,
        };
        if stat != identity.stat {
            return Head::Bad;
        }
    }
    match get!(r.u8()) {
        1 => match std::str::from_utf8(get!(r.bytes())) {
            Ok(message) => Head::Failed(message.to_string(), r.at as u64),
            Err(_) => Head::Bad,
        },
        0 => {
            let n = get!(r.u32()) as usize;
            let mut warnings = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                match std::str::from_utf8(get!(r.bytes())) {
                    Ok(w) => warnings.push(w.to_string()),
                    Err(_) => return Head::Bad,
                }
            }
            let count = get!(r.u32()) as usize;
            let kinds = [
                get!(r.u32()) as usize,
                get!(r.u32()) as usize,
                get!(r.u32()) as usize,
            ];
            Head::Clean {
                warnings,
                count,
                kinds,
                offsets: r.at as u64,
            }
        }
        _ => Head::Bad,
    }
}

/// A record's sections, each as (file, span).
type Segments = Vec<(FileKind, SectionSpan)>;

/// One record, parsed: its kind, name and sections.
type Parsed = ((Kind, String), Segments);

impl Table {
    /// Where record `i` starts and ends in the file.
    fn bounds(&self, i: usize) -> Option<(u64, u64)> {
        if i >= self.count {
            return None;
        }
        let at = self
            .offsets
            .checked_add(u64::try_from(i).ok()?.checked_mul(4)?)?;
        let last = i + 1 == self.count;
        let pair = self.read(at, if last { 4 } else { 8 })?;
        let start = u64::from(u32::from_le_bytes(pair[..4].try_into().ok()?));
        let start = self.body.checked_add(start)?;
        let end = if last {
            self.len
        } else {
            self.body
                .checked_add(u64::from(u32::from_le_bytes(pair[4..].try_into().ok()?)))?
        };
        (start < end && end <= self.len).then_some((start, end))
    }

    /// A record's bytes, whole: its kind, name and segments and nothing after them.
    fn parse(&self, bytes: &[u8]) -> Option<Parsed> {
        let mut r = Reader { bytes, at: 0 };
        let (key, segments) = record(&mut r)?;
        (r.at == bytes.len()).then(|| ((key.0, key.1.to_string()), segments))
    }

    /// Record `i`, read from the file (or memory, once the table is read whole).
    fn record(&self, i: usize) -> Option<Parsed> {
        let (start, end) = self.bounds(i)?;
        self.parse(&self.read(start, usize::try_from(end - start).ok()?)?)
    }

    /// `n` bytes of the file at `at`: from the whole table when it has been read, else
    /// one pread.
    fn read(&self, at: u64, n: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
        if let Some(Some(all)) = self.all.get() {
            let from = usize::try_from(at.checked_sub(self.offsets)?).ok()?;
            return all
                .get(from..from.checked_add(n)?)
                .map(std::borrow::Cow::Borrowed);
        }
        read_at(&self.file, at, n).map(std::borrow::Cow::Owned)
    }

    /// The records of table `kind`: a range of record numbers.
    fn range(&self, kind: Kind) -> std::ops::Range<usize> {
        let start: usize = self.kinds[..kind as usize].iter().sum();
        start..start + self.kinds[kind as usize]
    }

    /// The record number of `name` in table `kind`, by binary search, and its sections.
    pub(super) fn find(&self, kind: Kind, name: &str) -> Option<(usize, Segments)> {
        let range = self.range(kind);
        let (mut low, mut high) = (range.start, range.end);
        while low < high {
            let mid = low + (high - low) / 2;
            let ((k, found), segments) = self.record(mid)?;
            match (k, found.as_str()).cmp(&(kind, name)) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some((mid, segments)),
            }
        }
        None
    }

    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// The names in table `kind`, sorted (the table's own order). Reads the records
    /// whole the first time; a corrupt record ends the walk.
    pub(super) fn names(&self, kind: Kind) -> impl Iterator<Item = &str> + '_ {
        let all = self
            .all
            .get_or_init(|| {
                let n = usize::try_from(self.len.checked_sub(self.offsets)?).ok()?;
                read_at(&self.file, self.offsets, n)
            })
            .as_deref()
            .unwrap_or_default();
        let body = usize::try_from(self.body - self.offsets).unwrap_or(usize::MAX);
        let all = all.get(body..).unwrap_or_default();
        let skip: usize = self.kinds[..kind as usize].iter().sum();
        let take = self.kinds[kind as usize];
        let mut r = Reader { bytes: all, at: 0 };
        std::iter::from_fn(move || record(&mut r).map(|((_, name), _)| name))
            .skip(skip)
            .take(take)
    }

    pub(super) fn has(&self, kind: Kind) -> bool {
        self.kinds[kind as usize] > 0
    }
}

/// The record at the reader's position: (kind, name) and its sections.
fn record<'a>(r: &mut Reader<'a>) -> Option<((Kind, &'a str), Segments)> {
    let kind = match r.u8()? {
        0 => Kind::Profile,
        1 => Kind::SsoSession,
        2 => Kind::Services,
        _ => return None,
    };
    let name = r.str()?;
    let n = r.u32()? as usize;
    let mut segments = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let file = match r.u8()? {
            0 => FileKind::Config,
            1 => FileKind::Credentials,
            _ => return None,
        };
        let (line, start, end) = (r.u32()?, r.u32()?, r.u32()?);
        segments.push((
            file,
            SectionSpan {
                line,
                body: (start, end),
            },
        ));
    }
    Some(((kind, name), segments))
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

/// One slot per record of a [`Table`] for its section once merged, allocated 64 at a
/// time on first use: a lookup in a 50,000-profile index touches one chunk, not the
/// 800 KB a slot per record would fault in.
#[derive(Debug, Clone, Default)]
pub(super) struct Slots {
    count: usize,
    chunks: Vec<OnceLock<Chunk>>,
}

const CHUNK: usize = 64;
type Chunk = Box<[OnceLock<Box<Section>>; CHUNK]>;

impl Slots {
    pub(super) fn new(count: usize) -> Slots {
        Slots {
            count,
            chunks: (0..count.div_ceil(CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// The slot of record `i`, None past the end.
    pub(super) fn slot(&self, i: usize) -> Option<&OnceLock<Box<Section>>> {
        if i >= self.count {
            return None;
        }
        let chunk = self.chunks.get(i / CHUNK)?;
        Some(&chunk.get_or_init(|| Box::new(std::array::from_fn(|_| OnceLock::new())))[i % CHUNK])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn span(line: u32) -> SectionSpan {
        SectionSpan {
            line,
            body: (line * 10, line * 10 + 5),
        }
    }

    /// Two profile files older than the racy window, and an index of `outcome` beside
    /// them, dated now.
    fn fixture(outcome: &Outcome) -> (tempfile::TempDir, [Identity; 2], PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "[default]\n").unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&config)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let file = File::open(&config).unwrap();
        let files = [
            Identity::of(&config, Some(&file)).unwrap(),
            Identity::of(&dir.path().join("credentials"), None).unwrap(),
        ];
        let index = dir.path().join("index");
        std::fs::write(&index, encode(&files, outcome)).unwrap();
        (dir, files, index)
    }

    fn records(n: usize) -> Vec<Record> {
        let mut records: Vec<Record> = (0..n)
            .map(|i| {
                let mut segments = vec![(FileKind::Config, span(i as u32))];
                if i % 7 == 0 {
                    segments.push((FileKind::Credentials, span(i as u32 + 1)));
                }
                (Kind::Profile, format!("profile-{i:05}"), segments)
            })
            .collect();
        records.push((
            Kind::SsoSession,
            "corp".into(),
            vec![(FileKind::Config, span(3))],
        ));
        records.push((
            Kind::Services,
            "local".into(),
            vec![(FileKind::Config, span(4))],
        ));
        records.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        records
    }

    #[test]
    fn every_name_is_found_by_position_with_its_sections() {
        let records = records(3000);
        let outcome = Outcome::Clean {
            warnings: vec!["config, line 9: a warning".into()],
            records: records.clone(),
        };
        let (_dir, files, index) = fixture(&outcome);
        let Some(Loaded::Clean { warnings, table }) = load(&index, &files) else {
            panic!("the index did not load");
        };
        assert_eq!(warnings, ["config, line 9: a warning"]);
        assert_eq!(table.len(), records.len());
        for (i, (kind, name, segments)) in records.iter().enumerate() {
            assert_eq!(
                table.find(*kind, name),
                Some((i, segments.clone())),
                "{name}"
            );
        }
        assert_eq!(table.find(Kind::Profile, "corp"), None);
        assert_eq!(table.find(Kind::SsoSession, "profile-00001"), None);
        assert_eq!(table.find(Kind::Profile, "profile-99999"), None);
        assert_eq!(table.names(Kind::Profile).count(), 3000);
        assert_eq!(table.names(Kind::Profile).nth(2), Some("profile-00002"));
        assert_eq!(table.names(Kind::SsoSession).collect::<Vec<_>>(), ["corp"]);
        assert_eq!(table.names(Kind::Services).collect::<Vec<_>>(), ["local"]);
        // The walk read the table whole: the same answers now come from memory, even
        // with the open file emptied under it.
        File::options()
            .write(true)
            .open(&index)
            .unwrap()
            .set_len(0)
            .unwrap();
        for (i, (kind, name, segments)) in records.iter().enumerate() {
            assert_eq!(
                table.find(*kind, name),
                Some((i, segments.clone())),
                "{name}"
            );
        }
        assert_eq!(table.find(Kind::Profile, "profile-99999"), None);
        assert!(table.has(Kind::Services));
    }

    #[test]
    fn a_remembered_error_and_an_empty_table_load() {
        let (_dir, files, index) = fixture(&Outcome::Failed("config, line 2: bad".into()));
        assert!(
            matches!(load(&index, &files), Some(Loaded::Failed(m)) if m == "config, line 2: bad")
        );
        let empty = Outcome::Clean {
            warnings: Vec::new(),
            records: Vec::new(),
        };
        let (_dir, files, index) = fixture(&empty);
        let Some(Loaded::Clean { table, .. }) = load(&index, &files) else {
            panic!("the empty index did not load");
        };
        assert!(!table.has(Kind::Profile));
        assert_eq!(table.find(Kind::Profile, "default"), None);
    }

    #[test]
    fn many_warnings_push_the_head_past_the_first_read() {
        let outcome = Outcome::Clean {
            warnings: (0..2000)
                .map(|i| format!("config, line {i}: skipped"))
                .collect(),
            records: records(10),
        };
        let (_dir, files, index) = fixture(&outcome);
        let Some(Loaded::Clean { warnings, table }) = load(&index, &files) else {
            panic!("the index did not load");
        };
        assert_eq!(warnings.len(), 2000);
        assert!(table.find(Kind::Profile, "profile-00009").is_some());
    }

    #[test]
    fn truncated_extended_or_other_files_are_not_trusted() {
        let outcome = Outcome::Clean {
            warnings: Vec::new(),
            records: records(100),
        };
        let (dir, files, index) = fixture(&outcome);
        let bytes = std::fs::read(&index).unwrap();
        for cut in [1, 13, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&index, &bytes[..cut]).unwrap();
            assert!(load(&index, &files).is_none(), "cut at {cut}");
        }
        std::fs::write(&index, [&bytes[..], b"x"].concat()).unwrap();
        assert!(load(&index, &files).is_none(), "a byte appended");
        std::fs::write(&index, &bytes).unwrap();
        assert!(load(&index, &files).is_some());
        // Another file at the same path: a different identity.
        let config = dir.path().join("config");
        std::fs::write(&config, "[default]\nregion = x\n").unwrap();
        let file = File::open(&config).unwrap();
        let changed = [
            Identity::of(&config, Some(&file)).unwrap(),
            files[1].clone(),
        ];
        assert!(load(&index, &changed).is_none());
    }

    #[test]
    fn slots_are_shared_per_record_and_bounded() {
        let slots = Slots::new(130);
        assert!(slots.slot(129).is_some());
        assert!(slots.slot(130).is_none());
        let first = slots.slot(65).unwrap() as *const _;
        assert_eq!(first, slots.slot(65).unwrap() as *const _);
        assert_ne!(first, slots.slot(66).unwrap() as *const _);
    }
}
