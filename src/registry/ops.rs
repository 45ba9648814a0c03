//! What `hat registry` does, on hat's settings, the clones and `~/.aws/config`
//! together: add (fetch, merge, then record), sync, remove. One sync at a time (a lock
//! in the registries' directory); `~/.aws/config` is written once per run, atomically,
//! and only when something changed.

use super::{Counts, Plan, Report, SyncOptions, auto, clone_dir, markers, plan};
use crate::config::edit;
use crate::env::Env;
use crate::settings::{self, RegistrySettings};
use anyhow::{Context as _, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::fs::File;

/// Holds the registries' lock until dropped.
pub struct Lock {
    _file: File,
}

/// Waits for the lock; with `wait` false, None when another sync holds it.
pub fn lock(env: &Env, wait: bool) -> Result<Option<Lock>> {
    let path = super::dir(env).join(".lock");
    let file = crate::fs::open_lock(&path)?;
    if wait {
        file.lock()
            .with_context(|| format!("could not lock {}", path.display()))?;
    } else if file.try_lock().is_err() {
        return Ok(None);
    }
    Ok(Some(Lock { _file: file }))
}

fn read_config(env: &Env) -> Result<String> {
    crate::fs::read_or_empty(&env.config_file())
}

fn write_config(env: &Env, old: &str, new: &str) -> Result<()> {
    if new != old {
        crate::fs::write(&env.config_file(), new)?;
    }
    Ok(())
}

fn registries(env: &Env) -> Result<Vec<RegistrySettings>> {
    Ok(settings::load(env)?.registry)
}

/// The `[[registry]]` table for `r`, in Granted's words where it has them.
pub fn table(r: &RegistrySettings) -> toml_edit::Table {
    let mut t = toml_edit::Table::new();
    t["name"] = toml_edit::value(&r.name);
    t["url"] = toml_edit::value(&r.url);
    if let Some(v) = &r.git_ref {
        t["ref"] = toml_edit::value(v);
    }
    if let Some(v) = &r.path {
        t["path"] = toml_edit::value(v);
    }
    if let Some(v) = &r.filename {
        t["filename"] = toml_edit::value(v);
    }
    if r.priority != 0 {
        t["priority"] = toml_edit::value(r.priority);
    }
    if r.prefix_all_profiles {
        t["prefix_all_profiles"] = toml_edit::value(true);
    }
    if r.prefix_duplicate_profiles {
        t["prefix_duplicate_profiles"] = toml_edit::value(true);
    }
    if !r.values.is_empty() {
        let mut values = toml_edit::InlineTable::new();
        for (k, v) in &r.values {
            values.insert(k, v.as_str().into());
        }
        t["values"] = toml_edit::value(values);
    }
    t
}

/// The `[[registry]]` array of the settings document, created when missing.
pub fn array(doc: &mut toml_edit::DocumentMut) -> Result<&mut toml_edit::ArrayOfTables> {
    if !doc.contains_key("registry") {
        doc["registry"] = toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new());
    }
    doc["registry"]
        .as_array_of_tables_mut()
        .ok_or_else(|| anyhow!("`registry` in hat's settings must be written [[registry]]"))
}

/// Keeps the answers a sync collected in each registry's `values`.
fn keep_answers(env: &Env, reports: &[Report]) -> Result<()> {
    let answered: Vec<&Report> = reports
        .iter()
        .filter(|r| r.outcome.is_ok() && !r.answered.is_empty())
        .collect();
    if answered.is_empty() {
        return Ok(());
    }
    settings::update(env, |doc| {
        for table in array(doc)?.iter_mut() {
            let name = table
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string);
            let Some(report) = answered.iter().find(|r| Some(&r.name) == name.as_ref()) else {
                continue;
            };
            if !table.contains_key("values") {
                table["values"] = toml_edit::value(toml_edit::InlineTable::new());
            }
            for (k, v) in &report.answered {
                table["values"][k.as_str()] = toml_edit::value(v);
            }
        }
        Ok(())
    })
}

/// `hat registry add`: fetches the registry and merges it; only if that works is it
/// recorded in the settings and written into the config file.
pub fn add(
    env: &Env,
    mut new: RegistrySettings,
    answers: &BTreeMap<String, String>,
    force: bool,
) -> Result<Report> {
    super::check_name(&new.name)?;
    super::check_url(&new.url)?;
    let _lock = lock(env, true)?;
    let mut all = registries(env)?;
    if all.iter().any(|r| r.name == new.name) {
        bail!(
            "there is already a registry named {}; give another with --name, or `hat registry remove {}` first",
            new.name,
            new.name
        );
    }
    let dir = clone_dir(env, &new.name);
    if dir.exists() {
        // Left by a registry that was removed by hand: start clean.
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("could not remove {}", dir.display()))?;
    }
    // Keys given with --required-key are kept as the user's values.
    new.values
        .extend(answers.iter().map(|(k, v)| (k.clone(), v.clone())));
    all.push(new.clone());
    let old = read_config(env)?;
    let options = SyncOptions {
        interactive: true,
        force,
        only: Some(&new.name),
        answers,
    };
    let Plan { text, mut reports } = plan(env, &env.config_file(), &old, &all, &options)?;
    let report = reports
        .pop()
        .ok_or_else(|| anyhow!("the registry was not synced"))?;
    if let Err(reason) = &report.outcome {
        let _ = std::fs::remove_dir_all(&dir);
        bail!("could not add registry {}: {reason}", new.name);
    }
    new.values.extend(report.answered.clone());
    settings::update(env, |doc| {
        array(doc)?.push(table(&new));
        Ok(())
    })?;
    write_config(env, &old, &text)?;
    auto::mark(env, None);
    Ok(report)
}

/// `hat registry sync`: every registry (or one), each on its own: a registry that fails
/// keeps its block as it was.
pub fn sync(
    env: &Env,
    only: Option<&str>,
    answers: &BTreeMap<String, String>,
    force: bool,
    interactive: bool,
) -> Result<Vec<Report>> {
    let all = registries(env)?;
    if let Some(name) = only
        && !all.iter().any(|r| r.name == name)
    {
        bail!("{}", unknown(name, &all));
    }
    if all.is_empty() {
        auto::forget(env);
        return Ok(Vec::new());
    }
    let Some(_lock) = lock(env, interactive)? else {
        // Another sync is running: it does this one's work.
        return Ok(Vec::new());
    };
    auto::mark(env, None);
    let old = read_config(env)?;
    let options = SyncOptions {
        interactive,
        force,
        only,
        answers,
    };
    let Plan { text, reports } = plan(env, &env.config_file(), &old, &all, &options)?;
    write_config(env, &old, &text)?;
    keep_answers(env, &reports)?;
    Ok(reports)
}

/// `hat registry remove`: the block goes from the config file, the record from the
/// settings, the clone from the data directory. Returns how many profiles went.
pub fn remove(env: &Env, name: &str) -> Result<usize> {
    let all = registries(env)?;
    if !all.iter().any(|r| r.name == name) {
        bail!("{}", unknown(name, &all));
    }
    let _lock = lock(env, true)?;
    let old = read_config(env)?;
    let gone = super::block_profiles(&old, name).len();
    let (begin, end) = markers(name);
    let text = edit::replace_block(&old, &begin, &end, "");
    write_config(env, &old, &text)?;
    settings::update(env, |doc| {
        array(doc)?.retain(|t| t.get("name").and_then(|n| n.as_str()) != Some(name));
        if array(doc)?.is_empty() {
            doc.remove("registry");
        }
        Ok(())
    })?;
    let dir = clone_dir(env, name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("could not remove {}", dir.display()))?;
    }
    if all.len() == 1 {
        auto::forget(env);
    }
    Ok(gone)
}

/// The recorded registries, each with the profiles its block holds now.
pub fn list(env: &Env) -> Result<Vec<(RegistrySettings, usize)>> {
    let text = read_config(env)?;
    Ok(registries(env)?
        .into_iter()
        .map(|r| {
            let n = super::block_profiles(&text, &r.name).len();
            (r, n)
        })
        .collect())
}

fn unknown(name: &str, all: &[RegistrySettings]) -> String {
    if all.is_empty() {
        format!("there is no registry named {name}: none is set up (`hat registry add URL`)")
    } else {
        let names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
        format!(
            "there is no registry named {name}; the registries are {}",
            names.join(", ")
        )
    }
}

/// One line saying what a sync did for a registry.
pub fn describe(counts: &Counts) -> String {
    format!(
        "{} profiles ({} new, {} removed)",
        counts.written, counts.added, counts.removed
    )
}
