//! The user's profile files: `~/.aws/config` and `~/.aws/credentials` read by the AWS
//! SDKs' rules and merged into one view (the credentials file wins key by key). Every
//! setting remembers the file and line it came from, so errors can point at it.

mod disk;
pub mod edit;
mod index;
pub mod keys;
mod parse;
mod query;
mod scan;
mod source;

pub use parse::ParseError;

use crate::env::Env;
use anyhow::Result;
use index::{Index, Segment};
use source::Source;
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    /// The on-disk index, when loading used it: names are searched there and each
    /// section merged on first use into `lazy` (a slot per record, allocated as used).
    disk: Option<disk::Table>,
    lazy: disk::Slots,
}

/// Settings whose values are secrets: never printed unless asked for.
pub fn is_secret_key(key: &str) -> bool {
    matches!(
        key,
        "aws_secret_access_key" | "aws_session_token" | "aws_security_token"
    )
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

/// [`ConfigSet::load_indexed`], then each of its warnings on stderr: for commands that
/// read a few named profiles (a cached `assume`), not the whole file.
pub fn load_indexed(env: &Env) -> Result<ConfigSet> {
    let config = ConfigSet::load_indexed(env)?;
    for warning in &config.warnings {
        crate::log::warn(warning);
    }
    Ok(config)
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
    use super::scan::CHUNK;
    use super::*;
    use std::path::Path;

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

    /// The on-disk index answers exactly as the scan does: duplicates merged, a
    /// `[profile default]` over `[default]`, the credentials file winning, warnings.
    #[test]
    fn the_on_disk_index_answers_as_the_scan_does() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        std::fs::write(
            &config,
            "[default]\nregion = a\n[profile a]\nx = 1\ny = 1\n[nope]\n[profile b]\nregion = eu-\n  west\n[profile a]\ny = 2\nbad key = 3\n[profile default]\nregion = d\n[sso-session s]\nsso_region = r\n[services v]\nsts =\n  endpoint_url = http://x\n",
        )
        .unwrap();
        std::fs::write(&credentials, "[a]\ny = 3\n[c]\nk = v\n[profile p]\n").unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        for path in [&config, &credentials] {
            let file = std::fs::File::options().write(true).open(path).unwrap();
            file.set_modified(old).unwrap();
        }
        let env = Env::from_pairs([
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
            ("HAT_CACHE_DIR", dir.path().join("cache").to_str().unwrap()),
        ]);
        let scanned = ConfigSet::load(&env).unwrap();
        let first = ConfigSet::load_indexed(&env).unwrap();
        assert!(first.disk.is_none(), "the first load scans");
        let indexed = ConfigSet::load_indexed(&env).unwrap();
        assert!(indexed.disk.is_some(), "the second load uses the index");
        assert_eq!(indexed.warnings, scanned.warnings);
        assert_eq!(
            indexed.profile_names().collect::<Vec<_>>(),
            scanned.profile_names().collect::<Vec<_>>()
        );
        for name in ["a", "b", "c", "default", "p", "nope", "s"] {
            assert_eq!(indexed.profile(name), scanned.profile(name), "{name}");
            assert_eq!(
                indexed.profile_value(name, "region"),
                scanned.profile_value(name, "region"),
                "{name}"
            );
        }
        assert_eq!(indexed.sso_session("s"), scanned.sso_session("s"));
        assert_eq!(indexed.services_section("v"), scanned.services_section("v"));
        assert_eq!(indexed.sso_session_names().collect::<Vec<_>>(), ["s"]);
        assert_eq!(indexed.services_names().collect::<Vec<_>>(), ["v"]);
        assert!(!indexed.has_no_profiles());
        assert_eq!(indexed.locate("a", "y"), scanned.locate("a", "y"));
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
