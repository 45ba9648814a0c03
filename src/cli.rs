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
        before is cleared first.\n\n\
        With -c (or -s, --url, --destination, --browser-profile), hat opens the AWS \
        console signed in as the profile instead, and exports only with -t. --url \
        shows the sign-in URL instead of opening it. That URL is a credential: for \
        15 minutes anyone who has it is signed in as the role, so treat it like a \
        password; hat never writes it to a log."
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
    /// Open the AWS console signed in as a profile, or print its sign-in URL
    #[command(
        long_about = "Open the AWS console signed in as a profile (no profile: the \
        credentials already in this shell's environment), in the browser set in \
        [console] of hat's settings file or the default one.\n\n\
        The sign-in URL is a credential: for 15 minutes anyone who has it is signed \
        in as the role. --url prints it on stdout; do not paste it anywhere you \
        would not paste a password. hat never writes it to a log.",
        after_help = "Examples:\n    \
        hat console prod -s s3 -r euw1\n    \
        hat console prod --destination https://eu-west-1.console.aws.amazon.com/lambda/home\n    \
        hat console --list-services\n\n\
        Through the shell function: assume -c prod (assume -c -t prod also exports)."
    )]
    Console(ConsoleArgs),
    /// Print a completion script for hat itself
    Completions(CompletionsArgs),
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

    /// Remove every variable hat exports from the shell
    #[arg(short, long, conflicts_with_all = ["profile", "region", "duration", "mfa_token", "no_cache", "console"])]
    pub unset: bool,

    /// Open the AWS console signed in as the profile (exports nothing unless -t)
    #[arg(short, long, help_heading = "Console")]
    pub console: bool,

    /// With -c: the console page to open: a service or shortcut (s3, ddb, cfn, l, ...)
    #[arg(short, long, value_name = "SERVICE", help_heading = "Console")]
    pub service: Option<String>,

    /// With -c: print the sign-in URL instead of opening a browser (it is a credential)
    #[arg(long, help_heading = "Console")]
    pub url: bool,

    /// With -c: also export the credentials into the shell
    #[arg(short = 't', long, help_heading = "Console")]
    pub export: bool,

    /// With -c: a whole console URL to land on instead of a service
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "service",
        help_heading = "Console"
    )]
    pub destination: Option<String>,

    /// With -c: the browser profile (or Firefox container) to open the console in
    #[arg(long, value_name = "NAME", help_heading = "Console")]
    pub browser_profile: Option<String>,

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

impl AssumeArgs {
    /// Whether any console option was given (`-s`, `--url`, ... imply `-c`).
    pub fn wants_console(&self) -> bool {
        self.console
            || self.service.is_some()
            || self.url
            || self.destination.is_some()
            || self.browser_profile.is_some()
    }
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The profile to sign in as; without one, the credentials in this shell's
    /// environment (AWS_ACCESS_KEY_ID, ... or AWS_PROFILE)
    #[arg(value_name = "PROFILE")]
    pub profile: Option<String>,

    /// The console page to open: a service or shortcut (s3, ddb, cfn, l, ...)
    #[arg(short, long, value_name = "SERVICE")]
    pub service: Option<String>,

    /// The console's region; full names or shorthands like ue1, euw2, apse2
    #[arg(short, long, value_name = "REGION")]
    pub region: Option<String>,

    /// A whole console URL to land on instead of a service
    #[arg(long, value_name = "URL", conflicts_with = "service")]
    pub destination: Option<String>,

    /// Print the sign-in URL on stdout instead of opening a browser. It is a credential
    #[arg(long)]
    pub url: bool,

    /// The browser profile (or Firefox container) to open the console in
    #[arg(long, value_name = "NAME")]
    pub browser_profile: Option<String>,

    /// The console session's length: 1h, 90m or seconds (15m to 12h; for long-term
    /// keys, the federation token's length, up to 36h)
    #[arg(short, long, value_name = "DURATION")]
    pub duration: Option<String>,

    /// The 6-digit MFA code, instead of being asked for it on the terminal
    #[arg(long, value_name = "CODE")]
    pub mfa_token: Option<String>,

    /// Ignore cached credentials and ask STS again (the new ones are cached)
    #[arg(long)]
    pub no_cache: bool,

    /// Say on stderr what hat does (never the sign-in URL)
    #[arg(short, long)]
    pub verbose: bool,

    /// List the service shortcuts that -s accepts
    #[arg(long, exclusive = true)]
    pub list_services: bool,
}
