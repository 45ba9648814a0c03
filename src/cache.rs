//! hat's credential cache: one JSON file per cache key under the user's cache
//! directory, 0600 files in a 0700 directory, written atomically through [`crate::fs`]
//! so a reader never sees half a file, and a lock per key so parallel shells make one
//! STS call (and ask for one MFA code) instead of several.

use crate::clock;
use crate::creds::Credentials;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// The prefix of the temporary files hat wrote here before [`crate::fs`] existed; a
/// writer killed mid-store left them, holding credentials.
const OLD_TEMP_PREFIX: &str = ".tmp-";

/// The file whose modification time says when the cache was last pruned.
const PRUNED_MARKER: &str = ".pruned";

/// The cache is pruned at most this often (seconds), after a store.
const PRUNE_EVERY: u64 = 24 * 60 * 60;

/// A lock file is left alone for this long after its last use (seconds), so pruning
/// never races a shell that is about to take it.
const LOCK_IDLE: u64 = 60 * 60;

/// Cached credentials are used until this many seconds before they expire.
pub const REFRESH_MARGIN: i64 = 5 * 60;

/// A stable digest of everything that changes an answer; parts are length-prefixed so
/// no two different lists of parts can collide by concatenation.
pub fn key(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache under `root` (hat's cache directory); nothing is created until a write.
    pub fn new(root: &Path) -> Self {
        Cache {
            dir: root.join("credentials"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The cached credentials for `key` if they are good for at least [`REFRESH_MARGIN`].
    /// A missing, unreadable or corrupt entry is simply a miss.
    pub fn load(&self, key: &str, now: i64) -> Option<Credentials> {
        let bytes = fs::read(self.path(key)).ok()?;
        let creds: Credentials = serde_json::from_slice(&bytes).ok()?;
        match creds.expiration {
            Some(expiration) if expiration - now > REFRESH_MARGIN => Some(creds),
            _ => None,
        }
    }

    /// Writes atomically with mode 0600, creating the directory with mode 0700. Then
    /// removes the temporary files killed writers left here: a store follows a fetch
    /// over the network, so one more directory read costs nothing a user feels, while a
    /// cache hit (the path that must stay cheap) never pays for it.
    pub fn store(&self, key: &str, creds: &Credentials) -> Result<()> {
        self.ensure_dir()?;
        crate::fs::write(&self.path(key), serde_json::to_vec(creds)?)
            .with_context(|| format!("could not write to the cache in {}", self.dir.display()))?;
        crate::fs::remove_stale_temps(&self.dir, &[OLD_TEMP_PREFIX]);
        self.prune_if_due(clock::now());
        Ok(())
    }

    /// [`Cache::prune`] when the last one is more than a day old: one `stat` of the
    /// marker after a store (which follows a network fetch), never on a cache hit.
    fn prune_if_due(&self, now: i64) {
        let marker = self.dir.join(PRUNED_MARKER);
        let recent = fs::metadata(&marker)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() < PRUNE_EVERY);
        if recent || crate::fs::write(&marker, b"").is_err() {
            return;
        }
        let pruned = self.prune(now);
        if pruned.entries + pruned.locks > 0 {
            crate::verbose!(
                "cache: removed {} expired entries and {} unused lock files",
                pruned.entries,
                pruned.locks
            );
        }
    }

    /// Removes expired (and unreadable) entries, and lock files that no entry needs,
    /// that nobody holds and that were not used for an hour. One directory read and a
    /// small read per entry; a lock removed just as a shell opens it costs at most one
    /// extra STS call, never a wrong answer (writes are atomic).
    pub fn prune(&self, now: i64) -> Pruned {
        let mut pruned = Pruned::default();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return pruned;
        };
        let mut locks = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            match path.extension().and_then(|e| e.to_str()) {
                Some("json") => {
                    let expired = fs::read(&path)
                        .ok()
                        .and_then(|b| serde_json::from_slice::<Credentials>(&b).ok())
                        .is_none_or(|c| c.expiration.is_some_and(|e| e <= now));
                    if expired && fs::remove_file(&path).is_ok() {
                        pruned.entries += 1;
                    }
                }
                Some("lock") => locks.push(path),
                _ => {}
            }
        }
        for lock in locks {
            let idle = fs::metadata(&lock)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > LOCK_IDLE);
            if !idle || lock.with_extension("json").exists() {
                continue;
            }
            let Ok(file) = File::open(&lock) else {
                continue;
            };
            if file.try_lock().is_ok() && fs::remove_file(&lock).is_ok() {
                pruned.locks += 1;
            }
        }
        pruned
    }

    /// Deletes an entry; a missing one is fine.
    pub fn remove(&self, key: &str) -> Result<()> {
        match fs::remove_file(self.path(key)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("could not delete {}", self.path(key).display()))
            }
            _ => Ok(()),
        }
    }

    /// Blocks until this process holds the lock for `key`; released when dropped. The
    /// caller re-checks the cache after taking it: another shell may have filled it.
    pub fn lock(&self, key: &str) -> Result<Lock> {
        self.ensure_dir()?;
        let path = self.dir.join(format!("{key}.lock"));
        let file = crate::fs::open_lock(&path)?;
        file.lock()
            .with_context(|| format!("could not lock {}", path.display()))?;
        Ok(Lock { _file: file })
    }

    fn ensure_dir(&self) -> Result<()> {
        crate::fs::create_dir(&self.dir).with_context(|| {
            format!(
                "could not create the cache directory {}",
                self.dir.display()
            )
        })
    }

    /// Seconds of life left in an entry, for `-v` messages.
    pub fn describe(creds: &Credentials, now: i64) -> String {
        match creds.remaining(now) {
            Some(left) => format!("expires in {}", clock::human(left)),
            None => "does not expire".into(),
        }
    }
}

/// One file of the cache as `hat cache` shows it.
#[derive(Debug, Clone)]
pub struct Cached {
    pub key: String,
    /// `None`: the file is not readable credentials (a miss for `load`).
    pub credentials: Option<Credentials>,
}

impl Cache {
    /// Every entry, by key; lock and temporary files are not entries.
    pub fn entries(&self) -> Vec<Cached> {
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut entries: Vec<Cached> = dir
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let key = name.strip_suffix(".json")?;
                (!key.starts_with('.')).then(|| Cached {
                    key: key.to_string(),
                    credentials: fs::read(e.path())
                        .ok()
                        .and_then(|b| serde_json::from_slice(&b).ok()),
                })
            })
            .collect();
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        entries
    }

    /// Removes every file in the cache directory (entries, locks, temporary files);
    /// returns how many entries there were.
    pub fn clear(&self) -> Result<usize> {
        let entries = self.entries().len();
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        for entry in dir.flatten() {
            let path = entry.path();
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("could not delete {}", path.display()));
                }
                _ => {}
            }
        }
        Ok(entries)
    }
}

pub struct Lock {
    _file: File,
}

/// What [`Cache::prune`] removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub entries: usize,
    pub locks: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(expiration: Option<i64>) -> Credentials {
        Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: "s".into(),
            session_token: Some("t".into()),
            expiration,
        }
    }

    #[test]
    fn keys_separate_their_parts() {
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_eq!(key(&["a"]).len(), 64);
    }

    #[test]
    fn stores_privately_and_loads_until_the_margin() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(&dir.path().join("hat"));
        // Times from 1970: as if pruned just now, so the store does not prune them.
        crate::fs::create_dir(&dir.path().join("hat")).unwrap();
        crate::fs::create_dir(cache.dir()).unwrap();
        crate::fs::write(&cache.dir().join(PRUNED_MARKER), b"").unwrap();
        let now = 1_000_000;
        cache.store("k", &creds(Some(now + 3600))).unwrap();
        assert_eq!(cache.load("k", now), Some(creds(Some(now + 3600))));
        assert_eq!(cache.load("k", now + 3600 - REFRESH_MARGIN), None);
        assert_eq!(cache.load("missing", now), None);

        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(cache.dir()), 0o700);
            assert_eq!(mode(&cache.dir().join("k.json")), 0o600);
        }
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != PRUNED_MARKER)
            .collect();
        assert_eq!(names, ["k.json"]);
    }

    #[test]
    fn a_store_removes_the_temp_files_killed_writers_left() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        cache.store("k", &creds(Some(4_000_000_000))).unwrap();
        let old = std::time::SystemTime::now() - crate::fs::STALE_AFTER * 2;
        let left: Vec<PathBuf> = [OLD_TEMP_PREFIX, crate::fs::TEMP_PREFIX]
            .iter()
            .map(|prefix| cache.dir().join(format!("{prefix}abc")))
            .collect();
        for path in &left {
            fs::write(path, b"{}").unwrap();
            File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        // A hit reads only its own file.
        assert!(cache.load("k", 0).is_some());
        assert!(left.iter().all(|p| p.exists()));
        cache.store("other", &creds(Some(4_000_000_000))).unwrap();
        assert!(left.iter().all(|p| !p.exists()));
    }

    #[test]
    fn prune_removes_expired_entries_and_idle_orphaned_locks_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let now = clock::now();
        cache.store("fresh", &creds(Some(now + 3600))).unwrap();
        cache.store("expired", &creds(Some(now - 10))).unwrap();
        cache.store("forever", &creds(None)).unwrap();
        std::fs::write(cache.dir().join("corrupt.json"), b"{").unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * LOCK_IDLE);
        let aged = |key: &str| {
            drop(cache.lock(key).unwrap());
            let file = File::options()
                .write(true)
                .open(cache.dir().join(format!("{key}.lock")))
                .unwrap();
            file.set_modified(old).unwrap();
        };
        aged("fresh"); // its entry is still good: kept
        aged("orphan"); // no entry, idle: removed
        aged("held"); // no entry, but a shell holds it: kept
        let held = cache.lock("held").unwrap();
        File::options()
            .write(true)
            .open(cache.dir().join("held.lock"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        drop(cache.lock("recent").unwrap()); // used just now: kept

        assert_eq!(
            cache.prune(now),
            Pruned {
                entries: 2,
                locks: 1
            }
        );
        let mut left: Vec<String> = std::fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != PRUNED_MARKER)
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "forever.json",
                "fresh.json",
                "fresh.lock",
                "held.lock",
                "recent.lock"
            ]
        );
        drop(held);
    }

    #[test]
    fn a_store_prunes_at_most_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let now = clock::now();
        cache.store("a", &creds(Some(now + 3600))).unwrap();
        assert!(cache.dir().join(PRUNED_MARKER).exists());
        std::fs::write(
            cache.path("old"),
            serde_json::to_vec(&creds(Some(now - 1))).unwrap(),
        )
        .unwrap();
        cache.store("b", &creds(Some(now + 3600))).unwrap();
        assert!(cache.path("old").exists(), "pruned again within the day");
        let marker = File::options()
            .write(true)
            .open(cache.dir().join(PRUNED_MARKER))
            .unwrap();
        marker
            .set_modified(
                std::time::SystemTime::now() - std::time::Duration::from_secs(PRUNE_EVERY + 60),
            )
            .unwrap();
        cache.store("c", &creds(Some(now + 3600))).unwrap();
        assert!(!cache.path("old").exists());
    }

    #[test]
    fn corrupt_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        cache.store("k", &creds(Some(i64::MAX / 2))).unwrap();
        fs::write(cache.dir().join("k.json"), b"{not json").unwrap();
        assert_eq!(cache.load("k", 0), None);
        // Entries without an expiry are never served from the cache.
        cache.store("k", &creds(None)).unwrap();
        assert_eq!(cache.load("k", 0), None);
    }

    #[test]
    fn lock_is_exclusive_between_holders() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let held = cache.lock("k").unwrap();
        let path = cache.dir().join("k.lock");
        let other = fs::OpenOptions::new().write(true).open(&path).unwrap();
        assert!(other.try_lock().is_err());
        drop(held);
        assert!(other.try_lock().is_ok());
    }
}
