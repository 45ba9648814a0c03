//! Entry points for the cargo-fuzz targets in `fuzz/` and for the test that replays
//! their committed corpus on stable: each takes arbitrary bytes, feeds them to a reader
//! of untrusted input (the AWS profile files; the JSON of hat's cache, the SSO token and
//! registration files, credential_process and container answers) and panics only when
//! an invariant breaks. A reader returning an error is fine; a panic, a hang or an
//! error that does not say where is a bug.

use crate::config::ConfigSet;
use crate::creds::Credentials;
use crate::sso::token::{Registration, Token};
use std::path::Path;

/// The config parser on `data` as a config file and as a credentials file: it either
/// parses or names the file and a line inside it, and whatever parsed answers the same
/// through the cheap single-key read as through the merged profile.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config = Path::new("/fuzz/config");
    let credentials = Path::new("/fuzz/credentials");
    let lines = text.lines().count().max(1);
    for (config_text, credentials_text, named) in [(text, "", config), ("", text, credentials)] {
        match ConfigSet::from_texts(config, config_text, credentials, credentials_text) {
            Ok(set) => exercise(&set),
            Err(e) => {
                assert_eq!(e.path, named, "a parse error names the file it is in");
                assert!(
                    (1..=lines + 1).contains(&e.line),
                    "line {} is outside a text of {lines} lines",
                    e.line
                );
                assert!(!e.message.is_empty(), "a parse error says what is wrong");
            }
        }
    }
}

fn exercise(set: &ConfigSet) {
    let names: Vec<String> = set.profile_names().map(str::to_string).collect();
    for name in &names {
        // Cheap reads first: `profile` caches the merged section they would then use.
        let keys: Vec<String> = {
            let fresh = set.clone();
            let section = fresh
                .profile(name)
                .expect("a listed profile exists")
                .clone();
            section.settings.keys().cloned().collect()
        };
        for key in &keys {
            let cheap = set.profile_value(name, key).map(|v| v.into_owned());
            let merged = set
                .profile(name)
                .and_then(|s| s.get(key))
                .map(str::to_string);
            assert_eq!(cheap, merged, "profile `{name}` key `{key}`");
        }
        // Resolving may fail (a missing source, a cycle); it must not panic.
        let _ = crate::resolve::resolve(set, name);
    }
    for name in set
        .sso_session_names()
        .map(str::to_string)
        .collect::<Vec<_>>()
    {
        let _ = crate::sso::config::session_target(set, &name);
    }
}

/// The JSON readers: hat's cache entries, the AWS CLI's SSO token and client
/// registration files, credential_process output and the container / instance
/// metadata answer. Whatever reads back is written and read again unchanged.
pub fn json(data: &[u8]) {
    if let Ok(creds) = serde_json::from_slice::<Credentials>(data) {
        let again: Credentials =
            serde_json::from_slice(&serde_json::to_vec(&creds).expect("serialisable"))
                .expect("hat reads what it writes to its cache");
        assert_eq!(again, creds);
    }
    if let Ok(token) = serde_json::from_slice::<Token>(data) {
        let again: Token =
            serde_json::from_str(&token.to_json()).expect("hat reads the token file it writes");
        // Times are written to the second, so compare what survives a round trip.
        assert_eq!(again.access_token, token.access_token);
        assert_eq!(again.expires_at, token.expires_at);
        assert_eq!(again.refresh_token, token.refresh_token);
        let _ = token.refreshable(crate::clock::now());
    }
    if let Ok(registration) = serde_json::from_slice::<Registration>(data) {
        let again: Registration = serde_json::from_str(&registration.to_json())
            .expect("hat reads the registration file it writes");
        assert_eq!(again, registration);
    }
    let _ = crate::providers::process::parse(data);
    let _ = crate::providers::http::credentials(data, "the endpoint");
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::Config;
    use std::path::PathBuf;

    /// Every committed corpus file of `target`, through its entry point.
    fn replay(target: &str, entry: fn(&[u8])) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        let mut count = 0;
        for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = file.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| entry(&data));
            assert!(outcome.is_ok(), "{} fails", path.display());
            count += 1;
        }
        assert!(count > 0, "no corpus in {}", dir.display());
    }

    #[test]
    fn config_corpus_replays_cleanly() {
        replay("config", super::config);
    }

    #[test]
    fn json_corpus_replays_cleanly() {
        replay("json", super::json);
    }

    /// Lines that look like a profile file's, in any order and with any damage.
    fn line() -> impl Strategy<Value = String> {
        let name = "[a-zA-Z0-9 _.@-]{0,12}";
        prop_oneof![
            name.prop_map(|n| format!("[profile {n}]")),
            name.prop_map(|n| format!("[sso-session {n}]")),
            name.prop_map(|n| format!("[services {n}]")),
            name.prop_map(|n| format!("[{n}")),
            Just("[default]".to_string()),
            (
                prop_oneof![
                    Just("region"),
                    Just("role_arn"),
                    Just("source_profile"),
                    Just("sso_session"),
                    Just("credential_source"),
                    Just("aws_access_key_id"),
                    Just("s3"),
                    Just("sts"),
                    Just("Bad Key"),
                ],
                "[ \t]{0,2}",
                ".{0,20}"
            )
                .prop_map(|(k, ws, v)| format!("{k}{ws}={ws}{v}")),
            ".{0,20}".prop_map(|v| format!("  {v}")),
            ".{0,20}".prop_map(|v| format!("\t{v}")),
            ".{0,20}".prop_map(|v| format!("# {v}")),
            ".{0,20}".prop_map(|v| format!("; {v}")),
            ".{0,30}",
        ]
    }

    proptest! {
        #![proptest_config(Config { cases: 512, ..Config::default() })]

        /// Arbitrary text never panics the parser: it parses, or the error names the
        /// file and a line of it.
        #[test]
        fn the_config_parser_parses_or_names_a_file_and_line(
            lines in proptest::collection::vec(line(), 0..24),
            ending in prop_oneof![Just("\n"), Just("\r\n")],
        ) {
            super::config(lines.join(ending).as_bytes());
        }

        #[test]
        fn the_config_parser_survives_any_text(text in ".{0,200}") {
            super::config(text.as_bytes());
        }
    }
}
