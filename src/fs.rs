//! Private files: the one place hat creates directories and writes files that may hold
//! credentials, tokens or history. Directories are 0700 and files 0600 whatever the
//! umask (the mode is set explicitly after creation, since the umask only masks what
//! `open` asks for); whole-file writes go through a temporary file in the same
//! directory, fsync and rename, so a reader sees the old file or the new one, never
//! half of one; appends use `O_APPEND` so concurrent writers never interleave inside a
//! line. Temporary files carry [`TEMP_PREFIX`] so a later run can remove those a killed
//! writer left behind ([`remove_stale_temps`]). The read before a rewrite is here too
//! ([`read_or_empty`]), so every rewriter treats a missing file the same way.

use anyhow::{Context as _, Result};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Every temporary file hat writes starts with this.
pub const TEMP_PREFIX: &str = ".hat-tmp-";

/// A temporary file older than this was left by a writer that died: no live write takes
/// this long.
pub const STALE_AFTER: Duration = Duration::from_secs(600);

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// A text file hat reads and may rewrite (a profile file, its settings): its text, or
/// empty when it does not exist yet.
pub fn read_or_empty(path: &Path) -> Result<String> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("could not read {}", path.display())),
    }
}

/// Creates `dir` and any missing parents with mode 0700, and tightens `dir` itself to
/// 0700 when it exists with looser permissions (hat's own directories only: callers
/// pass directories hat owns).
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    // The umask may have removed bits from what mkdir asked for, or the directory was
    // there before: either way, say exactly what it is.
    let mode = fs::metadata(dir)?.permissions().mode() & 0o777;
    if mode != DIR_MODE {
        fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE))?;
    }
    Ok(())
}

/// Creates the parent directories of `path` as [`create_dir`] does, leaving an existing
/// parent's mode alone (`~/.aws` belongs to the user, not to hat).
fn create_parent(path: &Path) -> Result<&Path> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        create_dir(dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    Ok(dir)
}

/// Replaces `path` with `contents` atomically, mode 0600: temporary file in the same
/// directory, fsync, rename, fsync of the directory.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    let dir = create_parent(path)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(fs::Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)
        .with_context(|| format!("could not write a temporary file in {}", dir.display()))?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(FILE_MODE))
        .and_then(|()| tmp.write_all(contents.as_ref()))
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("could not write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("could not replace {}", path.display()))?;
    // The rename is durable once the directory is; a failure here loses nothing the
    // next write would not redo.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Opens (creating, mode 0600) a file for locking: never truncated, never read.
pub fn open_lock(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options
        .create(true)
        .truncate(false)
        .write(true)
        .mode(FILE_MODE);
    let (file, _) = open_private(path, &options)
        .with_context(|| format!("could not create the lock file {}", path.display()))?;
    Ok(file)
}

/// Appends `line` to `path` (created 0600) in one `write` with `O_APPEND`, so lines
/// from parallel shells never mix; returns the file's length after the write. One open,
/// one fstat and one write when the file exists: this runs on the cached path.
pub fn append(path: &Path, line: impl AsRef<[u8]>) -> Result<u64> {
    let mut options = OpenOptions::new();
    options.create(true).append(true).mode(FILE_MODE);
    let (mut file, len) = open_private(path, &options)
        .with_context(|| format!("could not open {}", path.display()))?;
    let line = line.as_ref();
    file.write_all(line)
        .with_context(|| format!("could not write {}", path.display()))?;
    Ok(len + line.len() as u64)
}

/// Creates `path` exclusively (it must not exist), mode 0600, for a caller that writes
/// it itself.
pub fn create_new(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.create_new(true).write(true).mode(FILE_MODE);
    let (file, _) = open_private(path, &options)
        .with_context(|| format!("could not create {}", path.display()))?;
    Ok(file)
}

/// Opens with `options` (which create with mode 0600), creating the parent directories
/// only when the open says they are missing (no extra `stat` when they exist), and
/// tightens a file that exists with a looser mode. Returns the file and its length.
fn open_private(path: &Path, options: &OpenOptions) -> Result<(File, u64)> {
    let file = match options.open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create_parent(path)?;
            options.open(path)?
        }
        opened => opened?,
    };
    let meta = file.metadata()?;
    if meta.permissions().mode() & 0o777 != FILE_MODE {
        file.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    }
    Ok((file, meta.len()))
}

/// Removes the temporary files in `dir` that a killed writer left behind (older than
/// [`STALE_AFTER`]): those named [`TEMP_PREFIX`], and those named by `legacy`, the
/// prefixes earlier versions of hat used (pass them only for a directory no other
/// program writes). Returns how many went. Cheap: one directory read, and a `stat` only
/// of names that match; callers run it when they have just written the directory, not
/// on a path that only reads.
pub fn remove_stale_temps(dir: &Path, legacy: &[&str]) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.as_encoded_bytes();
        let temp = std::iter::once(TEMP_PREFIX)
            .chain(legacy.iter().copied())
            .any(|prefix| name.starts_with(prefix.as_bytes()));
        if !temp {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn write_is_atomic_private_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("file");
        write(&path, "one").unwrap();
        write(&path, "two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["file"]);
    }

    #[test]
    fn create_dir_tightens_a_loose_directory() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("d");
        fs::create_dir(&d).unwrap();
        fs::set_permissions(&d, fs::Permissions::from_mode(0o777)).unwrap();
        create_dir(&d).unwrap();
        assert_eq!(mode(&d), 0o700);
    }

    #[test]
    fn append_adds_lines_and_keeps_the_file_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("history");
        assert_eq!(append(&path, "a\n").unwrap(), 2);
        assert_eq!(append(&path, "b\n").unwrap(), 4);
        assert_eq!(fs::read_to_string(&path).unwrap(), "a\nb\n");
        assert_eq!(mode(&path), 0o600);
        // An existing file with a loose mode is tightened on the next append.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        append(&path, "c\n").unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn lock_and_new_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("x.lock");
        drop(open_lock(&lock).unwrap());
        assert_eq!(mode(&lock), 0o600);
        let new = dir.path().join("new");
        drop(create_new(&new).unwrap());
        assert_eq!(mode(&new), 0o600);
        assert!(
            create_new(&new).is_err(),
            "create_new must not reuse a file"
        );
    }

    #[test]
    fn stale_temps_are_removed_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!("{TEMP_PREFIX}old"));
        let fresh = dir.path().join(format!("{TEMP_PREFIX}new"));
        let other = dir.path().join("entry.json");
        for p in [&stale, &fresh, &other] {
            fs::write(p, "x").unwrap();
        }
        let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(old)
            .unwrap();
        File::options()
            .write(true)
            .open(&other)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(remove_stale_temps(dir.path(), &[]), 1);
        assert!(!stale.exists() && fresh.exists() && other.exists());
        // A prefix an earlier version used goes only when the caller names it.
        let legacy = dir.path().join(".tmp-old");
        fs::write(&legacy, "x").unwrap();
        File::options()
            .write(true)
            .open(&legacy)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(remove_stale_temps(dir.path(), &[]), 0);
        assert_eq!(remove_stale_temps(dir.path(), &[".tmp-"]), 1);
        assert!(!legacy.exists() && other.exists());
    }
}
