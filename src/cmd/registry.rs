//! `hat registry add | sync | list | remove`: teams' shared profiles from git
//! repositories. Messages go to stderr; stdout carries only `list`'s table.

use crate::cli::{RegistryAddArgs, RegistryArgs, RegistryCommand, RegistrySyncArgs};
use crate::env::Env;
use crate::log;
use crate::registry::{self, Report, auto, ops};
use crate::settings::RegistrySettings;
use anyhow::{Result, anyhow, bail};
use std::collections::BTreeMap;

pub fn run(args: &RegistryArgs, env: &Env) -> Result<String> {
    match &args.command {
        RegistryCommand::Add(a) => add(a, env),
        RegistryCommand::Sync(a) => sync(a, env),
        RegistryCommand::List => list(env),
        RegistryCommand::Remove(a) => {
            let gone = ops::remove(env, &a.name)?;
            log::info(&format!(
                "removed registry {} and its {gone} profiles from {}",
                a.name,
                env.config_file().display()
            ));
            Ok(String::new())
        }
    }
}

/// `KEY=VALUE` pairs from --required-key.
fn answers(pairs: &[String]) -> Result<BTreeMap<String, String>> {
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(anyhow!("--required-key takes KEY=VALUE, not `{pair}`")),
        })
        .collect()
}

fn add(args: &RegistryAddArgs, env: &Env) -> Result<String> {
    if args.registry_type != "git" {
        bail!(
            "hat syncs git registries only, not `{}` (Granted's HTTP registries are gone there too)",
            args.registry_type
        );
    }
    let url = args
        .repository
        .as_deref()
        .or(args.url.as_deref())
        .ok_or_else(|| anyhow!("name the repository: hat registry add URL"))?;
    let cwd = std::env::current_dir().unwrap_or_default();
    let url = registry::absolute(url, &cwd);
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| registry::name_from_url(&url));
    let new = RegistrySettings {
        name: name.clone(),
        url,
        git_ref: args.git_ref.clone(),
        path: args.path.clone().filter(|p| !p.is_empty()),
        filename: Some(args.filename.clone()).filter(|f| f != registry::DEFAULT_FILENAME),
        priority: args.priority,
        prefix_all_profiles: args.prefix_all_profiles,
        prefix_duplicate_profiles: args.prefix_duplicate_profiles,
        values: BTreeMap::new(),
    };
    let report = ops::add(env, new, &answers(&args.required_key)?, args.force)?;
    for warning in &report.warnings {
        log::warn(&format!("registry {name}: {warning}"));
    }
    if let Ok(counts) = &report.outcome {
        log::info(&format!(
            "added registry {name}: {} in {}",
            ops::describe(counts),
            env.config_file().display()
        ));
    }
    Ok(String::new())
}

fn sync(args: &RegistrySyncArgs, env: &Env) -> Result<String> {
    let interactive = !args.auto;
    let result = ops::sync(
        env,
        args.name.as_deref(),
        &answers(&args.required_key)?,
        args.force,
        interactive,
    );
    let reports = match result {
        Ok(reports) => reports,
        Err(e) if args.auto => {
            auto::mark(env, Some(&format!("{e:#}")));
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    if reports.is_empty() && !args.auto {
        log::info("no registries to sync; add one with `hat registry add URL`");
    }
    let failures = summarise(&reports, env);
    if failures.is_empty() {
        return Ok(String::new());
    }
    if args.auto {
        auto::mark(env, Some(&failures.join("\n")));
    }
    if failures.len() == 1 {
        bail!("{}", failures[0]);
    }
    for failure in &failures {
        log::warn(failure);
    }
    bail!(
        "{} of {} registries did not sync; their profiles are as they were",
        failures.len(),
        reports.len()
    )
}

/// Says what each registry's sync did; returns the one-line failures.
fn summarise(reports: &[Report], env: &Env) -> Vec<String> {
    let path = env.config_file();
    let mut failures = Vec::new();
    for report in reports {
        if let Some(reason) = report.log_synced() {
            failures.push(format!(
                "registry {} did not sync, its profiles in {} are unchanged: {reason}",
                report.name,
                path.display()
            ));
        }
    }
    failures
}

fn list(env: &Env) -> Result<String> {
    let all = ops::list(env)?;
    if all.is_empty() {
        log::info("no registries; add one with `hat registry add URL`");
        return Ok(String::new());
    }
    let header = ["NAME", "PRIORITY", "PROFILES", "REF", "URL"].map(String::from);
    let rows: Vec<[String; 5]> = all
        .iter()
        .map(|(r, n)| {
            [
                r.name.clone(),
                r.priority.to_string(),
                n.to_string(),
                r.git_ref.clone().unwrap_or_else(|| "HEAD".into()),
                r.url.clone(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(&format!("{cell:w$}  ", w = widths[i]));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    Ok(out)
}
