//! The on-disk index of the profile files (issue 20): a cached `assume` with a valid
//! index stats the files and reads only the sections it needs; any change to a file
//! (even within the same second, at the same size) or a damaged index means a scan.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

fn keys_profile(name: &str, key: &str) -> String {
    format!(
        "[profile {name}]\naws_access_key_id = {key}\naws_secret_access_key = S{name}\nregion = eu-west-1\n"
    )
}

/// Moves a file's mtime back, so the index may trust it (git's racy rule).
fn age(path: &Path) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(60))
        .unwrap();
}

fn index_files(sandbox: &Sandbox) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(sandbox.home().join(".cache/hat/aws-index")) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    out.sort();
    out
}

#[track_caller]
fn key_of(sandbox: &Sandbox, profile: &str) -> (String, bool) {
    let out = sandbox.assume(&[profile, "-v"]).run();
    out.success();
    let key = out.exports()["AWS_ACCESS_KEY_ID"].clone().unwrap();
    (key, out.stderr.contains("read through the index"))
}

#[test]
fn an_aged_config_is_indexed_and_the_index_serves_the_next_assume() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "{}{}",
        keys_profile("a", "AKIA1"),
        keys_profile("b", "AKIA2")
    ));
    age(&sandbox.home().join(".aws/config"));
    assert_eq!(key_of(&sandbox, "b"), ("AKIA2".into(), false));
    let index = index_files(&sandbox);
    assert_eq!(index.len(), 1, "{index:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&index[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(key_of(&sandbox, "b"), ("AKIA2".into(), true));
    assert_eq!(key_of(&sandbox, "a"), ("AKIA1".into(), true));
    // A name the index does not have is still an unknown profile, with the same help.
    sandbox
        .assume(&["c"])
        .run()
        .failure()
        .stderr_has("no profile named `c`");
}

#[test]
fn a_same_size_edit_with_the_same_mtime_is_seen() {
    let sandbox = Sandbox::new();
    let config = sandbox.home().join(".aws/config");
    sandbox.config(&keys_profile("a", "AKIA1"));
    age(&config);
    let mtime = std::fs::metadata(&config).unwrap().modified().unwrap();
    key_of(&sandbox, "a");
    assert_eq!(key_of(&sandbox, "a"), ("AKIA1".into(), true));
    // One character, same size, and the mtime put back exactly: only the ctime tells.
    sandbox.config(&keys_profile("a", "AKIA9"));
    std::fs::File::options()
        .write(true)
        .open(&config)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(key_of(&sandbox, "a"), ("AKIA9".into(), false));
    assert_eq!(key_of(&sandbox, "a"), ("AKIA9".into(), true));
}

#[test]
fn an_edit_in_the_same_second_is_seen_and_a_young_file_is_never_indexed() {
    let sandbox = Sandbox::new();
    sandbox.config(&keys_profile("a", "AKIA1"));
    assert_eq!(key_of(&sandbox, "a"), ("AKIA1".into(), false));
    sandbox.config(&keys_profile("a", "AKIA2"));
    assert_eq!(key_of(&sandbox, "a"), ("AKIA2".into(), false));
    assert!(index_files(&sandbox).is_empty(), "a racy file was indexed");
}

#[test]
fn a_corrupt_truncated_or_foreign_index_is_ignored_and_rebuilt() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "{}{}",
        keys_profile("a", "AKIA1"),
        keys_profile("b", "AKIA2")
    ));
    age(&sandbox.home().join(".aws/config"));
    key_of(&sandbox, "a");
    let index = index_files(&sandbox).pop().unwrap();
    let good = std::fs::read(&index).unwrap();
    let mut foreign = good.clone();
    foreign[..8].copy_from_slice(b"HATIDX9\n");
    let mut longer = good.clone();
    longer.push(0);
    for damaged in [
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
        longer,
        foreign,
        b"garbage".to_vec(),
        Vec::new(),
    ] {
        std::fs::write(&index, &damaged).unwrap();
        // The damaged file's own mtime is now: it still may not be trusted for a file
        // older than it; what must hold is the right answer and a good index after.
        let (key, _) = key_of(&sandbox, "b");
        assert_eq!(key, "AKIA2");
        let (key, _) = key_of(&sandbox, "a");
        assert_eq!(key, "AKIA1");
    }
    assert_eq!(key_of(&sandbox, "a"), ("AKIA1".into(), true));
}

#[test]
fn a_syntax_error_is_reported_with_file_and_line_through_the_index() {
    let sandbox = Sandbox::new();
    let config = sandbox.home().join(".aws/config");
    sandbox.config(&format!("{}[profile broken\n", keys_profile("a", "AKIA1")));
    age(&config);
    for _ in 0..2 {
        sandbox
            .assume(&["a"])
            .run()
            .failure()
            .stderr_has(&format!("{}, line 5", config.display()));
    }
    assert_eq!(index_files(&sandbox).len(), 1);
}

#[test]
fn each_aws_config_file_has_its_own_index() {
    let sandbox = Sandbox::new();
    let one = sandbox.write("one", &keys_profile("a", "AKIAONE"));
    let two = sandbox.write("two", &keys_profile("a", "AKIATWO"));
    age(&one);
    age(&two);
    let run = |path: &Path| {
        let out = sandbox
            .assume(&["a", "-v"])
            .env("AWS_CONFIG_FILE", path.to_str().unwrap())
            .run();
        out.success();
        (
            out.exports()["AWS_ACCESS_KEY_ID"].clone().unwrap(),
            out.stderr.contains("read through the index"),
        )
    };
    assert_eq!(run(&one), ("AKIAONE".into(), false));
    assert_eq!(run(&two), ("AKIATWO".into(), false));
    assert_eq!(run(&one), ("AKIAONE".into(), true));
    assert_eq!(run(&two), ("AKIATWO".into(), true));
    assert_eq!(index_files(&sandbox).len(), 2);
}

#[test]
fn a_cached_assume_with_a_valid_index_does_not_read_the_whole_config() {
    let sandbox = Sandbox::new();
    let mut text = String::new();
    for i in 0..5_000 {
        text.push_str(&keys_profile(&format!("p{i}"), &format!("AKIA{i}")));
    }
    sandbox.config(&text);
    let config = sandbox.home().join(".aws/config");
    age(&config);
    key_of(&sandbox, "p4321");
    let log = sandbox.path("strace.log");
    let mut cmd = sandbox.peer("strace");
    cmd.args([
        "-f",
        "-qq",
        "-y",
        "-e",
        "trace=read,pread64,readv,preadv,mmap",
        "-o",
    ])
    .arg(&log)
    .arg(env!("CARGO_BIN_EXE_hat"))
    .args(["assume", "--shell", "bash", "p4321"])
    .env("HAT_TEST", "1");
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("AKIA4321"),
        "{out:?}"
    );
    let log = std::fs::read_to_string(&log).unwrap();
    let needle = format!("<{}>", config.display());
    let read: usize = log
        .lines()
        .filter(|l| l.contains(&needle))
        .filter_map(|l| l.rsplit("= ").next()?.trim().parse::<usize>().ok())
        .sum();
    assert!(
        read > 0,
        "the profile's section is read from the file:\n{log}"
    );
    assert!(
        read < text.len() / 100,
        "{read} of {} bytes of the config read:\n{log}",
        text.len()
    );
}
