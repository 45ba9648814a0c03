//! `hat eks token` (the exec credential plugin kubectl runs) and `hat eks kubeconfig`
//! (the kubeconfig entries that run it).

use crate::chain::{Base, Chain, Hop};
use crate::cli::{EksArgs, EksCommand, EksKubeconfigArgs, EksTokenArgs};
use crate::config::ConfigSet;
use crate::eks::kubeconfig::{self, Kubeconfig, TokenCommand};
use crate::eks::{cluster, token};
use crate::endpoint::{Endpoints, Service};
use crate::env::Env;
use crate::resolve;
use crate::{clock, log, session, tty};
use anyhow::{Context, Result, bail};

/// The role session name `aws eks get-token --role-arn` uses: the cluster sees the same
/// identity after `hat eks kubeconfig --rewrite`.
const ROLE_SESSION_NAME: &str = "EKSGetTokenAuth";

pub fn run(args: &EksArgs, env: &Env) -> Result<String> {
    match &args.command {
        EksCommand::Token(args) => run_token(args, env),
        EksCommand::Kubeconfig(args) => run_kubeconfig(args, env),
    }
}

/// Whose credentials: `--profile`, else AWS_PROFILE, else the environment's keys, else
/// the default profile. `None` in the answer's second place: the environment's keys.
fn source(config: &ConfigSet, env: &Env, profile: Option<&str>) -> Result<(Chain, Option<String>)> {
    let named = profile
        .map(str::to_string)
        .or_else(|| env.get("AWS_PROFILE").map(str::to_string));
    if let Some(name) = named {
        return Ok((resolve::resolve(config, &name)?, Some(name)));
    }
    if env.get("AWS_ACCESS_KEY_ID").is_some() && env.get("AWS_SECRET_ACCESS_KEY").is_some() {
        let name = "environment".to_string();
        let chain = Chain {
            profile: name.clone(),
            base: Base::Environment { profile: name },
            hops: Vec::new(),
        };
        return Ok((chain, None));
    }
    let chain = resolve::resolve(config, "default")
        .context("no profile named: pass --profile PROFILE (or set AWS_PROFILE)")?;
    Ok((chain, Some("default".into())))
}

/// Says what to run when a prompt was needed and there is no terminal (kubectl's case).
fn explain_no_terminal(e: anyhow::Error, again: &str) -> anyhow::Error {
    if tty::available() || !format!("{e:#}").contains("no terminal to ask on") {
        return e;
    }
    e.context(format!(
        "kubectl gives hat no terminal to ask for input on; run {again} once in a terminal, and hat caches the credentials for kubectl"
    ))
}

fn run_token(args: &EksTokenArgs, env: &Env) -> Result<String> {
    let config = ConfigSet::load(env)?;
    let (mut chain, profile) = source(&config, env, args.profile.as_deref())?;
    if let Some(role_arn) = &args.role_arn {
        chain.hops.push(Hop {
            profile: chain.profile.clone(),
            role_arn: role_arn.clone(),
            external_id: None,
            session_name: Some(ROLE_SESSION_NAME.into()),
            duration: None,
            mfa_serial: None,
            tagging: Default::default(),
        });
    }
    let options = session::SessionOptions {
        region: args.region.clone(),
        no_cache: args.no_cache,
        ..session::SessionOptions::default()
    };
    let again = match &profile {
        Some(p) => format!(
            "`hat eks token --cluster {} --profile {p}` (or `assume {p}`)",
            args.cluster
        ),
        None => format!("`hat eks token --cluster {}`", args.cluster),
    };
    let session = session::open_chain(&config, env, chain, profile.as_deref(), &options)
        .map_err(|e| explain_no_terminal(e, &again))?;

    let p = profile.as_deref();
    // FIPS and dual-stack as every STS call reads them (a configured URL wins).
    let endpoints = Endpoints::new(env, &config, p);
    let target = token::StsTarget {
        region: session.region.clone().unwrap_or_else(|| "us-east-1".into()),
        endpoint: endpoints.get(Service::Sts).map(str::to_string),
        fips: endpoints.fips(Service::Sts),
        dual_stack: endpoints.dual_stack(Service::Sts),
    };
    let now = clock::now();
    let bearer = token::token(&session.credentials, &target, &args.cluster, now)?;
    let (version, warning) = token::api_version(env.get("KUBERNETES_EXEC_INFO"));
    if let Some(w) = warning {
        log::warn(&w);
    }
    token::exec_credential(
        version,
        &bearer,
        token::expires_at(&session.credentials, now),
    )
}

fn read_or_empty(path: &std::path::Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("could not read {}", path.display())),
    }
}

fn run_kubeconfig(args: &EksKubeconfigArgs, env: &Env) -> Result<String> {
    let path = kubeconfig::path(
        args.kubeconfig.as_deref(),
        env.get("KUBECONFIG"),
        env.home().as_deref(),
    )?;
    let old = read_or_empty(&path)?;
    let mut doc = match &old {
        Some(text) => Kubeconfig::parse(&path, text)?,
        None => Kubeconfig::empty(),
    };
    let what = if args.rewrite {
        if old.is_none() {
            bail!("there is no kubeconfig at {} to rewrite", path.display());
        }
        let report = doc.rewrite()?;
        for (user, reason) in &report.skipped {
            log::warn(&format!(
                "user `{user}` runs `aws eks get-token`, but {reason}; it was left alone"
            ));
        }
        if report.rewritten.is_empty() {
            log::info(&format!(
                "no user in {} runs `aws eks get-token`; nothing to change",
                path.display()
            ));
            return Ok(String::new());
        }
        format!(
            "pointed {} at `hat eks token`",
            report
                .rewritten
                .iter()
                .map(|u| format!("user `{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        let name = args.cluster.as_deref().unwrap_or_default();
        let config = ConfigSet::load(env)?;
        for warning in &config.warnings {
            log::warn(warning);
        }
        let (chain, profile) = source(&config, env, args.profile.as_deref())?;
        let options = session::SessionOptions {
            region: args.region.clone(),
            ..session::SessionOptions::default()
        };
        let session = session::open_chain(&config, env, chain, profile.as_deref(), &options)?;
        let Some(region) = session.region.clone() else {
            bail!("no region for cluster `{name}`: pass --region, or set region in the profile");
        };
        // The process's one SDK (made by the credential fetch, or now with the
        // profile's limits and CA bundle), and the endpoints the session worked out.
        let sdk = crate::sdk::shared_with(crate::sdk::Limits::load(env)?, &session.endpoints)?;
        let cluster = cluster::describe(
            &sdk,
            &session.credentials,
            &region,
            session.endpoints.get(Service::Eks),
            name,
        )?;
        let command = TokenCommand {
            cluster: cluster.name.clone(),
            region: Some(cluster.region().unwrap_or(&region).to_string()),
            profile,
            role_arn: args.role_arn.clone(),
        };
        let context = doc.add(&cluster, &command, args.alias.as_deref())?;
        format!("added context `{context}` (cluster {})", cluster.arn)
    };
    let new = doc.render()?;
    let old = old.unwrap_or_default();
    if args.dry_run {
        log::info(&format!("dry run: would have {what} in {}", path.display()));
        return Ok(crate::diff::unified(&path, &old, &new));
    }
    if new != old {
        crate::fs::write(&path, &new)?;
    }
    log::info(&format!("{what} in {}", path.display()));
    Ok(String::new())
}
