//! `hat credential-process --profile P`: the AWS CLI's and SDKs' `credential_process`
//! protocol (Version 1 JSON on stdout), answered from hat's cache when it can and
//! refreshed otherwise. The caller discards stderr, so prompts go to /dev/tty; with no
//! terminal the error names the command that fills the cache.

use crate::cli::CredentialProcessArgs;
use crate::config::ConfigSet;
use crate::env::Env;
use crate::session;
use anyhow::Result;

pub fn run(args: &CredentialProcessArgs, env: &Env) -> Result<String> {
    let config = std::mem::ManuallyDrop::new(ConfigSet::load_indexed(env)?);
    let options = args.fetch.options(None, None)?;
    let session = session::open(&config, env, &args.profile, &options).map_err(|e| {
        // Only a prompt that could not be shown is helped by filling the cache.
        if crate::tty::available() || !format!("{e:#}").contains("no terminal to ask on") {
            e
        } else {
            e.context(format!(
                "there is no terminal here to ask for input on; if the profile needs some (an MFA code, a sign-in), run `hat credential-process --profile {}` (or `assume {}`) once in a terminal: hat caches the answer for the next caller",
                args.profile, args.profile
            ))
        }
    })?;
    Ok(format!("{}\n", session.credentials.to_process_json()?))
}
