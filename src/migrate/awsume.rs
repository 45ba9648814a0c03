//! awsume's traces: its settings file (`config.yaml`, with the console plugin's
//! `console:` block), the sections it writes into the credentials file (`-o` and
//! autoawsume, marked `manager = awsume`), its cache of MFA sessions, and
//! `credential_process` lines that run it. What has a meaning in hat becomes a setting
//! in hat's config.toml where hat has none; everything else is named with what to do
//! instead, so nothing is dropped without a word.

use crate::env::Env;
use crate::settings::Settings;
use serde_yaml_ng::{Mapping, Value};
use std::path::PathBuf;

/// awsume's settings file: `$XDG_CONFIG_HOME/awsume/config.yaml` when that variable is
/// set (awsume moves the old file there on its next run), else `~/.awsume/config.yaml`.
/// The first of them that exists; the first when neither does.
pub fn config_path(env: &Env) -> PathBuf {
    first_existing(
        env,
        "XDG_CONFIG_HOME",
        "awsume/config.yaml",
        ".awsume/config.yaml",
    )
}

/// awsume's cache of MFA sessions (`aws-credentials-<key id>` files):
/// `$XDG_CACHE_HOME/awsume`, else `~/.awsume/cache`, as for [`config_path`].
pub fn cache_dir(env: &Env) -> PathBuf {
    first_existing(env, "XDG_CACHE_HOME", "awsume", ".awsume/cache")
}

fn first_existing(env: &Env, var: &str, under_xdg: &str, legacy: &str) -> PathBuf {
    let legacy = env.home().unwrap_or_default().join(legacy);
    match env.get(var) {
        Some(xdg) => {
            let xdg = env.expand_tilde(xdg).join(under_xdg);
            if xdg.exists() || !legacy.exists() {
                xdg
            } else {
                legacy
            }
        }
        None => legacy,
    }
}

/// One value to write into hat's config.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The table (`session`, `console`).
    pub table: &'static str,
    pub key: &'static str,
    pub value: String,
    /// awsume's key it comes from, for the report.
    pub from: &'static str,
}

/// What `hat migrate awsume` makes of awsume's settings.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Values hat has none of, to write.
    pub changes: Vec<Change>,
    /// awsume settings whose place in hat is taken already: (awsume's key, hat's
    /// setting that stays).
    pub kept: Vec<(String, String)>,
    /// awsume settings with no counterpart: (awsume's key and value, what to do
    /// instead).
    pub unmapped: Vec<(String, String)>,
    /// awsume settings that need nothing in hat: (awsume's key and value, why).
    pub needless: Vec<(String, String)>,
}

/// awsume's `config.yaml` as a mapping; an empty file (what awsume creates before its
/// first write) is an empty one. The error is serde_yaml_ng's, with line and column.
pub fn parse_config(text: &str) -> Result<Mapping, String> {
    match serde_yaml_ng::from_str::<Value>(text) {
        Ok(Value::Mapping(map)) => Ok(map),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(_) => Err("it is not a mapping of settings".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Each of awsume's settings (`config`) against hat's (`hat`), in the file's order.
/// awsume's defaults (`colors: true`, `fuzzy-match: false`, `role-duration: 0`) need
/// nothing and are not mentioned.
pub fn plan(config: &Mapping, hat: &Settings) -> Plan {
    let mut plan = Plan::default();
    for (key, value) in config {
        let Some(key) = key.as_str() else {
            plan.unmapped
                .push((show(key), "not a setting name awsume reads".into()));
            continue;
        };
        let shown = format!("{key}: {}", show(value));
        match key {
            "role-session-name" => match scalar(value) {
                Some(name) if !name.is_empty() => match &hat.session.role_session_name {
                    Some(own) if *own == name => plan.needless.push((
                        shown,
                        "hat's [session] role_session_name is the same already".into(),
                    )),
                    Some(own) => plan.kept.push((
                        shown,
                        format!("[session] role_session_name = {own:?}"),
                    )),
                    None => plan.changes.push(Change {
                        table: "session",
                        key: "role_session_name",
                        value: name,
                        from: "role-session-name",
                    }),
                },
                _ => {}
            },
            "console" => console(value, hat, &mut plan),
            "role-duration" => {
                let seconds = scalar(value).unwrap_or_default();
                if !matches!(seconds.as_str(), "" | "0") {
                    plan.unmapped.push((
                        shown,
                        format!(
                            "hat has no default session length; use `assume PROFILE -d {seconds}` (or 1h, 12h), or `duration_seconds = {seconds}` on the profiles that should last that long"
                        ),
                    ));
                }
            }
            "region" => plan.unmapped.push((
                shown,
                "hat has no default region of its own: it takes `-r`, the profile's `region`, then AWS_REGION; put `region = ...` on the profiles that have none".into(),
            )),
            "fuzzy-match" => {
                if value.as_bool() == Some(true) {
                    plan.unmapped.push((
                        shown,
                        "hat never guesses a profile: at a terminal, a name that is not a profile opens the picker with it typed in, and errors name the closest profiles".into(),
                    ));
                }
            }
            "colors" => {
                if value.as_bool() == Some(false) {
                    plan.needless
                        .push((shown, "hat's messages have no colours".into()));
                }
            }
            "config-file" | "credentials-file" => {
                let var = if key == "config-file" {
                    "AWS_CONFIG_FILE"
                } else {
                    "AWS_SHARED_CREDENTIALS_FILE"
                };
                plan.unmapped.push((
                    shown,
                    format!("hat reads {var}, as the AWS CLI does: export it in your shell's startup file"),
                ));
            }
            "debug" => plan.unmapped.push((
                shown,
                "awsume's debugging settings; hat has none (`-v` says what it does)".into(),
            )),
            _ => plan.unmapped.push((
                shown,
                "not an awsume setting hat knows (an awsume plugin's?); nothing in hat reads it".into(),
            )),
        }
    }
    plan
}

/// The console plugin's block: `browser_command` becomes hat's custom browser command
/// when it is one that runs without a shell; `services` (custom shortcuts) has no
/// counterpart.
fn console(value: &Value, hat: &Settings, plan: &mut Plan) {
    let Some(block) = value.as_mapping() else {
        plan.unmapped.push((
            format!("console: {}", show(value)),
            "the console plugin reads a mapping here; nothing to bring across".into(),
        ));
        return;
    };
    for (key, value) in block {
        let name = key.as_str().unwrap_or_default();
        let shown = format!("console.{name}: {}", show(value));
        match name {
            "browser_command" => {
                let Some(template) = scalar(value).filter(|t| !t.trim().is_empty()) else {
                    continue;
                };
                if hat.console.browser.as_deref() == Some("custom")
                    && hat.console.command.as_deref() == Some(template.as_str())
                {
                    plan.needless.push((
                        shown,
                        "hat's [console] command is the same already".into(),
                    ));
                    continue;
                }
                if let Some(own) = hat
                    .console
                    .command
                    .as_ref()
                    .map(|c| format!("[console] command = {c:?}"))
                    .or_else(|| {
                        hat.console
                            .browser
                            .as_ref()
                            .map(|b| format!("[console] browser = {b:?}"))
                    })
                {
                    plan.kept.push((shown, own));
                    continue;
                }
                match browser_command(&template) {
                    Ok(()) => {
                        plan.changes.push(Change {
                            table: "console",
                            key: "browser",
                            value: "custom".into(),
                            from: "console.browser_command",
                        });
                        plan.changes.push(Change {
                            table: "console",
                            key: "command",
                            value: template,
                            from: "console.browser_command",
                        });
                    }
                    Err(why) => plan.unmapped.push((shown, why)),
                }
            }
            "services" => plan.unmapped.push((
                shown,
                "hat's console shortcuts are built in (`assume -c prod -s ddb`, `-s cfn`, ...) and cannot be added to; `-cd URL` opens any page".into(),
            )),
            _ => plan.unmapped.push((
                shown,
                "not a console plugin setting hat knows; nothing in hat reads it".into(),
            )),
        }
    }
}

/// Whether the console plugin's `browser_command` (run by Python through `sh`, after
/// `str.format(url=..., profile=...)`) means the same as hat's `[console] command`,
/// which is split into words like a shell would and run without one, `{url}` and
/// `{profile}` filled in after splitting.
fn browser_command(template: &str) -> Result<(), String> {
    if let Some(c) = shell_syntax(template) {
        return Err(format!(
            "it needs a shell (`{c}`), and hat runs the browser without one; put the commands in a script and set [console] browser = \"custom\" and command = \"/path/to/script {{profile}} {{url}}\" in hat's config.toml"
        ));
    }
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        let after = &rest[open..];
        let field = ["{url}", "{profile}"]
            .into_iter()
            .find(|f| after.starts_with(f));
        match field {
            Some(f) => rest = &after[f.len()..],
            None => {
                return Err(
                    "it uses Python format fields or escaped braces beyond {url} and {profile}, which hat does not expand; set [console] command by hand".into(),
                );
            }
        }
    }
    if shlex::split(template).is_none_or(|words| words.is_empty()) {
        return Err("its quotes do not close, so no shell could run it either".into());
    }
    Ok(())
}

/// The first character outside single quotes that makes `sh` do more than split words
/// and remove quotes: operators, substitutions, globs and comments are left for hat's
/// word splitting to misread. `~` is fine at the start only, where hat expands it too.
fn shell_syntax(text: &str) -> Option<char> {
    let (mut single, mut double, mut escaped) = (false, false, false);
    let mut word_start = true;
    for c in text.chars() {
        if escaped {
            escaped = false;
            word_start = false;
            continue;
        }
        if single {
            single = c != '\'';
            continue;
        }
        match c {
            '\\' => escaped = true,
            '\'' if !double => single = true,
            '"' => double = !double,
            '$' | '`' => return Some(c),
            ';' | '|' | '&' | '<' | '>' | '(' | ')' | '*' | '?' | '[' | '\n' if !double => {
                return Some(c);
            }
            '#' if !double && word_start => return Some(c),
            _ => {}
        }
        word_start = !double && (c == ' ' || c == '\t');
    }
    None
}

/// A scalar as text (`43200`, `true`, a string); None for mappings and lists.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value as one short phrase for the report: scalars as they are, a mapping by its keys.
fn show(value: &Value) -> String {
    match value {
        Value::Mapping(map) => {
            let keys: Vec<String> = map.keys().map(show).collect();
            format!("{{{}}}", keys.join(", "))
        }
        Value::Sequence(items) => format!("[{} items]", items.len()),
        Value::Null => "null".into(),
        other => scalar(other).unwrap_or_default(),
    }
}

/// Writes `changes` into hat's settings document, creating a table where needed and
/// leaving every other line as it was.
pub fn apply(doc: &mut toml_edit::DocumentMut, changes: &[Change]) {
    for change in changes {
        let table = doc
            .entry(change.table)
            .or_insert_with(toml_edit::table)
            .as_table_like_mut();
        if let Some(table) = table {
            table.insert(change.key, toml_edit::value(change.value.clone()));
        }
    }
}

/// A section awsume wrote into the credentials file: `awsume NAME -o OUT` writes `[OUT]`
/// with `manager = awsume`, and autoawsume (`awsume -a`) `[autoawsume-NAME]` with
/// `autoawsume = true` too, kept fresh only while autoawsume runs.
#[derive(Debug, PartialEq, Eq)]
pub struct Written {
    pub name: String,
    pub autoawsume: bool,
}

/// The profiles awsume wrote, by name.
pub fn written_sections(config: &crate::config::ConfigSet) -> Vec<Written> {
    config
        .profile_names()
        .filter_map(|name| {
            let section = config.profile(name)?;
            let autoawsume = section.get("autoawsume").is_some();
            let managed = section
                .get("manager")
                .is_some_and(|m| m.eq_ignore_ascii_case("awsume"));
            (managed || autoawsume).then(|| Written {
                name: name.to_string(),
                autoawsume,
            })
        })
        .collect()
}

/// How many MFA sessions awsume's cache `dir` holds (`aws-credentials-<key id>` files).
pub fn cached_sessions(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("aws-credentials-")
            })
            .count()
    })
}

/// Whether profile `name`'s own credential_process runs awsume for `name` itself.
pub fn names_itself(config: &crate::config::ConfigSet, name: &str) -> bool {
    config
        .profile(name)
        .and_then(|p| p.get("credential_process"))
        .and_then(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            parse_process_command(&words)
        })
        .is_some_and(|(asked, _)| asked == name)
}

/// awsume prints shell code, never the credential_process JSON, so a `credential_process
/// = awsumepy NAME ...` line cannot have worked; what it asks for is NAME's credentials,
/// which `PROGRAM credential-process --profile NAME` answers. Lines whose profile runs
/// awsume for itself (`names_itself`) are kept and listed, since `hat credential-process
/// --profile NAME` in profile NAME means keys in hat's store; running it again changes
/// nothing, since the lines no longer name awsume.
pub fn rewrite_credential_process(
    text: &str,
    program: &str,
    names_itself: impl Fn(&str) -> bool,
) -> super::ProcessRewrite {
    super::rewrite_process_lines_where(text, program, parse_process_command, |profile| {
        !names_itself(profile)
    })
}

/// awsume's flags that take a value, from its argument parser.
const VALUE_FLAGS: &[&str] = &[
    "-o",
    "--output-profile",
    "-t",
    "--tags",
    "--external-id",
    "--mfa-token",
    "--region",
    "--session-name",
    "--session-policy",
    "--role-duration",
    "--credentials-file",
    "--config-file",
];

/// The profile an `awsume NAME ...` (or `awsumepy`, the program behind the `awsume`
/// shell function) command asks for, and the arguments dropped with it; None when the
/// words are not that command or ask for something other than a profile's credentials
/// (`--role-arn`, `--json`, `-l`, `--config`, SAML or web identity plugins, ...).
pub fn parse_process_command(words: &[&str]) -> Option<(String, Vec<String>)> {
    let (first, rest) = words.split_first()?;
    let program = first.rsplit('/').next()?;
    if !["awsume", "awsumepy", "awsume.exe", "awsumepy.exe"].contains(&program) {
        return None;
    }
    let mut profile = None;
    let mut dropped = Vec::new();
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
            _ => (*arg, None),
        };
        if VALUE_FLAGS.contains(&flag) {
            let value = match inline {
                Some(v) => v.to_string(),
                None => args.next().copied().unwrap_or_default().to_string(),
            };
            // An MFA code is a credential, if a short-lived one: never repeated.
            let shown = if flag == "--mfa-token" { "…" } else { &value };
            dropped.push(format!("{flag} {shown}").trim_end().to_string());
        } else if flag.starts_with('-') {
            let other_request = [
                "--role-arn",
                "--principal-arn",
                "--source-profile",
                "--json",
                "-l",
                "--list-profiles",
                "--config",
                "--with-saml",
                "--with-web-identity",
                "-u",
                "--unset",
                "-k",
                "--kill-refresher",
                "-v",
                "--version",
                "-h",
                "--help",
                "--who",
                "--clean",
            ];
            if other_request.contains(&flag) {
                return None;
            }
            dropped.push(arg.to_string());
        } else if profile.is_none() {
            profile = Some(arg.to_string());
        } else {
            return None;
        }
    }
    Some((profile?, dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `awsume --config set ...` writes (yaml.safe_dump: keys sorted, the console
    /// plugin's block nested), with awsume's defaults among them.
    const CONFIG: &str = r#"colors: true
console:
  browser_command: '"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" --user-data-dir=/tmp/{profile} "{url}" --no-first-run'
  services:
    c: cloudformation
fuzzy-match: true
region: us-west-2
role-duration: 43200
role-session-name: alice-cli
"#;

    fn keys(list: &[(String, String)]) -> Vec<&str> {
        list.iter()
            .map(|(k, _)| k.split(':').next().unwrap())
            .collect()
    }

    #[test]
    fn what_has_a_meaning_in_hat_becomes_a_setting_and_the_rest_is_named() {
        let config = parse_config(CONFIG).unwrap();
        let plan = plan(&config, &Settings::default());
        assert_eq!(
            plan.changes,
            [
                Change {
                    table: "console",
                    key: "browser",
                    value: "custom".into(),
                    from: "console.browser_command"
                },
                Change {
                    table: "console",
                    key: "command",
                    value: "\"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome\" --user-data-dir=/tmp/{profile} \"{url}\" --no-first-run".into(),
                    from: "console.browser_command"
                },
                Change {
                    table: "session",
                    key: "role_session_name",
                    value: "alice-cli".into(),
                    from: "role-session-name"
                },
            ]
        );
        assert_eq!(
            keys(&plan.unmapped),
            ["console.services", "fuzzy-match", "region", "role-duration"]
        );
        assert!(
            plan.unmapped[3].1.contains("-d 43200"),
            "{:?}",
            plan.unmapped
        );
        assert!(plan.kept.is_empty() && plan.needless.is_empty());
    }

    #[test]
    fn awsumes_defaults_and_an_empty_file_need_nothing() {
        // What awsume writes on its first run.
        let defaults =
            parse_config("colors: true\nfuzzy-match: false\nrole-duration: 0\n").unwrap();
        assert_eq!(plan(&defaults, &Settings::default()), Plan::default());
        assert!(parse_config("").unwrap().is_empty());
        assert!(parse_config("- a\n").is_err());
        assert!(parse_config("a: [\n").unwrap_err().contains("line"));
    }

    #[test]
    fn hats_own_settings_are_kept() {
        let mut hat = Settings::default();
        hat.session.role_session_name = Some("hat-{user}".into());
        hat.console.browser = Some("firefox".into());
        let plan = plan(&parse_config(CONFIG).unwrap(), &hat);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        assert_eq!(
            keys(&plan.kept),
            ["console.browser_command", "role-session-name"]
        );
        assert_eq!(plan.kept[0].1, "[console] browser = \"firefox\"");
    }

    #[test]
    fn browser_commands_that_need_a_shell_are_named_not_copied() {
        for template in [
            r#"cp -r "/a/Default/" "/tmp/{profile}/Default"; chrome --user-data-dir=/tmp/{profile} "{url}""#,
            "open -a Firefox $URL",
            "chrome {url} > /dev/null 2>&1",
            "chrome {url} &",
        ] {
            let e = browser_command(template).unwrap_err();
            assert!(e.contains("needs a shell"), "{template}: {e}");
        }
        assert!(
            browser_command("chrome {url} {{x}}")
                .unwrap_err()
                .contains("format")
        );
        assert!(
            browser_command("chrome {region}")
                .unwrap_err()
                .contains("format")
        );
        assert!(browser_command("chrome \"{url}").is_err());
        for fine in [
            "/Applications/Firefox.app/Contents/MacOS/firefox -profile /tmp/{profile} -no-remote \"{url}\"",
            "'/opt/my browser' --x='a;b' \"{url}\"",
            "~/bin/browser {url}",
        ] {
            assert_eq!(browser_command(fine), Ok(()), "{fine}");
        }
    }

    #[test]
    fn settings_are_written_into_hats_file_keeping_the_rest() {
        let old =
            "# mine\n[console]\nfirefox_containers = true # yes\n\n[mfa]\nprompt = \"ykman\"\n";
        let mut doc: toml_edit::DocumentMut = old.parse().unwrap();
        apply(
            &mut doc,
            &[
                Change {
                    table: "console",
                    key: "browser",
                    value: "custom".into(),
                    from: "console.browser_command",
                },
                Change {
                    table: "session",
                    key: "role_session_name",
                    value: "alice \"cli\"".into(),
                    from: "role-session-name",
                },
            ],
        );
        let new = doc.to_string();
        assert!(
            new.starts_with(
                "# mine\n[console]\nfirefox_containers = true # yes\nbrowser = \"custom\"\n"
            ),
            "{new}"
        );
        assert!(new.contains("[mfa]\nprompt = \"ykman\"\n"), "{new}");
        let back: toml::Table = toml::from_str(&new).unwrap();
        assert_eq!(
            back["session"]["role_session_name"].as_str(),
            Some("alice \"cli\"")
        );
    }

    #[test]
    fn awsume_lines_ask_for_a_profile_and_other_requests_are_left() {
        let words = |s: &'static str| s.split_whitespace().collect::<Vec<_>>();
        assert_eq!(
            parse_process_command(&words(
                "awsumepy prod --region eu-west-1 --mfa-token 123456 -r"
            )),
            Some((
                "prod".into(),
                vec![
                    "--region eu-west-1".into(),
                    "--mfa-token …".into(),
                    "-r".into()
                ]
            ))
        );
        assert_eq!(
            parse_process_command(&words("/usr/local/bin/awsume --session-name=x dev")),
            Some(("dev".into(), vec!["--session-name x".into()]))
        );
        for other in [
            "awsume --role-arn 123456789012:admin",
            "awsume -l",
            "awsume a b",
            "awsume",
            "notawsume prod",
            "aws sts get-session-token",
        ] {
            assert_eq!(parse_process_command(&words(other)), None, "{other}");
        }
    }

    #[test]
    fn credential_process_lines_are_rewritten_except_a_profile_asking_for_itself() {
        let text = "[profile dev]\r\ncredential_process = awsumepy dev-source --role-duration 3600\r\n\
            [profile loop]\ncredential_process=awsume loop\n\
            [profile other]\ncredential_process = /bin/creds x\n";
        let out = rewrite_credential_process(text, "hat", |p| p == "loop");
        assert_eq!(
            out.text,
            text.replace(
                "= awsumepy dev-source --role-duration 3600\r",
                "= hat credential-process --profile dev-source\r"
            )
        );
        assert_eq!(out.profiles, ["dev-source"]);
        assert_eq!(out.kept, ["loop"]);
        assert_eq!(
            out.dropped,
            [("dev-source".to_string(), "--role-duration 3600".to_string())]
        );
        let again = rewrite_credential_process(&out.text, "hat", |p| p == "loop");
        assert_eq!(again.text, out.text);
        assert!(again.profiles.is_empty());
    }

    #[test]
    fn xdg_locations_win_when_set() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        let plain = Env::from_pairs([("HOME", home)]);
        assert_eq!(config_path(&plain), dir.path().join(".awsume/config.yaml"));
        assert_eq!(cache_dir(&plain), dir.path().join(".awsume/cache"));
        let xdg = dir.path().join("xdg");
        let with = Env::from_pairs([("HOME", home), ("XDG_CONFIG_HOME", xdg.to_str().unwrap())]);
        assert_eq!(config_path(&with), xdg.join("awsume/config.yaml"));
        // The old place, until awsume itself moves the file.
        std::fs::create_dir_all(dir.path().join(".awsume")).unwrap();
        std::fs::write(dir.path().join(".awsume/config.yaml"), "").unwrap();
        assert_eq!(config_path(&with), dir.path().join(".awsume/config.yaml"));
    }
}
