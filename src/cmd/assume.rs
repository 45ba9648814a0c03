//! `hat assume`: resolve a profile, get its credentials (cache first), and print the
//! exports for the shell function to evaluate.

use crate::cli::AssumeArgs;
use crate::clock;
use crate::config::ConfigSet;
use crate::creds::Credentials;
use crate::emit::{Exports, Shell};
use crate::env::Env;
use crate::exit::Exit;
use crate::frecency::Frecency;
use crate::web_console::open::{self, DurationFor, Visit};
use crate::{log, picker, resolve, sdk, session, tty};
use anyhow::{Result, bail};
use std::io::IsTerminal;

/// Printed instead of secrets when stdout is a terminal: the function is not set up.
const SETUP_NOTE: &str =
    "hat assume prints shell code for the `assume` shell function to evaluate; \
it does not print credentials to a terminal.

Set the function up once, then run `assume PROFILE`:
    bash:  echo 'eval \"$(hat init bash)\"' >> ~/.bashrc
    zsh:   echo 'eval \"$(hat init zsh)\"' >> ~/.zshrc
    fish:  echo 'hat init fish | source' >> ~/.config/fish/config.fish
    nu:    `hat init --help` shows the line for the end of config.nu
Then open a new shell (or run the same line in this one).";

pub fn run(args: &AssumeArgs, env: &Env) -> Result<String> {
    // Secrets on a terminal help no one: the function that evaluates them is missing.
    if std::io::stdout().is_terminal() {
        eprintln!("{SETUP_NOTE}");
        return Err(Exit::NOT_SET_UP.into());
    }
    log::set_verbose(args.verbose);
    let shell = args.shell.unwrap_or(Shell::Sh);
    if args.unset {
        return Ok(Exports::cleared().render(shell));
    }

    if let Some(refused) = args.granted.refused() {
        bail!("{refused}");
    }
    if args.granted.exec.is_some() && shell == Shell::Nu {
        bail!(
            "--exec runs the command through the shell function, which nushell's cannot do; run `hat exec PROFILE -- COMMAND`"
        );
    }
    if args
        .granted
        .exec
        .as_deref()
        .is_some_and(|c| c.trim().is_empty())
    {
        bail!("--exec needs a command: `--exec 'COMMAND ARGS'` or `--exec -- COMMAND ARGS`");
    }
    // Granted's --aws-config-file is AWS_CONFIG_FILE for this one run.
    let overridden;
    let (env, other_config) = match &args.aws_config_file {
        Some(file) => {
            overridden = env.with_var("AWS_CONFIG_FILE", &file.to_string_lossy());
            let other = !same_file(&overridden.config_file(), &env.config_file());
            (&overridden, other)
        }
        None => (env, false),
    };
    let no_cache = args.fetch.no_cache || granted_no_cache(env)?;
    let active;
    let args_profile = if args.active_role {
        active = env.get("AWS_PROFILE").map(str::to_string);
        match active.as_deref() {
            Some(name) if !name.is_empty() => Some(name),
            _ => bail!(
                "--active-role (-ar) assumes the profile in AWS_PROFILE again, and AWS_PROFILE is not set in this shell"
            ),
        }
    } else {
        args.profile.as_deref().or(args.source_profile.as_deref())
    };
    let extra = match &args.chain {
        Some(arn) => vec![chain_hop(arn, args_profile.unwrap_or(ENVIRONMENT))?],
        None => Vec::new(),
    };

    if let Some(start_url) = &args.sso_start_url {
        return sso_role(args, env, start_url, no_cache, other_config, shell);
    }

    // Never freed: the process exits right after, and freeing thousands of small
    // strings one by one cost more than parsing them (a 5,000-profile config).
    let config = std::mem::ManuallyDrop::new(crate::config::load_indexed(env)?);
    if let (Some(arn), None) = (&args.chain, args_profile) {
        return chain_from_environment(args, env, &config, arn, extra, no_cache, shell);
    }
    // No profile, or no profile by exactly that name: the picker, when there is a
    // terminal to draw it on; otherwise the errors say how to name one.
    let picked;
    let profile = match args_profile {
        Some(name) if config.profile(name).is_some() => name,
        Some(name) if !config.has_no_profiles() && tty::available() => {
            picked = picker::pick(&config, env, name)?;
            picked.as_str()
        }
        Some(name) => name,
        None if !config.has_no_profiles() && tty::available() => {
            picked = picker::pick(&config, env, "")?;
            picked.as_str()
        }
        None => bail!("{}", missing_profile(&config, env)),
    };
    let export_to = export_target(args, env, &config, profile)?;
    let mut options = session_options(args, no_cache)?;
    let duration = options.duration;
    let mut chain = resolve::resolve(&config, profile)?;
    // `--chain ARN`: one more hop on top, cached and capped like any other.
    chain.hops.extend(extra);
    if args.wants_console() && open::precheck(&chain)? == DurationFor::ConsoleOnly {
        options.duration = None;
    }
    let session = session::open_chain(&config, env, chain, Some(profile), &options)?;
    Frecency::remember(env, profile, clock::now());
    if !args.granted.skip_profile_registry_sync {
        crate::registry::auto::on_assume(env);
    }
    // AWS_PROFILE must name a profile the AWS CLI in the shell can read.
    let as_aws_profile = !other_config;
    if other_config && (!args.wants_console() || args.terminal) {
        log::info(&format!(
            "AWS_PROFILE is not exported: profile `{profile}` is in {}, which the AWS CLI in this shell does not read (the keys are exported)",
            env.config_file().display()
        ));
    }
    let name = Named {
        label: profile,
        as_aws_profile,
    };
    if args.wants_console() {
        return console(args, env, &config, &session, duration, name, shell);
    }
    deliver(args, env, &session, name, export_to, shell)
}

/// What the shell is told the credentials are: HAT_PROFILE (and the summary) is
/// `label`; AWS_PROFILE is `label` too when the AWS CLI can read a profile by that
/// name, and cleared otherwise (an SSO role or `--chain` with no profile, a profile
/// from --aws-config-file), since naming a profile it cannot find breaks the AWS CLI.
#[derive(Clone, Copy)]
struct Named<'a> {
    label: &'a str,
    as_aws_profile: bool,
}

impl Named<'_> {
    /// What the shell gets: [`Exports::role`], and with `--awsume-variables` awsume's
    /// two variables, its expiry in the local time zone (`TZ`, else the system's).
    fn exports(self, args: &AssumeArgs, env: &Env, session: &session::Session) -> Exports {
        let mut exports =
            Exports::role(self.label, session.region.as_deref(), &session.credentials);
        if !self.as_aws_profile {
            exports.unset("AWS_PROFILE");
        }
        if args.awsume_variables {
            exports.awsume(&clock::LocalZone::from_tz(env.get("TZ")));
        }
        exports
    }
}

/// The end of every assume that puts credentials into the shell: the summary,
/// Granted's -e, -ex and -es, and the exports, or with --exec the code that runs the
/// command with them.
fn deliver(
    args: &AssumeArgs,
    env: &Env,
    session: &session::Session,
    name: Named<'_>,
    export_to: Option<String>,
    shell: Shell,
) -> Result<String> {
    let profile = name.label;
    let (region, creds) = (session.region.as_deref(), &session.credentials);
    let exports = name.exports(args, env, session);
    // Granted's GRANTED_QUIET=true hides its success line; it is -q here.
    if !args.quiet && env.get("GRANTED_QUIET") != Some("true") {
        log::info(&summary(profile, region, creds));
    }
    // Granted's -e and -ex write the files and still put the credentials into the shell.
    if args.granted.env {
        crate::export_file::write_dotenv(std::path::Path::new(".env"), profile, &exports, creds)?;
    }
    if let Some(target) = &export_to {
        // Keys with no expiry came from a file already (here, one `-ex` or `hat export`
        // wrote, whose expiration hat does not carry): writing them back would drop it.
        if creds.expiration.is_none() {
            log::info(&format!(
                "profile `{profile}` holds keys of its own; the credentials file is left as it is"
            ));
        } else {
            crate::export_file::write_credentials(env, target, creds)?;
        }
    }
    if args.granted.export_sso_token {
        export_sso_token(env, session, profile);
    }
    if let Some(command) = &args.granted.exec {
        let Some(code) = exports.run_command(shell, command) else {
            bail!("--exec needs a shell that runs code; run `hat exec {profile} -- {command}`");
        };
        return Ok(code);
    }
    Ok(exports.render(shell))
}

/// How a profile's chain is fetched for `assume`: the shared flags, `--mfa-token`, and
/// `--no-cache` or GRANTED_NO_CACHE.
fn session_options(args: &AssumeArgs, no_cache: bool) -> Result<session::SessionOptions> {
    let mut options = args.fetch.options(args.region.as_ref(), Some(&args.tags))?;
    options.mfa_token = args.mfa_token.clone();
    options.no_cache = no_cache;
    Ok(options)
}

/// Granted's -ex: the profile it writes the credentials as (see
/// [`crate::export_file::export_target`]), checked before any STS call.
fn export_target(
    args: &AssumeArgs,
    env: &Env,
    config: &ConfigSet,
    profile: &str,
) -> Result<Option<String>> {
    if !args.granted.export {
        return Ok(None);
    }
    crate::export_file::export_target(env, config, profile).map(Some)
}

/// Granted's -es copies its SSO token from its keychain into ~/.aws/sso/cache for the
/// AWS CLI. hat's tokens live there already, so -es makes sure a usable one is there
/// (refreshing it, or signing in when there is a terminal, as any SSO call would) and
/// says where. It never fails the assume: the credentials are already in hand.
fn export_sso_token(env: &Env, session: &session::Session, profile: &str) {
    let crate::chain::Base::Sso { target, .. } = &session.chain.base else {
        log::info(&format!(
            "-es: profile `{profile}` does not sign in through IAM Identity Center, so there is no SSO token to export"
        ));
        return;
    };
    match crate::sso::session::ensure_cached(env, &session.endpoints, target) {
        Ok(path) => log::info(&format!(
            "-es: the SSO token of {} is in {}, where the AWS CLI reads it (hat keeps it there: nothing to copy)",
            target.name(),
            path.display()
        )),
        Err(e) => log::warn(&format!("-es: {e:#}")),
    }
}

/// GRANTED_NO_CACHE, read as Granted's CLI library reads a boolean variable (Go's
/// strconv.ParseBool): `--no-cache` for Granted users who set it in their rc file.
fn granted_no_cache(env: &Env) -> Result<bool> {
    match env.get("GRANTED_NO_CACHE") {
        None => Ok(false),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
        Some(other) => bail!(
            "GRANTED_NO_CACHE is `{other}`; set it to true or false (or unset it): true makes assume ignore cached credentials, as --no-cache does"
        ),
    }
}

/// Whether two paths name one file (or, when either is missing, the same path).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `--sso-start-url ... --account-id ... --role-name ...` (Granted's `--sso` group): no
/// profile, so none is exported (AWS_PROFILE naming a missing profile would break the
/// AWS CLI), unless `--save-to NAME` wrote one: then AWS_PROFILE is NAME.
fn sso_role(
    args: &AssumeArgs,
    env: &Env,
    start_url: &str,
    no_cache: bool,
    other_config: bool,
    shell: Shell,
) -> Result<String> {
    let (Some(sso_region), Some(account), Some(role)) =
        (&args.sso_region, &args.account_id, &args.role_name)
    else {
        bail!("--sso-start-url needs --sso-region, --account-id and --role-name");
    };
    if args.wants_console() {
        bail!(
            "the console needs a profile: add --save-to NAME to save this role as one, then `assume -c NAME`"
        );
    }
    if let Some(name) = &args.save_to {
        crate::sso::populate::check_profile_name(name)?;
    }
    let target = crate::chain::SsoTarget {
        session: None,
        start_url: start_url.to_string(),
        region: sso_region.clone(),
        scopes: None,
    };
    let options = session::SessionOptions {
        region: args.region.clone(),
        no_cache,
        ..session::SessionOptions::default()
    };
    let session = session::open_sso(env, target.clone(), account, role, &options)?;
    // Saved once the role has answered, so a mistyped account leaves no profile behind.
    let saved = match &args.save_to {
        Some(name) => {
            let path = env.config_file();
            let text = crate::fs::read_or_empty(&path)?;
            let region = session.region.as_deref().unwrap_or(&target.region);
            let new =
                crate::sso::populate::save_profile(&text, name, &target, account, role, region);
            crate::fs::write(&path, new)?;
            log::info(&format!(
                "saved [profile {name}] in {}: the AWS CLI and hat can use it as `--profile {name}` / `assume {name}`",
                path.display()
            ));
            Some(name.as_str())
        }
        None => None,
    };
    let name = Named {
        label: saved.unwrap_or(&session.profile),
        // Saved into --aws-config-file's FILE, it is not a profile the shell's AWS CLI reads.
        as_aws_profile: saved.is_some() && !other_config,
    };
    // Only -ex needs the profile files here.
    let export_to = if args.granted.export {
        Some(crate::export_file::export_target(
            env,
            &crate::config::load(env)?,
            name.label,
        )?)
    } else {
        None
    };
    deliver(args, env, &session, name, export_to, shell)
}

/// `assume -c`: the console; the exports only with `-t`, and with `--url` a `printf`
/// of the sign-in URL for the shell function to run. Nothing is printed unless all of
/// it succeeded.
fn console(
    args: &AssumeArgs,
    env: &Env,
    config: &ConfigSet,
    session: &session::Session,
    duration: Option<u32>,
    name: Named<'_>,
    shell: Shell,
) -> Result<String> {
    let visit = Visit {
        service: args.service.as_deref(),
        destination: args.destination.as_deref(),
        browser_profile: args.browser_profile.as_deref(),
        duration,
        url_only: args.url,
    };
    // The runtime the credentials were fetched on, if they were: one per process.
    let url = open::open(env, config, &sdk::shared(env)?, &session.into(), &visit)?;
    let mut out = String::new();
    if args.terminal {
        out.push_str(&name.exports(args, env, session).render(shell));
        log::info(&summary(
            name.label,
            session.region.as_deref(),
            &session.credentials,
        ));
    }
    if let Some(url) = url {
        out.push_str(&shell.print_line(url.as_str()));
    }
    Ok(out)
}

/// What the base of `assume --chain ARN` with no profile is called: the shell's keys.
const ENVIRONMENT: &str = "environment";

/// `assume --chain ARN` with no profile: the role assumed with the credentials already
/// in the shell (AWS_ACCESS_KEY_ID, ...), cached like any hop. No profile stands
/// behind it, so AWS_PROFILE is cleared and HAT_PROFILE is the role's ARN.
fn chain_from_environment(
    args: &AssumeArgs,
    env: &Env,
    config: &ConfigSet,
    arn: &str,
    hops: Vec<crate::chain::Hop>,
    no_cache: bool,
    shell: Shell,
) -> Result<String> {
    if Credentials::from_env(env).is_none() {
        bail!(
            "--chain assumes {arn} with a profile's credentials or the shell's: name the profile (`assume PROFILE --chain {arn}`, or --source-profile PROFILE), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY first"
        );
    }
    if args.granted.export {
        bail!(
            "-ex writes a profile of the credentials file under the profile's name, and there is none here: name the profile (`assume PROFILE --chain {arn} -ex`)"
        );
    }
    let chain = crate::chain::Chain {
        profile: ENVIRONMENT.to_string(),
        base: crate::chain::Base::Environment {
            profile: ENVIRONMENT.to_string(),
        },
        hops,
    };
    let options = session_options(args, no_cache)?;
    let duration = options.duration;
    let session = session::open_chain(config, env, chain, None, &options)?;
    let name = Named {
        label: arn,
        as_aws_profile: false,
    };
    if args.wants_console() {
        return console(args, env, config, &session, duration, name, shell);
    }
    deliver(args, env, &session, name, None, shell)
}

/// `--chain ARN` / `--role-arn ARN`: one more role on top of the profile's chain.
fn chain_hop(arn: &str, profile: &str) -> Result<crate::chain::Hop> {
    let is_role = arn.starts_with("arn:")
        && arn.split(':').nth(2) == Some("iam")
        && arn
            .split(':')
            .nth(5)
            .is_some_and(|r| r.starts_with("role/"));
    if !is_role {
        bail!(
            "--chain takes a role ARN such as arn:aws:iam::123456789012:role/deploy, not `{arn}`"
        );
    }
    Ok(crate::chain::Hop {
        profile: format!("{profile} --chain {arn}"),
        role_arn: arn.to_string(),
        external_id: None,
        session_name: None,
        duration: None,
        mfa_serial: None,
        tagging: Default::default(),
    })
}

fn summary(profile: &str, region: Option<&str>, creds: &Credentials) -> String {
    let region = region.map(|r| format!(" in {r}")).unwrap_or_default();
    match creds.remaining(clock::now()) {
        Some(left) => format!(
            "assumed {profile}{region}; the credentials expire in {}",
            clock::human(left)
        ),
        None if creds.is_long_term() => format!("using {profile}{region} (long-term keys)"),
        None => format!("using {profile}{region}"),
    }
}

fn missing_profile(config: &ConfigSet, env: &Env) -> String {
    let names: Vec<&str> = config.profile_names().collect();
    if names.is_empty() {
        return format!(
            "name a profile: `assume PROFILE`. No profiles are defined yet in {} or {}",
            config.config_path.display(),
            config.credentials_path.display()
        );
    }
    let hint = match env.get("HAT_PROFILE").or_else(|| env.get("AWS_PROFILE")) {
        Some(current) if names.contains(&current) => format!(" (the current one is {current})"),
        _ => String::new(),
    };
    let shown: Vec<&str> = names.iter().take(10).copied().collect();
    let more = names.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more (`hat list` lists them)")
    } else {
        String::new()
    };
    format!(
        "name a profile: `assume PROFILE`{hint} (there is no terminal for the picker). Profiles: {}{more}",
        shown.join(", ")
    )
}
