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
        Some(arn) => vec![chain_hop(arn, args_profile)?],
        None => Vec::new(),
    };

    if let Some(start_url) = &args.sso_start_url {
        return sso_role(args, env, start_url, shell);
    }

    // Never freed: the process exits right after, and freeing thousands of small
    // strings one by one cost more than parsing them (a 5,000-profile config).
    let config = std::mem::ManuallyDrop::new(crate::config::load_indexed(env)?);
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
    // Granted's -ex: where it writes (export_file::export_target), checked before any
    // STS call.
    let export_to = if args.granted.export {
        Some(crate::export_file::export_target(env, &config, profile)?)
    } else {
        None
    };
    let mut options = args.fetch.options(args.region.as_ref(), Some(&args.tags))?;
    options.mfa_token = args.mfa_token.clone();
    let duration = options.duration;
    let mut chain = resolve::resolve(&config, profile)?;
    // `--chain ARN`: one more hop on top, cached and capped like any other.
    chain.hops.extend(extra);
    if args.wants_console() && open::precheck(&chain)? == DurationFor::ConsoleOnly {
        options.duration = None;
    }
    let session = session::open_chain(&config, env, chain, Some(profile), &options)?;
    Frecency::remember(env, profile, clock::now());
    crate::registry::auto::on_assume(env);
    if args.wants_console() {
        return console(args, env, &config, &session, duration, shell);
    }
    let (region, creds) = (session.region, session.credentials);
    let exports = exports(args, env, profile, region.as_deref(), &creds);
    if !args.quiet {
        log::info(&summary(profile, region.as_deref(), &creds));
    }
    // Granted's -e and -ex write the files and still put the credentials into the shell.
    if args.granted.env {
        crate::export_file::write_dotenv(std::path::Path::new(".env"), profile, &exports, &creds)?;
    }
    if let Some(target) = &export_to {
        // Keys with no expiry came from a file already (here, one `-ex` or `hat export`
        // wrote, whose expiration hat does not carry): writing them back would drop it.
        if creds.expiration.is_none() {
            log::info(&format!(
                "profile `{profile}` holds keys of its own; the credentials file is left as it is"
            ));
        } else {
            crate::export_file::write_credentials(env, target, &creds)?;
        }
    }
    if let Some(command) = &args.granted.exec {
        let Some(code) = exports.run_command(shell, command) else {
            bail!("--exec needs a shell that runs code; run `hat exec {profile} -- {command}`");
        };
        return Ok(code);
    }
    Ok(exports.render(shell))
}

/// `--sso-start-url ... --account-id ... --role-name ...`: no profile, so none is
/// exported (AWS_PROFILE naming a missing profile would break the AWS CLI).
fn sso_role(args: &AssumeArgs, env: &Env, start_url: &str, shell: Shell) -> Result<String> {
    let (Some(sso_region), Some(account), Some(role)) =
        (&args.sso_region, &args.account_id, &args.role_name)
    else {
        bail!("--sso-start-url needs --sso-region, --account-id and --role-name");
    };
    let target = crate::chain::SsoTarget {
        session: None,
        start_url: start_url.to_string(),
        region: sso_region.clone(),
        scopes: None,
    };
    let options = session::SessionOptions {
        region: args.region.clone(),
        no_cache: args.fetch.no_cache,
        ..session::SessionOptions::default()
    };
    let session = session::open_sso(env, target, account, role, &options)?;
    let mut exports = exports(
        args,
        env,
        &session.profile,
        session.region.as_deref(),
        &session.credentials,
    );
    exports.unset("AWS_PROFILE");
    log::info(&summary(
        &session.profile,
        session.region.as_deref(),
        &session.credentials,
    ));
    Ok(exports.render(shell))
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
        let region = session.region.as_deref();
        out.push_str(
            &exports(args, env, &session.profile, region, &session.credentials).render(shell),
        );
        log::info(&summary(&session.profile, region, &session.credentials));
    }
    if let Some(url) = url {
        out.push_str(&shell.print_line(url.as_str()));
    }
    Ok(out)
}

/// What the shell gets for `profile`: [`Exports::role`], and with `--awsume-variables`
/// awsume's two variables, its expiry in the local time zone (`TZ`, else the system's).
fn exports(
    args: &AssumeArgs,
    env: &Env,
    profile: &str,
    region: Option<&str>,
    creds: &Credentials,
) -> Exports {
    let mut exports = Exports::role(profile, region, creds);
    if args.awsume_variables {
        exports.awsume(&clock::LocalZone::from_tz(env.get("TZ")));
    }
    exports
}

/// `--chain ARN` / `--role-arn ARN`: one more role on top of the profile's chain.
fn chain_hop(arn: &str, profile: Option<&str>) -> Result<crate::chain::Hop> {
    let Some(profile) = profile else {
        bail!(
            "--chain assumes {arn} with a profile's credentials: name the profile (`assume PROFILE --chain {arn}`, or --source-profile PROFILE)"
        );
    };
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
