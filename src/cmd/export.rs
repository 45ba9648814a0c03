//! `hat export PROFILE --format env|json|dotenv|credentials`: a profile's credentials
//! for tools that want them as shell code, JSON, a `.env` file, or a profile in the
//! shared credentials file (the files through [`crate::export_file`]).

use crate::cli::{ExportArgs, ExportFormat};
use crate::emit::{Exports, Shell};
use crate::env::Env;
use crate::{export_file, session};
use anyhow::{Result, bail};
use std::path::PathBuf;

pub fn run(args: &ExportArgs, env: &Env) -> Result<String> {
    let config = crate::config::load(env)?;
    if args.output.is_some() && args.format != ExportFormat::Dotenv {
        bail!(
            "--output is for --format dotenv; the other formats print to stdout or write the credentials file"
        );
    }
    if args.profile_name.is_some() && args.format != ExportFormat::Credentials {
        bail!("--profile-name is for --format credentials");
    }
    // Checked before any STS call: a refusal should cost nothing.
    let target = args.profile_name.as_deref().unwrap_or(&args.profile);
    if args.format == ExportFormat::Credentials {
        let profile = &args.profile;
        export_file::check_target(
            &config,
            target,
            &format!("pass --profile-name NAME, e.g. --profile-name {profile}-hat"),
        )?;
    }
    let options = args.fetch.options(args.region.as_ref(), Some(&args.tags))?;
    let session = session::open(&config, env, &args.profile, &options)?;
    let creds = &session.credentials;
    let exports = Exports::role(&args.profile, session.region.as_deref(), creds);
    match args.format {
        ExportFormat::Env => Ok(exports.render(Shell::Sh)),
        ExportFormat::Json => Ok(format!("{}\n", creds.to_process_json()?)),
        ExportFormat::Dotenv => {
            let path = args.output.clone().unwrap_or_else(|| PathBuf::from(".env"));
            export_file::write_dotenv(&path, &args.profile, &exports, creds)?;
            Ok(String::new())
        }
        ExportFormat::Credentials => {
            export_file::write_credentials(env, target, creds)?;
            Ok(String::new())
        }
    }
}
