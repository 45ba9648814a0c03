//! What Granted leaves behind, brought across to hat:
//!
//! - `credential_process = granted credential-process --profile NAME` lines in
//!   `~/.aws/config` (written by `granted sso populate` and by hand) become
//!   `hat credential-process --profile NAME`, keeping every other byte. hat resolves
//!   Granted's `granted_sso_*` keys itself, so the rewritten line only matters to the
//!   AWS CLI and the SDKs, which now ask hat instead of Granted.
//! - Granted's settings file (`~/.granted/config`, TOML; the `Config` struct of
//!   Granted's pkg/config) becomes settings in hat's `config.toml` where hat has none,
//!   and its profile registries become hat's `[[registry]]` tables; Granted's block of
//!   each registry in `~/.aws/config` (`[granted_registry_start NAME]` ...
//!   `[granted_registry_end NAME]`) becomes hat's block, so its profiles stay while
//!   hat's sync takes them over.
//!
//! Granted reads its TOML with BurntSushi's decoder, which matches keys to fields
//! without regard to case, so the keys here are matched the same way.

use crate::registry;
use crate::settings::RegistrySettings;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Rewrites every `credential_process = granted credential-process ...` line of
/// `text` to `PROGRAM credential-process --profile NAME` when `hat_can_answer(NAME)`
/// (the profile signs in through SSO, which hat does itself); the others are kept and
/// listed, their keys being in Granted's keychain (`granted credentials add`), which hat
/// cannot read. Granted's own arguments (`--url ...`, `--auto-login`) are dropped.
/// Running it again changes nothing, since the lines no longer name Granted.
pub fn rewrite_credential_process(
    text: &str,
    program: &str,
    hat_can_answer: impl Fn(&str) -> bool,
) -> super::ProcessRewrite {
    super::rewrite_process_lines_where(text, program, granted_command, hat_can_answer)
}

/// The profile a `granted credential-process ...` command names and the arguments
/// dropped with it, or None when the words are not that command.
fn granted_command(words: &[&str]) -> Option<(String, Vec<String>)> {
    let (first, rest) = words.split_first()?;
    let is_granted = first.rsplit('/').next() == Some("granted")
        || first.rsplit('/').next() == Some("granted.exe");
    if !is_granted || rest.first() != Some(&"credential-process") {
        return None;
    }
    let mut profile = None;
    let mut dropped = Vec::new();
    let mut args = rest[1..].iter();
    while let Some(arg) = args.next() {
        if *arg == "--profile" {
            profile = args.next().map(|p| p.to_string());
        } else if let Some(p) = arg.strip_prefix("--profile=") {
            profile = Some(p.to_string());
        } else if *arg == "--url" || *arg == "--window" {
            let value = args.next().copied().unwrap_or_default();
            dropped.push(format!("{arg} {value}").trim_end().to_string());
        } else {
            dropped.push(arg.to_string());
        }
    }
    Some((profile?, dropped))
}

/// Where Granted keeps its settings: `~/.granted/config`, or, when `~/.granted` does
/// not exist and XDG_CONFIG_HOME is set, `$XDG_CONFIG_HOME/granted/config` (Granted's
/// own rule). None without a home directory.
pub fn config_path(env: &crate::env::Env) -> Option<PathBuf> {
    let dir = env.home()?.join(".granted");
    if !dir.exists()
        && let Some(xdg) = env.get("XDG_CONFIG_HOME").filter(|x| !x.is_empty())
    {
        return Some(PathBuf::from(xdg).join("granted").join("config"));
    }
    Some(dir.join("config"))
}

/// A value for hat's settings file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Flag(bool),
}

impl Value {
    fn item(&self) -> toml_edit::Item {
        match self {
            Value::Text(s) => toml_edit::value(s.as_str()),
            Value::Flag(b) => toml_edit::value(*b),
        }
    }

    fn matches(&self, item: &toml_edit::Item) -> bool {
        match self {
            Value::Text(s) => item.as_str() == Some(s.as_str()),
            Value::Flag(b) => item.as_bool() == Some(*b),
        }
    }

    fn show(&self) -> String {
        match self {
            Value::Text(s) => format!("{s:?}"),
            Value::Flag(b) => b.to_string(),
        }
    }
}

/// One of hat's settings, taken from Granted's key `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub section: &'static str,
    pub key: &'static str,
    pub value: Value,
    pub from: &'static str,
}

/// The browser settings hat reads together: hat keeps its own whole choice when any
/// of them is set, so a Granted path never lands next to another browser.
const BROWSER_KEYS: &[&str] = &["browser", "browser_path", "command", "firefox_containers"];

impl Setting {
    /// The keys of its section that go with it: a setting hat already has among them
    /// keeps the whole group.
    fn keys_read_with(&self) -> &[&'static str] {
        if self.section == "console" && BROWSER_KEYS.contains(&self.key) {
            BROWSER_KEYS
        } else {
            std::slice::from_ref(&self.key)
        }
    }
}

/// What Granted's settings file says, in hat's terms.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct GrantedSettings {
    pub settings: Vec<Setting>,
    pub registries: Vec<RegistrySettings>,
    /// Granted's settings with no counterpart in hat, by name, each with what to do.
    pub unsupported: Vec<(String, String)>,
    /// Granted's settings hat needs no setting for, by name, with why.
    pub needless: Vec<(String, String)>,
}

/// The top-level keys of Granted's `Config`; any other key is reported as unknown.
const KNOWN: &[&str] = &[
    "DefaultBrowser",
    "CustomBrowserPath",
    "CustomSSOBrowserPath",
    "AWSConsoleBrowserLaunchTemplate",
    "SSOBrowserLaunchTemplate",
    "Keyring",
    "Ordering",
    "ExportCredentialSuffix",
    "ExportCredsToAWS",
    "ExportSSOToken",
    "AccessRequestURL",
    "CommonFateDefaultSSOStartURL",
    "CommonFateDefaultSSORegion",
    "DisableUsageTips",
    "DisableCredentialProcessCache",
    "DefaultExportAllEnvVar",
    "ProfileRegistryURLS",
    "ProfileRegistry",
    "CredentialProcessAutoLogin",
    "UseAuthorizationCode",
    "SSO",
];

fn get<'a>(table: &'a toml::Table, name: &str) -> Option<&'a toml::Value> {
    table.get(name).or_else(|| {
        table
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn text<'a>(table: &'a toml::Table, name: &str) -> Option<&'a str> {
    get(table, name)?.as_str().filter(|s| !s.trim().is_empty())
}

fn flag(table: &toml::Table, name: &str) -> bool {
    get(table, name).and_then(toml::Value::as_bool) == Some(true)
}

/// Reads Granted's settings file; the error starts with `, line N: ` for the caller's
/// path, as for hat's own file.
pub fn read_settings(file: &str) -> Result<GrantedSettings, String> {
    let table: toml::Table = toml::from_str(file).map_err(|e| {
        let line = e
            .span()
            .map(|span| file[..span.start.min(file.len())].matches('\n').count() + 1);
        match line {
            Some(line) => format!(", line {line}: {}", e.message()),
            None => format!(": {}", e.message()),
        }
    })?;
    let mut out = GrantedSettings::default();
    browser(&table, &mut out);
    let unsupported = &mut out.unsupported;
    let mut no = |key: &str, what: &str| unsupported.push((key.to_string(), what.to_string()));
    if text(&table, "CustomSSOBrowserPath").is_some()
        || get(&table, "SSOBrowserLaunchTemplate").is_some()
    {
        let key = if text(&table, "CustomSSOBrowserPath").is_some() {
            "CustomSSOBrowserPath"
        } else {
            "SSOBrowserLaunchTemplate"
        };
        no(
            key,
            "hat's SSO sign-in opens $BROWSER, else the system's default browser; set BROWSER to choose another",
        );
    }
    if get(&table, "Keyring")
        .and_then(toml::Value::as_table)
        .is_some_and(|k| !k.is_empty())
    {
        no(
            "Keyring",
            "Granted's keyring holds Granted's own SSO tokens and `granted credentials` keys, which hat cannot read; hat keeps SSO tokens in ~/.aws/sso/cache and keys in its own store (`[keys] backend`)",
        );
    }
    match text(&table, "Ordering") {
        Some(o) if !o.eq_ignore_ascii_case("frecency") => no(
            "Ordering",
            "hat's picker always puts the profiles you use most and last first",
        ),
        _ => {}
    }
    if flag(&table, "ExportCredsToAWS") {
        no(
            "ExportCredsToAWS",
            "hat writes ~/.aws/credentials only when asked: `assume PROFILE -ex`",
        );
    }
    for key in [
        "AccessRequestURL",
        "CommonFateDefaultSSOStartURL",
        "CommonFateDefaultSSORegion",
    ] {
        if text(&table, key).is_some() {
            no(key, "Common Fate's service is gone, and hat never used it");
        }
    }
    if flag(&table, "DisableCredentialProcessCache") {
        no(
            "DisableCredentialProcessCache",
            "hat's credential-process always caches; pass `--no-cache` on the credential_process line to skip the cache",
        );
    }
    if flag(&table, "CredentialProcessAutoLogin") {
        no(
            "CredentialProcessAutoLogin",
            "hat's credential-process never opens a browser for the AWS CLI; run `hat sso login` when it says the sign-in expired",
        );
    }
    if let Some(sso) = get(&table, "SSO").and_then(toml::Value::as_table) {
        for (name, entry) in sso {
            let entry = entry.as_table();
            let url = entry.and_then(|e| text(e, "StartURL")).unwrap_or("URL");
            let region = entry.and_then(|e| text(e, "SSORegion")).unwrap_or("REGION");
            no(
                &format!("SSO.{name}"),
                &format!(
                    "hat keeps IAM Identity Center portals as [sso-session] sections of ~/.aws/config; `hat sso populate --sso-start-url {url} --sso-region {region}` writes the profiles"
                ),
            );
        }
    }
    if let Some(s) = text(&table, "ExportCredentialSuffix") {
        out.settings.push(Setting {
            section: "export",
            key: "credential_suffix",
            value: Value::Text(s.to_string()),
            from: "ExportCredentialSuffix",
        });
    }
    let needless = &mut out.needless;
    let mut same = |key: &str, why: &str| needless.push((key.to_string(), why.to_string()));
    if flag(&table, "ExportSSOToken") {
        same(
            "ExportSSOToken",
            "hat's SSO sign-in keeps its token in ~/.aws/sso/cache, where the AWS CLI reads it",
        );
    }
    if flag(&table, "DefaultExportAllEnvVar") {
        same(
            "DefaultExportAllEnvVar",
            "hat always exports the credentials themselves",
        );
    }
    if flag(&table, "DisableUsageTips") {
        same("DisableUsageTips", "hat prints no usage tips");
    }
    if flag(&table, "UseAuthorizationCode") {
        same(
            "UseAuthorizationCode",
            "hat signs in with the authorization code and PKCE whenever a browser can open",
        );
    }
    registries(&table, &mut out);
    for key in table.keys() {
        if !KNOWN.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            out.unsupported.push((
                key.clone(),
                "not a Granted setting hat knows; left alone".into(),
            ));
        }
    }
    Ok(out)
}

/// DefaultBrowser (with CustomBrowserPath and the console's launch template) as
/// hat's `[console]` browser settings, as Granted opens each browser.
fn browser(table: &toml::Table, out: &mut GrantedSettings) {
    let Some(name) = text(table, "DefaultBrowser").map(str::to_ascii_uppercase) else {
        return;
    };
    let path = text(table, "CustomBrowserPath");
    let set = |key: &'static str, value: Value, from: &'static str| Setting {
        section: "console",
        key,
        value,
        from,
    };
    let word = |s: &str| Value::Text(s.to_string());
    let mut settings = Vec::new();
    let with_path = |browser: &str, containers: bool, settings: &mut Vec<Setting>| {
        settings.push(set("browser", word(browser), "DefaultBrowser"));
        if let Some(p) = path {
            settings.push(set("browser_path", word(p), "CustomBrowserPath"));
        }
        if containers {
            // Granted opens every Firefox-family browser through its container extension.
            settings.push(set(
                "firefox_containers",
                Value::Flag(true),
                "DefaultBrowser",
            ));
        }
    };
    let refused = match name.as_str() {
        "CHROME" | "BRAVE" | "EDGE" | "CHROMIUM" => {
            with_path(&name.to_ascii_lowercase(), false, &mut settings);
            None
        }
        "FIREFOX" => {
            with_path("firefox", true, &mut settings);
            None
        }
        // Firefox's relatives take Firefox's arguments and Granted's extension, and
        // Vivaldi Chromium's; hat runs them as those, from their own path.
        "WATERFOX" | "FIREFOX_DEV" | "FIREFOX_NIGHTLY" | "ZEN" | "VIVALDI" if path.is_some() => {
            if name == "VIVALDI" {
                with_path("chromium", false, &mut settings);
            } else {
                with_path("firefox", true, &mut settings);
            }
            None
        }
        "WATERFOX" | "FIREFOX_DEV" | "FIREFOX_NIGHTLY" | "ZEN" | "VIVALDI" => Some(format!(
            "hat needs the executable of {name}, and CustomBrowserPath is empty; set [console] browser_path"
        )),
        "SAFARI" => {
            settings.push(set("browser", word("safari"), "DefaultBrowser"));
            None
        }
        "ARC" => {
            // What Granted runs for Arc.
            settings.push(set("browser", word("custom"), "DefaultBrowser"));
            settings.push(set("command", word("open -a Arc {url}"), "DefaultBrowser"));
            None
        }
        "CUSTOM" => {
            let template = get(table, "AWSConsoleBrowserLaunchTemplate")
                .and_then(toml::Value::as_table)
                .and_then(|t| text(t, "Command"));
            match template.map(launch_template) {
                Some(Ok(command)) => {
                    settings.push(set("browser", word("custom"), "DefaultBrowser"));
                    settings.push(set(
                        "command",
                        word(&command),
                        "AWSConsoleBrowserLaunchTemplate",
                    ));
                    None
                }
                Some(Err(e)) => Some(e),
                None => Some("AWSConsoleBrowserLaunchTemplate has no Command".into()),
            }
        }
        "STDOUT" | "FIREFOX_STDOUT" => Some(
            "hat always opens a browser; `assume -c PROFILE -u` prints the sign-in URL instead"
                .into(),
        ),
        other => Some(format!("hat does not know the browser {other}")),
    };
    match refused {
        Some(why) => out
            .unsupported
            .push((format!("DefaultBrowser = {name}"), why)),
        None => out.settings.extend(settings),
    }
}

/// Granted's launch template (a Go template with `{{.URL}}` and `{{.Profile}}`) as
/// hat's command with `{url}` and `{profile}`; anything else in braces (functions,
/// `{{.Args...}}`) has no counterpart.
fn launch_template(template: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("}}") else {
            return Err("its Command has a `{{` that is not closed".into());
        };
        let inner = rest[start + 2..start + len].trim();
        match inner {
            ".URL" => out.push_str("{url}"),
            ".Profile" => out.push_str("{profile}"),
            other => {
                return Err(format!(
                    "its Command uses `{{{{{other}}}}}`; hat's command takes only {{url}} and {{profile}}: write it as [console] command"
                ));
            }
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `[ProfileRegistry]` registries (and the older `ProfileRegistryURLS`), with the
/// user's answers to required keys, which Granted keeps for all registries at once.
fn registries(table: &toml::Table, out: &mut GrantedSettings) {
    let section = get(table, "ProfileRegistry").and_then(toml::Value::as_table);
    let answers: BTreeMap<String, String> = section
        .and_then(|s| get(s, "RequiredKeys"))
        .and_then(toml::Value::as_table)
        .map(|keys| {
            keys.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    // Written `Registries` by Granted, often `registries` by hand: take every spelling.
    let entries: Vec<&toml::Value> = section
        .into_iter()
        .flat_map(|s| s.iter())
        .filter(|(k, _)| k.eq_ignore_ascii_case("Registries"))
        .filter_map(|(_, v)| v.as_array())
        .flatten()
        .collect();
    for (i, entry) in entries.iter().enumerate() {
        let Some(r) = entry.as_table() else { continue };
        let label = text(r, "name").map_or_else(|| format!("#{}", i + 1), str::to_string);
        let key = format!("ProfileRegistry.Registries {label}");
        let (Some(name), Some(url)) = (text(r, "name"), text(r, "url")) else {
            out.unsupported
                .push((key, "it has no name or no url".into()));
            continue;
        };
        if let Some(kind) = text(r, "type").filter(|t| !t.eq_ignore_ascii_case("git")) {
            out.unsupported
                .push((key, format!("hat syncs git registries only, not {kind}")));
            continue;
        }
        out.registries.push(RegistrySettings {
            name: name.to_string(),
            url: url.to_string(),
            git_ref: text(r, "ref").map(str::to_string),
            path: text(r, "path").map(str::to_string),
            filename: text(r, "filename")
                .filter(|f| *f != registry::DEFAULT_FILENAME)
                .map(str::to_string),
            priority: get(r, "priority")
                .and_then(toml::Value::as_integer)
                .unwrap_or(0),
            prefix_all_profiles: flag(r, "prefixAllProfiles"),
            prefix_duplicate_profiles: flag(r, "prefixDuplicateProfiles"),
            values: answers.clone(),
        });
    }
    let urls = get(table, "ProfileRegistryURLS")
        .and_then(toml::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for url in urls.iter().filter_map(toml::Value::as_str) {
        out.registries.push(RegistrySettings {
            name: registry::name_from_url(url),
            url: url.to_string(),
            values: answers.clone(),
            ..Default::default()
        });
    }
}

/// What [`apply_settings`] did to hat's settings, for the report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// `section.key = value (from Granted's Key)`, one per setting written.
    pub set: Vec<String>,
    /// hat's own settings kept where Granted's differ, one line each.
    pub kept: Vec<String>,
    /// Registries added to hat's `[[registry]]`.
    pub imported: Vec<String>,
    /// Registries hat cannot take as they are, with the reason.
    pub refused: Vec<(String, String)>,
    /// Every registry Granted's settings name, taken or not.
    pub granted: Vec<String>,
}

/// Writes Granted's settings into hat's settings document where hat has none, and its
/// registries where hat has none of that name; never changes a setting hat has.
pub fn apply_settings(
    doc: &mut toml_edit::DocumentMut,
    found: &GrantedSettings,
) -> anyhow::Result<Applied> {
    let mut applied = Applied::default();
    let existing = |doc: &toml_edit::DocumentMut, section: &str, key: &str| {
        doc.get(section)
            .and_then(|s| s.get(key))
            .filter(|i| !i.is_none())
            .cloned()
    };
    // Settings read together are kept or written together.
    let mut groups: Vec<(&[&str], Vec<&Setting>)> = Vec::new();
    for s in &found.settings {
        let keys = s.keys_read_with();
        match groups
            .iter_mut()
            .find(|(k, g)| *k == keys && g[0].section == s.section)
        {
            Some((_, g)) => g.push(s),
            None => groups.push((keys, vec![s])),
        }
    }
    for (keys, group) in groups {
        let first = group[0];
        let hats: Vec<(&str, toml_edit::Item)> = keys
            .iter()
            .filter_map(|k| existing(doc, first.section, k).map(|i| (*k, i)))
            .collect();
        if hats.is_empty() {
            if !doc.contains_key(first.section) {
                doc[first.section] = toml_edit::table();
            }
            for s in &group {
                doc[s.section][s.key] = s.value.item();
                applied.set.push(format!(
                    "[{}] {} = {} (Granted's {})",
                    s.section,
                    s.key,
                    s.value.show(),
                    s.from
                ));
            }
            continue;
        }
        let same = hats.len() == group.len()
            && group
                .iter()
                .all(|s| hats.iter().any(|(k, i)| *k == s.key && s.value.matches(i)));
        if !same {
            let theirs: Vec<String> = group
                .iter()
                .map(|s| format!("{} = {}", s.key, s.value.show()))
                .collect();
            let ours: Vec<String> = hats
                .iter()
                .map(|(k, i)| format!("{k} = {}", bare(i)))
                .collect();
            applied.kept.push(format!(
                "[{}] {} (Granted's {} would give {})",
                first.section,
                ours.join(", "),
                first.from,
                theirs.join(", ")
            ));
        }
    }
    applied.granted = found.registries.iter().map(|r| r.name.clone()).collect();
    for r in &found.registries {
        let held = doc
            .get("registry")
            .and_then(toml_edit::Item::as_array_of_tables)
            .and_then(|a| {
                a.iter()
                    .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(&r.name))
                    .map(|t| t.get("url").and_then(|u| u.as_str()).map(str::to_string))
            });
        match held {
            Some(url) if url.as_deref() == Some(&r.url) => {}
            Some(url) => applied.kept.push(format!(
                "[[registry]] {} ({}; Granted's is {})",
                r.name,
                url.unwrap_or_default(),
                r.url
            )),
            None => {
                let check =
                    registry::check_name(&r.name).and_then(|()| registry::check_url(&r.url));
                match check {
                    Err(e) => applied.refused.push((r.name.clone(), format!("{e:#}"))),
                    Ok(()) => {
                        registry::ops::array(doc)?.push(registry::ops::table(r));
                        applied.imported.push(r.name.clone());
                    }
                }
            }
        }
    }
    Ok(applied)
}

/// A setting's value as written, without the spaces and comment around it.
fn bare(item: &toml_edit::Item) -> String {
    match item.as_value() {
        Some(value) => {
            let mut value = value.clone();
            value.decor_mut().clear();
            value.to_string()
        }
        None => item.to_string().trim().to_string(),
    }
}

/// The comment lines Granted writes above each registry's block.
const BLOCK_COMMENTS: &[&str] = &[
    "# Auto-generated by Granted (https://granted.dev). DO NOT EDIT.",
    "# Manual edits to this section will be overwritten.",
    "# To stop syncing and remove this section, run 'granted registry remove'.",
];

/// The config text after [`adopt_registry_blocks`].
#[derive(Debug, PartialEq, Eq)]
pub struct Blocks {
    pub text: String,
    /// Registries whose Granted block became hat's.
    pub adopted: Vec<String>,
    /// Registries Granted names whose Granted block is still there (hat had the
    /// registry already): their profiles count as the user's own.
    pub left: Vec<String>,
}

/// Makes Granted's block of each registry in `taken` hat's (unless hat's block of it is
/// there already), and names those of `named` whose Granted block stays.
pub fn adopt_registry_blocks(text: &str, taken: &[String], named: &[String]) -> Blocks {
    let mut out = Blocks {
        text: text.to_string(),
        adopted: Vec::new(),
        left: Vec::new(),
    };
    for name in taken {
        let (begin, end) = registry::markers(name);
        if crate::config::edit::read_block(&out.text, &begin, &end).is_some() {
            continue;
        }
        if let Some(new) = adopt_registry_block(&out.text, name, &begin, &end) {
            out.text = new;
            out.adopted.push(name.clone());
        }
    }
    out.left = named
        .iter()
        .filter(|n| has_granted_block(&out.text, n))
        .cloned()
        .collect();
    out
}

/// Granted's block of registry `name` in `text` made hat's: the
/// `[granted_registry_start NAME]` header (with the comment lines Granted writes above
/// it) becomes the line `begin`, and `[granted_registry_end NAME]` the line `end`.
/// The profiles between stay byte for byte until hat's sync replaces them. None when
/// the text has no whole Granted block of that name.
pub fn adopt_registry_block(text: &str, name: &str, begin: &str, end: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (first, start, stop) = granted_block(&lines, name)?;
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let ending = |line: &str| {
        let bare = line.trim_end_matches(['\n', '\r']);
        match &line[bare.len()..] {
            "" => nl.to_string(),
            e => e.to_string(),
        }
    };
    let mut out = String::with_capacity(text.len());
    out.extend(lines[..first].iter().copied());
    out.push_str(begin);
    out.push_str(&ending(lines[start]));
    out.extend(lines[start + 1..stop].iter().copied());
    out.push_str(end);
    out.push_str(&ending(lines[stop]));
    out.extend(lines[stop + 1..].iter().copied());
    Some(out)
}

/// Whether `text` holds Granted's block of registry `name`.
pub fn has_granted_block(text: &str, name: &str) -> bool {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    granted_block(&lines, name).is_some()
}

/// The line indexes of Granted's block of `name`: its first comment line, the
/// `[granted_registry_start NAME]` line and the `[granted_registry_end NAME]` line.
fn granted_block(lines: &[&str], name: &str) -> Option<(usize, usize, usize)> {
    let header = |line: &str| -> Option<String> {
        let body = line.trim_end_matches(['\n', '\r']).trim();
        let inner = body.strip_prefix('[')?.strip_suffix(']')?;
        Some(inner.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let start_name = format!("granted_registry_start {name}");
    let end_name = format!("granted_registry_end {name}");
    let start = lines
        .iter()
        .position(|l| header(l).as_deref() == Some(start_name.as_str()))?;
    let stop = start
        + lines[start..]
            .iter()
            .position(|l| header(l).as_deref() == Some(end_name.as_str()))?;
    let mut first = start;
    while first > 0
        && BLOCK_COMMENTS.contains(&lines[first - 1].trim_end_matches(['\n', '\r']).trim_end())
    {
        first -= 1;
    }
    Some((first, start, stop))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shapes Granted writes: `granted sso populate` (with its generated-from
    // marker and granted_sso_* keys) and a hand-written line with Granted's --url.
    const GRANTED: &str = "# my profiles\r\n[profile dev]\r\nregion = eu-west-1\r\n\
        [profile sso/admin]\ngranted_sso_start_url      = https://example.awsapps.com/start\n\
        granted_sso_region         = us-east-1\ngranted_sso_account_id     = 123456789012\n\
        granted_sso_role_name      = Admin\ncommon_fate_generated_from = aws-sso\n\
        credential_process         = granted credential-process --profile sso/admin\n\
        [profile cf]\ncredential_process=/opt/homebrew/bin/granted credential-process --url https://cf.example.com --profile=cf\n\
        [profile other]\ncredential_process = /bin/creds --profile x\n\
        [profile iam]\ncredential_process = granted credential-process --profile iam\n";

    fn sso(name: &str) -> bool {
        name != "iam"
    }

    #[test]
    fn granted_lines_are_rewritten_and_every_other_byte_is_kept() {
        let out = rewrite_credential_process(GRANTED, "hat", sso);
        let want = GRANTED
            .replace(
                "granted credential-process --profile sso/admin",
                "hat credential-process --profile sso/admin",
            )
            .replace(
                "/opt/homebrew/bin/granted credential-process --url https://cf.example.com --profile=cf",
                "hat credential-process --profile cf",
            );
        assert_eq!(out.text, want);
        assert_eq!(out.profiles, ["sso/admin", "cf"]);
        assert_eq!(
            out.kept,
            ["iam"],
            "keys in Granted's keychain stay with Granted"
        );
        assert_eq!(
            out.dropped,
            [("cf".to_string(), "--url https://cf.example.com".to_string())]
        );
    }

    #[test]
    fn a_second_run_changes_nothing() {
        let once = rewrite_credential_process(GRANTED, "hat", sso).text;
        let twice = rewrite_credential_process(&once, "hat", sso);
        assert_eq!(twice.text, once);
        assert!(twice.profiles.is_empty());
    }

    #[test]
    fn a_line_without_a_profile_or_not_granted_is_left_alone() {
        for text in [
            "credential_process = granted credential-process\n",
            "credential_process = notgranted credential-process --profile a\n",
            "credential_process = granted sso login --profile a\n",
            "# credential_process = granted credential-process --profile a\n",
        ] {
            assert_eq!(rewrite_credential_process(text, "hat", sso).text, text);
        }
    }

    /// `~/.granted/config` as Granted's encoder (BurntSushi's TOML) writes it.
    const SETTINGS: &str = r#"DefaultBrowser = "FIREFOX"
CustomBrowserPath = "/usr/bin/firefox"
CustomSSOBrowserPath = "/usr/bin/chromium"
Ordering = "Alphabetical"
ExportCredentialSuffix = "granted"
ExportSSOToken = true
DefaultExportAllEnvVar = true

[Keyring]
  Backend = "file"

[ProfileRegistry]
  PrefixAllProfiles = false
  PrefixDuplicateProfiles = false
  [ProfileRegistry.RequiredKeys]
    USERNAME = "alice"

  [[ProfileRegistry.Registries]]
    name = "team"
    url = "https://git.example.com/team.git"
    ref = "main"
    priority = 2
    prefixDuplicateProfiles = true
    type = "git"

  [[ProfileRegistry.registries]]
    name = "old"
    url = "https://git.example.com/old"
    type = "http"

[SSO]
  [SSO.corp]
    StartURL = "https://corp.awsapps.com/start"
    SSORegion = "eu-west-1"
"#;

    #[test]
    fn granted_settings_become_hats_and_the_rest_is_named() {
        let found = read_settings(SETTINGS).unwrap();
        let set: Vec<(&str, &str, Value)> = found
            .settings
            .iter()
            .map(|s| (s.section, s.key, s.value.clone()))
            .collect();
        let t = |s: &str| Value::Text(s.into());
        assert_eq!(
            set,
            [
                ("console", "browser", t("firefox")),
                ("console", "browser_path", t("/usr/bin/firefox")),
                ("console", "firefox_containers", Value::Flag(true)),
                ("export", "credential_suffix", t("granted")),
            ]
        );
        assert_eq!(found.registries.len(), 1, "{:?}", found.registries);
        let team = &found.registries[0];
        assert_eq!(
            (team.name.as_str(), team.git_ref.as_deref(), team.priority),
            ("team", Some("main"), 2)
        );
        assert!(team.prefix_duplicate_profiles && !team.prefix_all_profiles);
        assert_eq!(team.values["USERNAME"], "alice");
        let names: Vec<&str> = found.unsupported.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "CustomSSOBrowserPath",
                "Keyring",
                "Ordering",
                "SSO.corp",
                "ProfileRegistry.Registries old"
            ]
        );
        let needless: Vec<&str> = found.needless.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(needless, ["ExportSSOToken", "DefaultExportAllEnvVar"]);
    }

    #[test]
    fn each_granted_browser_is_opened_the_way_granted_opens_it() {
        let browser_of = |text: &str| {
            let found = read_settings(text).unwrap();
            let set: Vec<String> = found
                .settings
                .iter()
                .map(|s| format!("{}={}", s.key, s.value.show()))
                .collect();
            (set, found.unsupported)
        };
        let (set, _) =
            browser_of("DefaultBrowser = \"CHROME\"\nCustomBrowserPath = \"/opt/chrome\"\n");
        assert_eq!(set, ["browser=\"chrome\"", "browser_path=\"/opt/chrome\""]);
        let (set, _) = browser_of("defaultbrowser = \"ARC\"\n");
        assert_eq!(set, ["browser=\"custom\"", "command=\"open -a Arc {url}\""]);
        let (set, _) = browser_of(
            "DefaultBrowser = \"CUSTOM\"\n[AWSConsoleBrowserLaunchTemplate]\n  Command = \"/bin/ff --profile={{ .Profile }} {{.URL}}\"\n",
        );
        assert_eq!(
            set,
            [
                "browser=\"custom\"",
                "command=\"/bin/ff --profile={profile} {url}\""
            ]
        );
        let (set, no) = browser_of(
            "DefaultBrowser = \"CUSTOM\"\n[AWSConsoleBrowserLaunchTemplate]\n  Command = \"ff -p={{.Args.P}} {{.URL}}\"\n",
        );
        assert!(set.is_empty() && no[0].1.contains(".Args.P"), "{no:?}");
        let (set, no) = browser_of("DefaultBrowser = \"ZEN\"\n");
        assert!(set.is_empty() && no[0].1.contains("browser_path"), "{no:?}");
        let (set, _) = browser_of("DefaultBrowser = \"ZEN\"\nCustomBrowserPath = \"/opt/zen\"\n");
        assert_eq!(
            set,
            [
                "browser=\"firefox\"",
                "browser_path=\"/opt/zen\"",
                "firefox_containers=true"
            ]
        );
        let (set, no) = browser_of("DefaultBrowser = \"STDOUT\"\n");
        assert!(
            set.is_empty() && no[0].0 == "DefaultBrowser = STDOUT",
            "{no:?}"
        );
        let e = read_settings("DefaultBrowser = \n").unwrap_err();
        assert!(e.starts_with(", line 1: "), "{e}");
    }

    #[test]
    fn hats_own_settings_and_registries_are_never_overwritten() {
        let found = read_settings(SETTINGS).unwrap();
        let mut doc: toml_edit::DocumentMut =
            "# mine\n[console]\nbrowser = \"chrome\"\n\n[[registry]]\nname = \"team\"\nurl = \"/srv/team\"\n"
                .parse()
                .unwrap();
        let applied = apply_settings(&mut doc, &found).unwrap();
        assert_eq!(
            applied.set,
            ["[export] credential_suffix = \"granted\" (Granted's ExportCredentialSuffix)"]
        );
        assert_eq!(applied.kept.len(), 2, "{:?}", applied.kept);
        assert!(
            applied.kept[0].contains("browser = \"chrome\""),
            "{:?}",
            applied.kept
        );
        assert!(applied.imported.is_empty());
        let text = doc.to_string();
        assert!(
            text.starts_with("# mine\n[console]\nbrowser = \"chrome\"\n"),
            "{text}"
        );
        assert!(!text.contains("firefox"), "{text}");

        // Into an empty file, and again: the second time changes nothing.
        let mut doc = toml_edit::DocumentMut::new();
        let applied = apply_settings(&mut doc, &found).unwrap();
        assert_eq!(applied.set.len(), 4);
        assert_eq!(applied.imported, ["team"]);
        let once = doc.to_string();
        let again = apply_settings(&mut doc, &found).unwrap();
        assert_eq!(
            again,
            Applied {
                granted: vec!["team".into()],
                ..Applied::default()
            }
        );
        assert_eq!(doc.to_string(), once);
    }

    #[test]
    fn granteds_registry_block_becomes_hats_and_nothing_else_moves() {
        let text = "[profile me]\r\nregion = x\r\n\r\n\
            # Auto-generated by Granted (https://granted.dev). DO NOT EDIT.\r\n\
            # Manual edits to this section will be overwritten.\r\n\
            # To stop syncing and remove this section, run 'granted registry remove'.\r\n\
            [granted_registry_start team]\r\n\r\n[profile dev]\r\nregion = y\r\n\r\n\
            [granted_registry_end team]\r\n\r\n[profile after]\r\nregion = z\r\n";
        assert!(has_granted_block(text, "team") && !has_granted_block(text, "other"));
        let out = adopt_registry_block(text, "team", "# BEGIN", "# END").unwrap();
        assert_eq!(
            out,
            "[profile me]\r\nregion = x\r\n\r\n# BEGIN\r\n\r\n[profile dev]\r\nregion = y\r\n\r\n# END\r\n\r\n[profile after]\r\nregion = z\r\n"
        );
        assert_eq!(adopt_registry_block(&out, "team", "# BEGIN", "# END"), None);
        assert_eq!(
            adopt_registry_block("[granted_registry_start team]\n", "team", "b", "e"),
            None,
            "a block without its end is left alone"
        );
    }

    #[test]
    fn granteds_settings_are_where_granted_looks() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap();
        let env = crate::env::Env::from_pairs([("HOME", h), ("XDG_CONFIG_HOME", "/x")]);
        assert_eq!(
            config_path(&env).unwrap(),
            PathBuf::from("/x/granted/config"),
            "without ~/.granted, Granted uses XDG_CONFIG_HOME"
        );
        std::fs::create_dir(home.path().join(".granted")).unwrap();
        assert_eq!(
            config_path(&env).unwrap(),
            home.path().join(".granted/config")
        );
    }
}
