//! Profile registries: git repositories of shared AWS config, in Granted's layout
//! (`granted.yml` listing config files), merged into one marked block per registry in
//! `~/.aws/config` with the owned-block writer that `sso populate` uses. Everything
//! outside the blocks is the user's and is never touched.
//!
//! A sync never makes things worse: a registry whose fetch, manifest, files or
//! templates fail, or whose new content would remove more than half of the profiles it
//! wrote last time (without `force`), keeps its block exactly as it was, and the reason
//! is one line. Names: the user's own profiles always win; among registries the higher
//! priority wins (then the one added first); `prefix_all_profiles` and
//! `prefix_duplicate_profiles` name a registry's profiles `REGISTRY.NAME` as Granted does.

pub mod auto;
mod git;
mod manifest;
pub mod ops;

pub use git::{absolute, check_url};

use crate::config::{ConfigSet, Section, edit};
use crate::env::Env;
use crate::settings::RegistrySettings;
use anyhow::{Result, anyhow, bail};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The manifest's name when the registry does not name another.
pub const DEFAULT_FILENAME: &str = "granted.yml";

/// Where the registries' clones, lock and auto-sync stamp live.
pub fn dir(env: &Env) -> PathBuf {
    env.data_dir().join("registries")
}

/// The bare clone of one registry.
pub fn clone_dir(env: &Env, name: &str) -> PathBuf {
    dir(env).join(format!("{name}.git"))
}

/// A registry's name must be usable in a path, a marker line and a profile prefix.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !ok {
        bail!("`{name}` cannot name a registry: use letters, digits, `-`, `_` and `.`");
    }
    Ok(())
}

/// A name for a registry from its URL: the last path part without `.git`.
pub fn name_from_url(url: &str) -> String {
    let tail = url
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("");
    let tail = tail.strip_suffix(".git").unwrap_or(tail);
    let name: String = tail
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches(['-', '.']).to_string();
    if name.is_empty() {
        "registry".into()
    } else {
        name
    }
}

/// The block's marker lines for one registry.
pub fn markers(name: &str) -> (String, String) {
    (
        format!(
            "# BEGIN hat registry {name} (generated: edits inside are replaced; `hat registry remove {name}` removes it)"
        ),
        format!("# END hat registry {name}"),
    )
}

/// The profile names in a registry's block of `text`.
pub fn block_profiles(text: &str, name: &str) -> Vec<String> {
    let (begin, end) = markers(name);
    let block = edit::read_block(text, &begin, &end).unwrap_or("");
    ConfigSet::from_texts(Path::new(""), block, Path::new(""), "")
        .map(|c| c.profile_names().map(str::to_string).collect())
        .unwrap_or_default()
}

/// How a sync runs.
pub struct SyncOptions<'a> {
    /// Someone is there: git may ask for a password, and hat for required keys.
    pub interactive: bool,
    /// Accept a sync that removes more than half of a registry's profiles.
    pub force: bool,
    /// Only these registries are fetched; the others keep their blocks as they are.
    pub only: Option<&'a str>,
    /// Answers to required keys given on the command line (`KEY=VALUE`).
    pub answers: &'a BTreeMap<String, String>,
}

/// What a sync did for one registry.
pub struct Report {
    pub name: String,
    /// Profiles written, new and removed, or the one-line reason nothing changed.
    pub outcome: std::result::Result<Counts, String>,
    /// Required keys answered in this run, to keep in the settings.
    pub answered: BTreeMap<String, String>,
    /// Things the user may want to fix, one line each.
    pub warnings: Vec<String>,
}

impl Report {
    /// Says what a sync did for this registry: its warnings, and on success what it
    /// wrote. Returns the reason when it did not sync, for the caller to put in words.
    pub fn log_synced(&self) -> Option<&str> {
        for warning in &self.warnings {
            crate::log::warn(&format!("registry {}: {warning}", self.name));
        }
        match &self.outcome {
            Ok(counts) => {
                crate::log::info(&format!(
                    "synced registry {}: {}",
                    self.name,
                    ops::describe(counts)
                ));
                None
            }
            Err(reason) => Some(reason),
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub written: usize,
    pub added: usize,
    pub removed: usize,
}

/// The config file's new text, and what happened to each registry.
pub struct Plan {
    pub text: String,
    pub reports: Vec<Report>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    SsoSession,
    Profile,
    Services,
}

impl Kind {
    fn header(self, name: &str) -> String {
        match self {
            Kind::Profile if name == "default" => "[default]".into(),
            Kind::Profile => format!("[profile {name}]"),
            Kind::SsoSession => format!("[sso-session {name}]"),
            Kind::Services => format!("[services {name}]"),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Profile => "profile",
            Kind::SsoSession => "sso-session",
            Kind::Services => "services section",
        }
    }
}

type Keys = BTreeMap<String, String>;

/// Who already holds a section name, and what it says.
struct Holder {
    owner: Option<String>,
    keys: Keys,
}

fn sections_of(set: &ConfigSet) -> Vec<(Kind, String, Keys)> {
    let keys = |s: &Section| -> Keys {
        s.settings
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect()
    };
    let mut out = Vec::new();
    for name in set.sso_session_names() {
        if let Some(s) = set.sso_session(name) {
            out.push((Kind::SsoSession, name.to_string(), keys(s)));
        }
    }
    for name in set.profile_names() {
        if let Some(s) = set.profile(name) {
            out.push((Kind::Profile, name.to_string(), keys(s)));
        }
    }
    for name in set.services_names() {
        if let Some(s) = set.services_section(name) {
            out.push((Kind::Services, name.to_string(), keys(s)));
        }
    }
    out
}

fn parse_text(path: &Path, text: &str) -> std::result::Result<ConfigSet, String> {
    ConfigSet::from_texts(path, text, Path::new(""), "").map_err(|e| e.to_string())
}

/// Works out the config file's new text for `registries` (all of them, as recorded),
/// fetching those `options.only` selects. Fails only when the user's own config cannot
/// be read; each registry's failure is in its report, with its block left as it was.
pub fn plan(
    env: &Env,
    config_path: &Path,
    text: &str,
    registries: &[RegistrySettings],
    options: &SyncOptions<'_>,
) -> Result<Plan> {
    let mut outside = text.to_string();
    for r in registries {
        let (begin, end) = markers(&r.name);
        outside = edit::replace_block(&outside, &begin, &end, "");
    }
    let outside = parse_text(config_path, &outside)
        .map_err(|e| anyhow!("could not read {}: {e}", config_path.display()))?;
    let selected = |r: &RegistrySettings| options.only.is_none_or(|n| n == r.name);
    let mut order: Vec<&RegistrySettings> = registries.iter().filter(|r| selected(r)).collect();
    order.sort_by_key(|r| std::cmp::Reverse(r.priority));
    let mut fetched = Vec::new();
    for r in order {
        let mut answered = BTreeMap::new();
        let got = fetch(env, r, options, &mut answered);
        fetched.push((r, got, answered));
    }
    // Registries that are not synced now, or fail, keep their block and its names,
    // whatever their priority, so no name is ever written twice. A registry that fails
    // only while composing changes what the others may take: compose again.
    let mut kept: BTreeSet<&str> = registries
        .iter()
        .filter(|r| !selected(r))
        .map(|r| r.name.as_str())
        .collect();
    kept.extend(
        fetched
            .iter()
            .filter(|(_, got, _)| got.is_err())
            .map(|(r, _, _)| r.name.as_str()),
    );
    let mut reasons: BTreeMap<String, String> = BTreeMap::new();
    loop {
        let (new_text, outcomes) =
            compose(text, &outside, &fetched, &kept, &reasons, options.force);
        let failed: Vec<(String, String)> = outcomes
            .iter()
            .filter(|(name, _, _)| !kept.contains(name.as_str()))
            .filter_map(|(name, outcome, _)| {
                outcome.as_ref().err().map(|e| (name.clone(), e.clone()))
            })
            .collect();
        if failed.is_empty() {
            let reports = outcomes
                .into_iter()
                .zip(fetched)
                .map(|((name, outcome, warnings), (_, _, answered))| Report {
                    name,
                    outcome,
                    answered,
                    warnings,
                })
                .collect();
            return Ok(Plan {
                text: new_text,
                reports,
            });
        }
        for (name, reason) in failed {
            if let Some(r) = registries.iter().find(|r| r.name == name) {
                kept.insert(r.name.as_str());
            }
            reasons.insert(name, reason);
        }
    }
}

type Fetched<'a> = (
    &'a RegistrySettings,
    std::result::Result<Content, String>,
    Keys,
);

/// A registry's name, what its sync did (or why not), and its warnings.
type Outcome = (String, std::result::Result<Counts, String>, Vec<String>);

/// The new text with every fetched registry not in `kept` rendered in priority order,
/// and each one's outcome; `reasons` says why a registry that fetched is kept.
fn compose(
    text: &str,
    outside: &ConfigSet,
    fetched: &[Fetched<'_>],
    kept: &BTreeSet<&str>,
    reasons: &BTreeMap<String, String>,
    force: bool,
) -> (String, Vec<Outcome>) {
    let mut taken: HashMap<(Kind, String), Holder> = HashMap::new();
    for (kind, name, keys) in sections_of(outside) {
        taken.insert((kind, name), Holder { owner: None, keys });
    }
    for name in kept {
        hold_block(&mut taken, text, name);
    }
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut new_text = text.to_string();
    let mut outcomes = Vec::new();
    for (r, got, _) in fetched {
        let mut warnings = Vec::new();
        let outcome = match got {
            Err(e) => Err(e.clone()),
            Ok(_) if kept.contains(r.name.as_str()) => {
                Err(reasons.get(&r.name).cloned().unwrap_or_default())
            }
            Ok(content) => {
                warnings.extend(content.warnings.iter().cloned());
                render(r, content, &taken, &mut warnings).and_then(|rendered| {
                    let counts = counts(text, &r.name, &rendered);
                    let old = counts.removed + counts.written - counts.added;
                    if counts.removed * 2 > old && !force {
                        return Err(format!(
                            "the new content would remove {} of its {old} profiles, so nothing changed (run `hat registry sync --force` if that is intended)",
                            counts.removed
                        ));
                    }
                    let (begin, end) = markers(&r.name);
                    new_text = edit::replace_block(&new_text, &begin, &end, &body(&rendered, nl));
                    for (kind, name, keys) in rendered {
                        taken.insert(
                            (kind, name),
                            Holder {
                                owner: Some(r.name.clone()),
                                keys,
                            },
                        );
                    }
                    Ok(counts)
                })
            }
        };
        outcomes.push((r.name.clone(), outcome, warnings));
    }
    (new_text, outcomes)
}

/// Profiles written, and how that differs from the registry's block in `text`.
fn counts(text: &str, name: &str, rendered: &[(Kind, String, Keys)]) -> Counts {
    let old: BTreeSet<String> = block_profiles(text, name).into_iter().collect();
    let new: BTreeSet<&String> = rendered
        .iter()
        .filter(|(k, _, _)| *k == Kind::Profile)
        .map(|(_, n, _)| n)
        .collect();
    Counts {
        written: new.len(),
        added: new.iter().filter(|n| !old.contains(**n)).count(),
        removed: old.iter().filter(|n| !new.contains(n)).count(),
    }
}

/// The block's text: one section after another, a blank line between them.
fn body(rendered: &[(Kind, String, Keys)], nl: &str) -> String {
    let mut body = String::new();
    for (i, (kind, name, keys)) in rendered.iter().enumerate() {
        if i > 0 {
            body.push_str(nl);
        }
        body.push_str(&kind.header(name));
        body.push_str(nl);
        for (key, value) in keys {
            body.push_str(&property(key, value, nl));
        }
    }
    body
}

/// `key = value`, with a nested value's lines indented as the SDKs read them.
fn property(key: &str, value: &str, nl: &str) -> String {
    if value.contains('\n') {
        let mut out = format!("{key} ={nl}");
        for line in value.lines().filter(|l| !l.trim().is_empty()) {
            out.push_str(&format!("  {}{nl}", line.trim()));
        }
        out
    } else {
        format!("{key} = {value}{nl}")
    }
}

/// Marks the sections of a registry's current block as taken by it.
fn hold_block(taken: &mut HashMap<(Kind, String), Holder>, text: &str, name: &str) {
    let (begin, end) = markers(name);
    let block = edit::read_block(text, &begin, &end).unwrap_or("");
    if let Ok(set) = parse_text(Path::new(""), block) {
        for (kind, section, keys) in sections_of(&set) {
            taken.entry((kind, section)).or_insert(Holder {
                owner: Some(name.to_string()),
                keys,
            });
        }
    }
}

/// A registry's sections at the fetched commit, with the template values.
struct Content {
    sections: Vec<(Kind, String, Keys)>,
    required: Keys,
    variables: Keys,
    warnings: Vec<String>,
}

/// Fetches the registry and reads its manifest and config files; the error is the
/// one-line reason.
fn fetch(
    env: &Env,
    r: &RegistrySettings,
    options: &SyncOptions<'_>,
    answered: &mut Keys,
) -> std::result::Result<Content, String> {
    let repo = git::Repo::new(clone_dir(env, &r.name));
    let commit = repo
        .fetch(&r.url, r.git_ref.as_deref(), options.interactive)
        .map_err(|e| format!("{e:#}"))?;
    let folder = r.path.as_deref().unwrap_or("");
    let filename = r.filename.as_deref().unwrap_or(DEFAULT_FILENAME);
    let manifest_path = join(folder, filename)?;
    let text = repo
        .read(&commit, &manifest_path)
        .map_err(|e| format!("{e:#}"))?
        .ok_or_else(|| format!("the repository has no {manifest_path}"))?;
    let manifest =
        manifest::parse(&text).map_err(|e| format!("{manifest_path} is not valid: {e}"))?;

    let mut required = Keys::new();
    for (key, prompt) in &manifest.required {
        let value = match options.answers.get(key).or_else(|| r.values.get(key)) {
            Some(v) => v.clone(),
            None => ask(&r.name, key, prompt, options.interactive)?,
        };
        if r.values.get(key) != Some(&value) {
            answered.insert(key.clone(), value.clone());
        }
        required.insert(key.clone(), value);
    }

    let mut merged: BTreeMap<(Kind, String), Keys> = BTreeMap::new();
    let mut warnings = Vec::new();
    for file in &manifest.config_files {
        let path = join(folder, file)?;
        let text = repo
            .read(&commit, &path)
            .map_err(|e| format!("{e:#}"))?
            .ok_or_else(|| {
                format!("{manifest_path} lists {file}, which is not in the repository")
            })?;
        let shown = PathBuf::from(format!("{}:{path}", r.name));
        let set = parse_text(&shown, &text)?;
        warnings.extend(set.warnings.iter().cloned());
        for (kind, name, keys) in sections_of(&set) {
            // A later file's keys win, as when Granted appends the files.
            merged.entry((kind, name)).or_default().extend(keys);
        }
    }
    Ok(Content {
        sections: merged
            .into_iter()
            .map(|((kind, name), keys)| (kind, name, keys))
            .collect(),
        required,
        variables: manifest.variables,
        warnings,
    })
}

/// A required key's value from the person at the terminal.
fn ask(
    registry: &str,
    key: &str,
    prompt: &str,
    interactive: bool,
) -> std::result::Result<String, String> {
    let hint = format!("run hat in a terminal to be asked, or pass --required-key {key}=VALUE");
    if !interactive || !crate::tty::available() {
        return Err(format!("it needs your value for {key}; {hint}"));
    }
    let question = if prompt.is_empty() {
        format!("hat: registry {registry} needs your value for {key}: ")
    } else {
        format!("hat: registry {registry}: {prompt} ({key}): ")
    };
    loop {
        let answer = crate::tty::ask(&question).map_err(|e| format!("{e:#}; {hint}"))?;
        if !answer.is_empty() {
            return Ok(answer);
        }
    }
}

/// `folder/file` inside the repository, normalised; `..` may not leave it.
fn join(folder: &str, file: &str) -> std::result::Result<String, String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in folder.split('/').chain(file.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("`{file}` points outside the repository"));
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(format!("`{file}` is not a file in the repository"));
    }
    Ok(parts.join("/"))
}

/// The registry's sections under the names they get, with templates filled in.
fn render(
    r: &RegistrySettings,
    content: &Content,
    taken: &HashMap<(Kind, String), Holder>,
    warnings: &mut Vec<String>,
) -> std::result::Result<Vec<(Kind, String, Keys)>, String> {
    let prefixed = |name: &str| format!("{}.{name}", r.name);
    let mut renamed: HashMap<&str, String> = HashMap::new();
    let mut chosen: Vec<(Kind, &str, String, &Keys)> = Vec::new();
    for (kind, name, keys) in &content.sections {
        let kind = *kind;
        if kind != Kind::Profile {
            match taken.get(&(kind, name.clone())) {
                None => chosen.push((kind, name, name.clone(), keys)),
                Some(holder) if holder.keys == *keys => {}
                Some(holder) => warnings.push(format!(
                    "{} `{name}` is not written: {} defines it differently",
                    kind.noun(),
                    who(holder)
                )),
            }
            continue;
        }
        let first = if r.prefix_all_profiles {
            prefixed(name)
        } else {
            name.clone()
        };
        let target = match taken.get(&(kind, first.clone())) {
            None => Some(first),
            Some(_) if r.prefix_duplicate_profiles && !r.prefix_all_profiles => {
                let second = prefixed(name);
                match taken.get(&(kind, second.clone())) {
                    None => Some(second),
                    Some(holder) => {
                        warnings.push(format!(
                            "profile `{second}` is not written: {} already defines it",
                            who(holder)
                        ));
                        None
                    }
                }
            }
            Some(holder) => {
                warnings.push(format!(
                    "profile `{first}` is not written: {} already defines it (--prefix-duplicate-profiles keeps both, as `{}`)",
                    who(holder),
                    prefixed(name)
                ));
                None
            }
        };
        if let Some(target) = target {
            if target != *name {
                renamed.insert(name, target.clone());
            }
            chosen.push((kind, name, target, keys));
        }
    }
    let mut out = Vec::new();
    for (kind, original, name, keys) in chosen {
        let values = manifest::Values {
            required: &content.required,
            variables: &content.variables,
            profile: &name,
        };
        let mut filled = Keys::new();
        for (key, value) in keys {
            let mut value = manifest::fill(value, &values)
                .map_err(|e| format!("{} {original}: {key}: {e}", kind.noun()))?;
            if kind == Kind::Profile {
                value = follow_rename(key, &value, original, &name, &renamed);
            }
            filled.insert(key.clone(), value);
        }
        out.push((kind, name, filled));
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok(out)
}

/// A renamed profile's references to itself and to the registry's other renamed
/// profiles follow the new names: `source_profile`, and `--profile NAME` in a
/// `credential_process` line (as Granted rewrites it).
fn follow_rename(
    key: &str,
    value: &str,
    original: &str,
    name: &str,
    renamed: &HashMap<&str, String>,
) -> String {
    match key {
        "source_profile" => renamed
            .get(value)
            .cloned()
            .unwrap_or_else(|| value.to_string()),
        "credential_process" if original != name => {
            let words: Vec<&str> = value.split(' ').collect();
            let mut out: Vec<&str> = Vec::with_capacity(words.len());
            let mut after_flag = false;
            for w in words {
                if after_flag && w == original {
                    out.push(name);
                } else if w == format!("--profile={original}") {
                    return value.replacen(w, &format!("--profile={name}"), 1);
                } else {
                    out.push(w);
                }
                after_flag = w == "--profile";
            }
            out.join(" ")
        }
        _ => value.to_string(),
    }
}

fn who(holder: &Holder) -> String {
    match &holder.owner {
        None => "your own config".to_string(),
        Some(r) => format!("registry {r}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_repository() {
        assert_eq!(join("", "./config").unwrap(), "config");
        assert_eq!(join("team/", "../shared/config").unwrap(), "shared/config");
        assert!(join("", "../etc/passwd").is_err());
        assert!(join("a", "..").is_err());
    }

    #[test]
    fn names_come_from_urls() {
        assert_eq!(
            name_from_url("https://git.example.com/platform/aws-profiles.git"),
            "aws-profiles"
        );
        assert_eq!(name_from_url("git@github.com:org/team.git"), "team");
        assert_eq!(name_from_url("/srv/team-profiles/"), "team-profiles");
        check_name("team").unwrap();
        assert!(
            check_name("a b").is_err() && check_name("").is_err() && check_name("../x").is_err()
        );
    }

    #[test]
    fn references_follow_renamed_profiles() {
        let renamed = HashMap::from([("base", "t.base".to_string()), ("dev", "t.dev".to_string())]);
        assert_eq!(
            follow_rename("source_profile", "base", "dev", "t.dev", &renamed),
            "t.base"
        );
        assert_eq!(
            follow_rename(
                "credential_process",
                "granted credential-process --profile dev",
                "dev",
                "t.dev",
                &renamed
            ),
            "granted credential-process --profile t.dev"
        );
        assert_eq!(
            follow_rename("region", "dev", "dev", "t.dev", &renamed),
            "dev"
        );
    }

    #[test]
    fn nested_values_are_indented() {
        assert_eq!(
            property("s3", "\nmax_concurrent_requests = 20", "\n"),
            "s3 =\n  max_concurrent_requests = 20\n"
        );
    }
}
