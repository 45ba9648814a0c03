//! The command line, defined once: it feeds `--help`, the parser and the generated
//! completions under `completions/`.

use crate::emit::Shell;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "hat",
    version,
    about = "Wear any AWS role in your terminal",
    long_about = "Wear any AWS role in your terminal.\n\n\
        Set up your shell once, then switch roles with `assume PROFILE`:\n\n    \
        eval \"$(hat init bash)\"     # in ~/.bashrc (zsh: same with zsh)\n    \
        hat init fish | source      # in ~/.config/fish/config.fish\n\n\
        hat reads ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE and \
        AWS_SHARED_CREDENTIALS_FILE), follows source_profile chains, asks STS for \
        temporary credentials, caches them, and exports them into your shell.",
    after_help = "Docs: docs/ in hat's repository (usage, configuration, security, performance)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print shell code that exports a profile's credentials (what `assume` runs)
    #[command(
        long_about = "Print shell code that exports a profile's credentials.\n\n\
        You normally run this through the shell function that `hat init` defines \
        (`assume PROFILE`), which evaluates the code only when hat succeeds. Run \
        in a terminal without the function, hat only tells you how to set it up.\n\n\
        Exported: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, \
        AWS_PROFILE, AWS_REGION and AWS_DEFAULT_REGION (when a region is known), \
        AWS_CREDENTIAL_EXPIRATION and AWS_SESSION_EXPIRATION (RFC 3339, UTC), \
        HAT_PROFILE and HAT_EXPIRES (epoch seconds). Everything hat exported \
        before is cleared first."
    )]
    Assume(AssumeArgs),
    /// Print the `assume` shell function for bash, zsh or fish
    Init(InitArgs),
    /// Show the profiles and sso-sessions hat reads from your AWS files
    Config(ConfigArgs),
    /// Print a profile's credentials as credential_process JSON, for the AWS CLI and SDKs
    #[command(
        long_about = "Print a profile's credentials in the credential_process format \
        (Version 1 JSON) for the AWS CLI and every SDK:\n\n    \
        [profile prod-hat]\n    \
        credential_process = hat credential-process --profile prod\n\n\
        Answers from hat's cache while the credentials are good and refreshes them \
        otherwise. Prompts (an MFA code) go to the terminal, since the caller hides \
        stderr; with no terminal, hat says which command to run once to fill the cache."
    )]
    CredentialProcess(CredentialProcessArgs),
    /// Print a completion script for hat itself
    Completions(CompletionsArgs),
    /// List the profiles: type, account, role, region and cached credentials
    List(ListArgs),
    /// Print the active profile and the time left, for a shell prompt
    #[command(
        long_about = "Print the active profile and the time its credentials have left \
        (`prod 42m`, or `prod expired`), for prompt frameworks. Reads only HAT_PROFILE \
        and HAT_EXPIRES from the environment: no files, no network. Prints nothing when \
        no role is active, and never fails."
    )]
    Prompt,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print only the names, one a line (for scripts and shell completions)
    #[arg(long)]
    pub names: bool,
}

#[derive(Debug, Args)]
pub struct CredentialProcessArgs {
    /// The profile whose credentials to print
    #[arg(long, value_name = "PROFILE")]
    pub profile: String,

    /// Session length for the last role: 1h, 90m, 1h30m or seconds
    #[arg(short, long, value_name = "DURATION")]
    pub duration: Option<String>,

    /// Ignore cached credentials and ask STS again (the new ones are cached)
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct AssumeArgs {
    /// The profile to assume, as named in ~/.aws/config or ~/.aws/credentials
    #[arg(value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Region to export; full names or shorthands like ue1, euw2, apse2
    #[arg(short, long, value_name = "REGION")]
    pub region: Option<String>,

    /// Session length for the last role: 1h, 90m, 1h30m or seconds (STS: 15m to 12h;
    /// one hour at most when chaining roles)
    #[arg(short, long, value_name = "DURATION")]
    pub duration: Option<String>,

    /// The 6-digit MFA code, instead of being asked for it on the terminal
    #[arg(long, value_name = "CODE")]
    pub mfa_token: Option<String>,

    /// Ignore cached credentials and ask STS again (the new ones are cached)
    #[arg(long)]
    pub no_cache: bool,

    /// Say on stderr what hat does: cache hits, STS calls, the role chain
    #[arg(short, long)]
    pub verbose: bool,

    /// Say nothing on success (what the auto re-assume hook uses)
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Remove every variable hat exports from the shell
    #[arg(short, long, conflicts_with_all = ["profile", "region", "duration", "mfa_token", "no_cache"])]
    pub unset: bool,

    /// Syntax of the printed code (set by the shell function)
    #[arg(long, value_enum, value_name = "SHELL")]
    pub shell: Option<Shell>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "In another POSIX shell (dash, ksh), wrap `eval \"$(hat assume --shell sh PROFILE)\"` in a function of your own."
)]
pub struct InitArgs {
    /// The shell to print the function for
    #[arg(value_enum)]
    pub shell: InitShell,

    /// Name of the function to define
    #[arg(long = "cmd", value_name = "NAME", default_value = "assume")]
    pub command: String,

    /// Re-assume the active profile before a command runs when its credentials expire
    /// within 5 minutes (HAT_AUTO_REASSUME_MARGIN seconds); HAT_AUTO_REASSUME=1 does the same
    #[arg(long)]
    pub auto_reassume: bool,
}

/// The shells `hat init` has a function for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
}

impl From<InitShell> for Shell {
    fn from(shell: InitShell) -> Shell {
        match shell {
            InitShell::Bash => Shell::Bash,
            InitShell::Zsh => Shell::Zsh,
            InitShell::Fish => Shell::Fish,
        }
    }
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print {"profiles": {NAME: {key: value}}, "sso_sessions": {NAME: {key: value}}}
    #[arg(long)]
    pub json: bool,

    /// Show secret values (aws_secret_access_key, aws_session_token) instead of <redacted>
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
