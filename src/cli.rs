//! The command line, defined once: it feeds `--help`, the parser and the generated
//! completions under `completions/`.

use crate::duration;
use crate::emit::Shell;
use crate::session::SessionOptions;
use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Parser)]
#[command(
    name = "hat",
    version,
    about = "Wear any AWS role in your terminal",
    long_about = "Wear any AWS role in your terminal.\n\n\
        Set up your shell once, then switch roles with `assume PROFILE`:\n\n    \
        eval \"$(hat init bash)\"     # in ~/.bashrc (zsh: same with zsh)\n    \
        hat init fish | source      # in ~/.config/fish/config.fish\n\n\
        In nushell, at the end of config.nu (`$nu.config-path`):\n\n    \
        mkdir ($nu.data-dir | path join \"vendor/autoload\"); \
        hat init nu | save -f ($nu.data-dir | path join \"vendor/autoload/hat.nu\")\n\n\
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
        With -c (or -s, --url, --destination, --browser-profile, --active-role), hat \
        opens the AWS console signed in as the profile instead, and exports only with \
        -t. --url \
        shows the sign-in URL instead of opening it. That URL is a credential: for \
        15 minutes anyone who has it is signed in as the role, so treat it like a \
        password; hat never writes it to a log."
    )]
    Assume(Lazy<Box<AssumeArgs>>),
    /// Print the `assume` shell function for bash, zsh, fish or nushell
    Init(Lazy<InitArgs>),
    /// Show the profiles and sso-sessions hat reads from your AWS files
    Config(Lazy<ConfigArgs>),
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
    CredentialProcess(Lazy<CredentialProcessArgs>),
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
    Console(Lazy<ConsoleArgs>),
    /// Print a completion script for hat itself
    Completions(Lazy<CompletionsArgs>),
    /// Run a command with a profile's credentials in its environment
    #[command(
        long_about = "Run a command with a profile's credentials in its environment: the same \
        variables that `assume` exports. hat replaces itself with the command, so the exit \
        status and signals are the command's own.\n\n    \
        hat exec prod -- terraform plan\n    \
        hat exec prod --server -- ./long-job.sh\n\n\
        With --server, the command gets no keys at all: hat serves them from a local \
        container-credentials endpoint on 127.0.0.1 (AWS_CONTAINER_CREDENTIALS_FULL_URI and \
        AWS_CONTAINER_AUTHORIZATION_TOKEN, which every AWS SDK and the AWS CLI read) and \
        refreshes them before they expire, so a job can outlive any one session. hat then \
        stays alive exactly as long as the command, passes signals on to it and exits with \
        its status.\n\n\
        A command that is not found exits 127, one that cannot be run 126, as in a shell. \
        With no command, hat starts your $SHELL (else /bin/sh).\n\n\
        aws-vault's exec flags mean the same here: -d, -n/--no-session, --region, \
        -t/--mfa-token, -j/--json, -s/--server/--ecs-server; --ec2-server, --lazy and \
        --stdout are refused with the reason.",
        override_usage = "hat exec [OPTIONS] PROFILE [[--] COMMAND [ARGS]...]"
    )]
    Exec(Lazy<ExecArgs>),
    /// Write a profile's credentials as env, JSON, a .env file or a credentials-file profile
    #[command(
        long_about = "Write a profile's credentials for tools that want a file or JSON.\n\n    \
        env          `export NAME='value'` lines on stdout (for eval)\n    \
        json         credential_process JSON on stdout (Version 1)\n    \
        dotenv       NAME=value lines into ./.env or --output FILE (other lines are kept)\n    \
        credentials  a profile with an `expiration` key in the shared credentials file\n                 \
        (~/.aws/credentials); every other byte of it is kept\n\n\
        Files are written atomically with mode 0600."
    )]
    Export(Lazy<ExportArgs>),
    /// Sign in to IAM Identity Center (SSO), list tokens, generate SSO profiles
    Sso(Lazy<SsoArgs>),
    /// Keep IAM users' long-term keys in the OS keychain instead of ~/.aws/credentials
    #[command(
        long_about = "Keep IAM users' long-term access keys in the OS keychain (Secret \
        Service, macOS Keychain, Windows Credential Manager) or an encrypted file, \
        instead of plaintext in ~/.aws/credentials.\n\n\
        Each profile moved there gets `credential_process = hat credential-process \
        --profile NAME` in ~/.aws/config, so the AWS CLI and every SDK keep working; \
        hat reads the keychain directly, and a cached `assume` never touches it.\n\n\
        The backend: HAT_KEYS_BACKEND=keychain|file, else `[keys] backend` in hat's \
        config.toml, else the keychain. The file backend's passphrase comes from the \
        terminal or HAT_KEYS_PASSPHRASE."
    )]
    Keys(Lazy<KeysArgs>),
    /// List the profiles: type, account, role, region and cached credentials
    List(Lazy<ListArgs>),
    /// Bring another tool's setup across to hat (Granted, aws-vault, awsume)
    #[command(long_about = "Bring another tool's setup across to hat.\n\n    \
        granted  rewrite `credential_process = granted credential-process --profile NAME` \
        in ~/.aws/config to `hat credential-process --profile NAME`, keeping every other \
        byte; running it again changes nothing\n\n    \
        awsume  bring awsume's config.yaml settings into hat's config.toml where hat has \
        none, and name what has no counterpart\n\n\
        --dry-run prints the change as a unified diff and writes nothing. Docs: \
        docs/migration.md.")]
    Migrate(Lazy<MigrateArgs>),
    /// Amazon EKS: tokens for kubectl, and kubeconfig entries that use them
    #[command(
        long_about = "Amazon EKS: bearer tokens for kubectl signed from hat's cached \
        credentials, and kubeconfig entries that run `hat eks token` instead of \
        `aws eks get-token`.\n\n    \
        hat eks kubeconfig --cluster prod-eks --profile prod\n    \
        hat eks kubeconfig --rewrite\n    \
        hat eks token --cluster prod-eks --profile prod"
    )]
    Eks(Lazy<EksArgs>),
    /// Print the active profile and the time left, for a shell prompt
    #[command(
        long_about = "Print the active profile and the time its credentials have left \
        (`prod 42m`, or `prod expired`), for prompt frameworks. Reads only HAT_PROFILE \
        and HAT_EXPIRES from the environment: no files, no network. Prints nothing when \
        no role is active, and never fails."
    )]
    Prompt,
    /// Show or remove hat's cached credentials
    #[command(long_about = "Show or remove the credentials hat has cached (under \
        ~/.cache/hat/credentials, or $XDG_CACHE_HOME/hat): which profile each entry \
        belongs to and how long it has left. Nothing secret is shown.\n\n    \
        hat cache list            every entry\n    \
        hat cache clear prod      prod's own entry: the next `assume prod` asks STS again\n    \
        hat cache clear           every entry, and the lock and temporary files\n\n\
        SSO sign-in tokens are the AWS CLI's and stay: `hat sso logout` removes them.")]
    Cache(Lazy<CacheArgs>),
    /// Check the setup and say how to fix each problem (exit 1 when one is found)
    #[command(
        long_about = "Check hat's setup and print each problem with its fix: the shell \
        function (installed, current, not shadowed by Granted's `assume`), the AWS files \
        (parse errors with file and line), the modes of hat's and the AWS CLI's cache \
        directories and files and stale temporary files, the clock against STS's, every \
        SSO sign-in's token (valid, refreshable, expired), the browser for the console, \
        the key store, and endpoints overridden by the environment.\n\n\
        Exits 0 when nothing failed (warnings and notes do not count), 1 otherwise. \
        Never prints a secret, and changes nothing unless --fix is given: then it \
        tightens modes and removes stale temporary files."
    )]
    Doctor(Lazy<DoctorArgs>),
    /// Keep a team's shared profiles (a git repository, as Granted's registries) in ~/.aws/config
    #[command(
        long_about = "Keep a team's shared profiles in ~/.aws/config: a profile registry is a \
        git repository with granted.yml (Granted's format) listing AWS config files. Each \
        registry's profiles go into one block of ~/.aws/config that hat owns (between \
        `# BEGIN hat registry NAME` and `# END hat registry NAME`); everything outside \
        the blocks is kept byte for byte.\n\n\
        A sync that fails (the fetch, the repository, a file that does not parse, or \
        the removal of more than half of a registry's profiles without --force) leaves \
        that registry's block exactly as it was and says why in one line. `assume` \
        starts a sync in the background once a day; it never prompts.",
        after_help = "Examples:\n    \
        hat registry add https://git.example.com/platform/aws-profiles.git\n    \
        hat registry add ../team-profiles --name team --ref main --prefix-all-profiles\n    \
        hat registry sync\n    \
        hat registry list\n    \
        hat registry remove team\n\n\
        Docs: docs/registry.md."
    )]
    Registry(Lazy<RegistryArgs>),
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub command: CacheCommand,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// List cached credentials: profile, time left, entry (the profile's, or a step of its chain)
    List {
        /// Only the entries of this profile's chain
        #[arg(value_name = "PROFILE")]
        profile: Option<String>,
    },
    /// Remove a profile's cached credentials, or (with no profile) the whole cache
    Clear {
        /// The profile whose own entry to remove (default: every entry)
        #[arg(value_name = "PROFILE")]
        profile: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print {"healthy": bool, "checks": [{"check", "status", "message", "fix"}]}
    #[arg(long)]
    pub json: bool,

    /// Tighten loose modes and remove stale temporary files, then report
    #[arg(long)]
    pub fix: bool,

    /// Skip the checks that use the network (the clock against STS)
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The profile whose credentials the command gets
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// Region to export; full names or shorthands like ue1, euw2, apse2
    #[arg(short, long, value_name = "REGION")]
    pub region: Option<String>,

    /// Serve the credentials from a local endpoint that refreshes them, instead of
    /// putting keys in the environment (for jobs that outlive a session); aws-vault's
    /// --ecs-server
    #[arg(short, long, visible_alias = "ecs-server")]
    pub server: bool,

    /// Print the credentials as credential_process JSON instead of running a command
    /// (aws-vault's `exec --json`)
    #[arg(short, long, conflicts_with = "server")]
    pub json: bool,

    /// Skip the MFA session (GetSessionToken): a keys profile's long-term keys go to
    /// the command as they are, and a role behind MFA takes the code on its AssumeRole
    /// (aws-vault's --no-session)
    #[arg(short = 'n', long)]
    pub no_session: bool,

    /// The MFA code for the first call that needs one
    #[arg(short = 't', long, value_name = "CODE")]
    pub mfa_token: Option<String>,

    /// Not taken: hat has no EC2 metadata emulation (it would have to own
    /// 169.254.169.254, which needs root); use --server
    #[arg(long)]
    pub ec2_server: bool,

    /// Not taken: hat fetches the first credentials before the command starts, so an
    /// MFA prompt has the terminal; --server refreshes them later by itself
    #[arg(long)]
    pub lazy: bool,

    /// Not taken: hat exec does not sign in to IAM Identity Center; run `hat sso login
    /// --use-device-code` first, which prints the link
    #[arg(long)]
    pub stdout: bool,

    /// Run even inside another `hat exec` of a different profile
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub fetch: FetchFlags,

    #[command(flatten)]
    pub tags: TagFlags,

    /// Say on stderr what hat does: cache hits, STS calls, the role chain (aws-vault's
    /// --debug)
    #[arg(short, long, visible_alias = "debug")]
    pub verbose: bool,

    /// The command and its arguments (after `--`); none: your $SHELL, as aws-vault exec
    /// starts it
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_hint = clap::ValueHint::CommandWithArguments
    )]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The profile whose credentials to write
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// What to write
    #[arg(short, long, value_enum, default_value = "env")]
    pub format: ExportFormat,

    /// The file for `dotenv` (default ./.env)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// The profile name to write for `credentials` (default: PROFILE)
    #[arg(long, value_name = "NAME")]
    pub profile_name: Option<String>,

    /// Region to include (env, dotenv); full names or shorthands like ue1
    #[arg(short, long, value_name = "REGION")]
    pub region: Option<String>,

    #[command(flatten)]
    pub fetch: FetchFlags,

    #[command(flatten)]
    pub tags: TagFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Env,
    Json,
    Dotenv,
    Credentials,
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Store a profile's access key (asked on the terminal, hidden) and point the profile at hat
    Add {
        /// The profile the keys are for
        #[arg(value_name = "PROFILE")]
        profile: String,
        /// Read the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead (for scripts)
        #[arg(long)]
        env: bool,
    },
    /// Move static keys out of ~/.aws/credentials into the store, keeping every other byte
    Import {
        /// The profiles to move
        #[arg(value_name = "PROFILE", required_unless_present = "all")]
        profiles: Vec<String>,
        /// Move every profile that has static long-term keys
        #[arg(long, conflicts_with = "profiles")]
        all: bool,
        /// Say what would move, and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// List the stored keys: profile, masked key id, backend, when added or rotated
    List,
    /// Replace a profile's key in IAM: create, check, store, then delete the old one
    Rotate {
        #[arg(value_name = "PROFILE")]
        profile: String,
    },
    /// Delete a profile's stored keys and hat's credential_process line
    Remove {
        #[arg(value_name = "PROFILE")]
        profile: String,
    },
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Bring Granted's settings, registries and credential_process lines across
    #[command(long_about = "Bring Granted's setup across: its settings \
        (~/.granted/config: the browser, ExportCredentialSuffix, ...) into hat's \
        config.toml where hat has none (a hat setting is never overwritten), its \
        profile registries into hat's registries (Granted's block of each in \
        ~/.aws/config becomes hat's, then is synced), and `credential_process = granted \
        credential-process --profile NAME` lines of SSO profiles to hat's. Every \
        Granted setting without a counterpart is named on stderr. Running it again \
        changes nothing.")]
    Granted {
        /// Print the changes to both files as unified diffs; write and fetch nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Import aws-vault's long-term keys into hat's key store and point its
    /// credential_process lines at hat
    #[command(
        long_about = "Import the long-term keys aws-vault keeps into hat's key \
        store, under the same profile names, and point the config at them.\n\n\
        aws-vault's backend is the one --backend or AWS_VAULT_BACKEND names; with neither, \
        hat reads both it can: the file backend (~/.awsvault/keys, or --file-dir / \
        AWS_VAULT_FILE_DIR; its passphrase from AWS_VAULT_FILE_PASSPHRASE or asked on the \
        terminal) and the Secret Service collection (`awsvault`, or \
        --secret-service-collection / AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME). \
        aws-vault's cached sessions and SSO tokens are counted, not imported.\n\n\
        In ~/.aws/config, `credential_process = aws-vault export --format=json P` and \
        `aws-vault exec P --json` lines become `hat credential-process --profile P`, \
        keeping every other byte, and a profile that had no credentials but aws-vault's \
        gets that line too (a section is added for keys with none), so the AWS CLI and \
        the SDKs use the imported keys. aws-vault's own copies stay unless --remove \
        deletes them once hat holds the same keys. Running it again changes nothing.",
        after_help = "Examples:\n    \
        hat migrate aws-vault --dry-run\n    \
        AWS_VAULT_BACKEND=file hat migrate aws-vault\n    \
        hat migrate aws-vault --remove"
    )]
    AwsVault {
        /// Print what would be imported and the change as a unified diff, and write nothing
        #[arg(long)]
        dry_run: bool,

        /// After importing, delete aws-vault's copy of each key hat now holds (what
        /// `aws-vault remove P` does)
        #[arg(long)]
        remove: bool,

        /// aws-vault's backend to read: `file` or `secret-service` (default:
        /// AWS_VAULT_BACKEND, else both)
        #[arg(long, value_name = "BACKEND")]
        backend: Option<String>,

        /// The file backend's directory (default: AWS_VAULT_FILE_DIR, else ~/.awsvault/keys)
        #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
        file_dir: Option<std::path::PathBuf>,

        /// The Secret Service collection (default:
        /// AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME, else `awsvault`)
        #[arg(long, value_name = "NAME")]
        secret_service_collection: Option<String>,
    },
    /// Bring awsume's settings into hat's config.toml and say what has no counterpart
    #[command(
        long_about = "Read awsume's config.yaml ($XDG_CONFIG_HOME/awsume, else \
        ~/.awsume) and set what has a meaning in hat in hat's config.toml, only where hat \
        has nothing set: `role-session-name` becomes [session] role_session_name, the \
        console plugin's `console.browser_command` becomes [console] browser = \"custom\" \
        with its command. Every other setting of awsume's, the sections awsume wrote into \
        ~/.aws/credentials (`-o`, autoawsume) and awsume's cache are named with what to \
        do instead. A `credential_process` line that runs awsume becomes `hat \
        credential-process --profile NAME`, keeping every other byte. Running it again \
        changes nothing."
    )]
    Awsume {
        /// Print the changes to hat's config.toml and ~/.aws/config as unified diffs, and
        /// write nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct EksArgs {
    #[command(subcommand)]
    pub command: EksCommand,
}

#[derive(Debug, Subcommand)]
pub enum EksCommand {
    /// Print an ExecCredential with a bearer token for a cluster (what kubectl runs)
    #[command(
        long_about = "Print a client.authentication.k8s.io ExecCredential (v1beta1, or v1 \
        when kubectl asks for it in KUBERNETES_EXEC_INFO) whose token is an STS \
        GetCallerIdentity request presigned for the cluster, as `aws eks get-token` \
        makes it. The credentials come from hat's cache when they are good, so a \
        cached token costs no network call.\n\n\
        kubectl gives exec plugins no terminal: when the profile needs one (an MFA code, \
        an SSO sign-in), hat fails and says which command to run once in a terminal.\n\n\
        Credentials: --profile, else AWS_PROFILE, else the keys in AWS_ACCESS_KEY_ID and \
        AWS_SECRET_ACCESS_KEY, else the default profile."
    )]
    Token(EksTokenArgs),
    /// Add a cluster to your kubeconfig, or turn `aws eks get-token` users into hat ones
    #[command(
        long_about = "Add a cluster to your kubeconfig: DescribeCluster gives its endpoint \
        and certificate authority, and hat merges a cluster, a user that runs `hat eks \
        token` and a context into $KUBECONFIG (its first file) or ~/.kube/config, as \
        `aws eks update-kubeconfig` does: entries are named by the cluster ARN (the \
        context and user by --alias instead), replaced when they exist, and the \
        context becomes the current one.\n\n\
        With --rewrite, every user whose exec plugin is `aws eks get-token` (with \
        --cluster-name or --cluster-id, --region, --role-arn, --profile or AWS_PROFILE) \
        runs `hat eks token` with the same meaning instead; users hat cannot take over \
        unchanged are named and left alone.\n\n\
        Everything else in the file is kept (the YAML is read and written back, so \
        comments do not survive); the file is replaced atomically with mode 0600.",
        after_help = "Examples:\n    \
        hat eks kubeconfig --cluster prod-eks --profile prod --alias prod\n    \
        hat eks kubeconfig --rewrite --dry-run"
    )]
    Kubeconfig(EksKubeconfigArgs),
}

#[derive(Debug, Args)]
pub struct EksTokenArgs {
    /// The cluster's name (an Outposts local cluster: its id)
    #[arg(
        long,
        visible_alias = "cluster-name",
        alias = "cluster-id",
        value_name = "NAME"
    )]
    pub cluster: String,

    /// The profile whose credentials sign the token
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// The cluster's region (default: the profile's); full names or shorthands like euw1
    #[arg(short, long, value_name = "REGION")]
    pub region: Option<String>,

    /// Assume this role on top of the profile's credentials and sign with it
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,

    /// Ignore cached credentials and ask STS again (the new ones are cached)
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct EksKubeconfigArgs {
    /// The cluster to add
    #[arg(
        long,
        visible_alias = "name",
        value_name = "NAME",
        required_unless_present = "rewrite",
        conflicts_with = "rewrite"
    )]
    pub cluster: Option<String>,

    /// The profile that describes the cluster and that the token is signed with
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// The cluster's region (default: the profile's)
    #[arg(short, long, value_name = "REGION", conflicts_with = "rewrite")]
    pub region: Option<String>,

    /// A role for the token to be signed with (assumed by `hat eks token`)
    #[arg(long, value_name = "ARN", conflicts_with = "rewrite")]
    pub role_arn: Option<String>,

    /// The name of the context and user (default: the cluster ARN)
    #[arg(long, value_name = "NAME", conflicts_with = "rewrite")]
    pub alias: Option<String>,

    /// The kubeconfig file to change (default: the first of $KUBECONFIG, else ~/.kube/config)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<std::path::PathBuf>,

    /// Point users that run `aws eks get-token` at `hat eks token`
    #[arg(long, conflicts_with = "profile")]
    pub rewrite: bool,

    /// Print the change as a diff and write nothing
    #[arg(long)]
    pub dry_run: bool,
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

    #[command(flatten)]
    pub fetch: FetchFlags,
}

#[derive(Debug, Args)]
pub struct AssumeArgs {
    /// The profile to assume, as named in ~/.aws/config or ~/.aws/credentials
    #[arg(value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Region to export; full names or shorthands like ue1, euw2, apse2
    #[arg(short, long, value_name = "REGION")]
    pub region: Option<String>,

    #[command(flatten)]
    pub fetch: FetchFlags,

    /// The 6-digit MFA code, instead of being asked for it on the terminal
    #[arg(long, value_name = "CODE")]
    pub mfa_token: Option<String>,

    #[command(flatten)]
    pub tags: TagFlags,

    /// Say on stderr what hat does: cache hits, STS calls, the role chain
    #[arg(short, long)]
    pub verbose: bool,

    /// Say nothing on success (what the auto re-assume hook uses)
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Remove every variable hat exports from the shell (Granted's -un works too)
    #[arg(long, conflicts_with_all = ["profile", "region", "duration", "mfa_token", "no_cache", "console", "active_role", "chain"])]
    pub unset: bool,

    /// Open the console as the profile in AWS_PROFILE (Granted's -ar); with -t, also
    /// assume it again in this shell
    #[arg(long, conflicts_with = "profile")]
    pub active_role: bool,

    /// Then assume this role with the profile's credentials (Granted's --chain, awsume's
    /// --role-arn); -d applies to it, and STS caps a chained role at one hour.
    /// AWS_PROFILE stays the profile, so the AWS CLI can still read it
    #[arg(long, visible_alias = "role-arn", value_name = "ROLE_ARN")]
    pub chain: Option<String>,

    /// With --role-arn: the profile whose credentials assume it (awsume's spelling of
    /// PROFILE)
    #[arg(
        long,
        value_name = "PROFILE",
        requires = "chain",
        conflicts_with = "profile"
    )]
    pub source_profile: Option<String>,

    /// Open the AWS console signed in as the profile (exports nothing unless -t)
    #[arg(short, long, help_heading = "Console")]
    pub console: bool,

    /// With -c: the console page to open: a service or shortcut (s3, ddb, cfn, l, ...)
    #[arg(short, long, value_name = "SERVICE", help_heading = "Console")]
    pub service: Option<String>,

    /// With -c: print the sign-in URL instead of opening a browser (it is a credential)
    #[arg(short, long, help_heading = "Console")]
    pub url: bool,

    /// With -c: also export the credentials into the shell
    #[arg(short = 't', long, help_heading = "Console")]
    pub terminal: bool,

    /// With -c: a whole console URL to land on instead of a service (Granted's -cd)
    #[arg(
        long,
        visible_alias = "console-destination",
        value_name = "URL",
        conflicts_with = "service",
        help_heading = "Console"
    )]
    pub destination: Option<String>,

    /// With -c: the browser profile (or Firefox container) to open the console in
    /// (Granted's -bp)
    #[arg(long, value_name = "NAME", help_heading = "Console")]
    pub browser_profile: Option<String>,

    /// Granted's: export every variable for credential_process profiles; hat always does
    #[arg(short = 'x', long, hide = true)]
    pub export_all_env_vars: bool,

    /// Read profiles from FILE instead of ~/.aws/config (as AWS_CONFIG_FILE=FILE does);
    /// the shell then gets no AWS_PROFILE, since the AWS CLI there reads another file
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub aws_config_file: Option<std::path::PathBuf>,

    /// Granted's flags that hat answers with its own command (see `hat assume --help`)
    #[command(flatten)]
    pub granted: GrantedOnly,

    /// Syntax of the printed code (set by the shell function)
    #[arg(long, value_enum, value_name = "SHELL")]
    pub shell: Option<Shell>,

    /// Also export awsume's AWSUME_PROFILE and AWSUME_EXPIRATION, for prompts written
    /// for awsume (the shell function adds it when hat's config.toml has `[shell]
    /// awsume_variables = true`)
    #[arg(long)]
    pub awsume_variables: bool,

    /// Assume an SSO role with no profile: with --sso-start-url, --sso-region,
    /// --account-id and --role-name (Granted's --sso; those four work without it too)
    #[arg(
        long,
        requires = "sso_start_url",
        help_heading = "SSO role without a profile"
    )]
    pub sso: bool,

    /// With --sso-region, --account-id and --role-name: an SSO role with no profile
    #[arg(long, value_name = "URL", conflicts_with = "profile", requires_all = ["sso_region", "account_id", "role_name"], help_heading = "SSO role without a profile")]
    pub sso_start_url: Option<String>,

    /// The region of IAM Identity Center for --sso-start-url
    #[arg(
        long,
        value_name = "REGION",
        requires = "sso_start_url",
        help_heading = "SSO role without a profile"
    )]
    pub sso_region: Option<String>,

    /// The account for --sso-start-url
    #[arg(
        long,
        value_name = "ID",
        requires = "sso_start_url",
        help_heading = "SSO role without a profile"
    )]
    pub account_id: Option<String>,

    /// The role (permission set) for --sso-start-url
    #[arg(
        long,
        value_name = "NAME",
        requires = "sso_start_url",
        help_heading = "SSO role without a profile"
    )]
    pub role_name: Option<String>,

    /// With --sso-start-url: also save the role as [profile NAME] in ~/.aws/config
    /// (sso_start_url, sso_region, sso_account_id, sso_role_name, region), replacing a profile
    /// of that name and keeping every other byte; then AWS_PROFILE is NAME
    #[arg(
        long,
        value_name = "NAME",
        requires = "sso_start_url",
        help_heading = "SSO role without a profile"
    )]
    pub save_to: Option<String>,
}

#[derive(Debug, Args)]
pub struct SsoArgs {
    #[command(subcommand)]
    pub command: SsoCommand,
}

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Sign in (in the browser, or with a device code) and cache the token
    #[command(
        long_about = "Sign in to IAM Identity Center and cache the token where the AWS CLI \
        keeps it (~/.aws/sso/cache), so hat, the AWS CLI and the SDKs share it.\n\n\
        The browser opens on the sign-in page and comes back to hat on 127.0.0.1. \
        With --use-device-code, or when no browser can be opened (SSH, no display), \
        hat prints a code and a URL to open on any device instead."
    )]
    Login(SsoLoginArgs),
    /// Sign out: revoke the cached tokens and delete them
    Logout(SsoLogoutArgs),
    /// List cached tokens with their expiry and whether each can be refreshed
    Tokens,
    /// Write one profile per account and role into ~/.aws/config
    #[command(
        long_about = "Write one profile per account and role you can reach into a block \
        of ~/.aws/config that hat owns (between the lines `# BEGIN hat sso populate NAME` \
        and `# END hat sso populate NAME`). Everything outside the block is kept byte for byte; running it again \
        changes nothing unless your access changed."
    )]
    Populate(SsoPopulateArgs),
}

/// Which sign-in: an sso-session, a profile's, or a start URL and region.
#[derive(Debug, Args, Default, Clone)]
pub struct SsoTargetArgs {
    /// The [sso-session NAME] to use
    #[arg(long, value_name = "NAME", conflicts_with_all = ["profile", "sso_start_url"])]
    pub sso_session: Option<String>,

    /// The sign-in of this SSO profile
    #[arg(long, value_name = "PROFILE", conflicts_with = "sso_start_url")]
    pub profile: Option<String>,

    /// A start URL with no config entry (with --sso-region)
    #[arg(long, value_name = "URL", requires = "sso_region")]
    pub sso_start_url: Option<String>,

    /// The region of IAM Identity Center for --sso-start-url
    #[arg(long, value_name = "REGION", requires = "sso_start_url")]
    pub sso_region: Option<String>,
}

#[derive(Debug, Args)]
pub struct SsoLoginArgs {
    #[command(flatten)]
    pub target: SsoTargetArgs,

    /// Sign in with a code on any device instead of the browser callback
    #[arg(long)]
    pub use_device_code: bool,

    /// Say on stderr what hat does
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct SsoLogoutArgs {
    /// Only this [sso-session NAME] (default: every cached token)
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
}

#[derive(Debug, Args)]
pub struct SsoPopulateArgs {
    #[command(flatten)]
    pub target: SsoTargetArgs,

    /// Profile names: {account_name}, {account_id}, {role_name}, {session}
    #[arg(
        long,
        value_name = "TEMPLATE",
        default_value = "{account_name}/{role_name}"
    )]
    pub template: String,

    /// The region the profiles get (default: the SSO region)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Print the change as a diff and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Remove the profiles of roles you can no longer reach
    #[arg(long)]
    pub prune: bool,

    /// Say on stderr what hat does
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Nushell (`nu`, or `nushell`) cannot evaluate text, so its line saves the \
        script where nushell loads it at every start; add it at the end of config.nu (`$nu.config-path`):\n    \
        mkdir ($nu.data-dir | path join \"vendor/autoload\"); \
        hat init nu | save -f ($nu.data-dir | path join \"vendor/autoload/hat.nu\")\n\n\
        In another POSIX shell (dash, ksh), wrap `eval \"$(hat assume --shell sh PROFILE)\"` in a function of your own."
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
    #[value(alias = "nushell")]
    Nu,
}

impl From<InitShell> for Shell {
    fn from(shell: InitShell) -> Shell {
        match shell {
            InitShell::Bash => Shell::Bash,
            InitShell::Zsh => Shell::Zsh,
            InitShell::Fish => Shell::Fish,
            InitShell::Nu => Shell::Nu,
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

/// Granted's `assume` flags whose work another hat command does: they are parsed,
/// so a Granted user is told which command to run instead of getting a parse error.
#[derive(Debug, Args, Default)]
pub struct GrantedOnly {
    /// Granted's -ex: also write the credentials into ~/.aws/credentials as the
    /// profile's name (as `hat export PROFILE -f credentials` does)
    #[arg(long, hide = true)]
    pub export: bool,

    /// Granted's -e: also write the credentials into ./.env (as `hat export PROFILE -f
    /// dotenv` does)
    #[arg(short = 'e', long, hide = true)]
    pub env: bool,

    /// Granted's -es: make sure the profile's SSO token is in ~/.aws/sso/cache, where
    /// the AWS CLI reads it (hat keeps its tokens there, so nothing is copied)
    #[arg(long, hide = true)]
    pub export_sso_token: bool,

    /// Granted's: arguments for a proxy assumer (Granted's -pt); hat has none
    #[arg(long, value_name = "ARG", hide = true)]
    pub pass_through: Vec<String>,

    /// Granted's: run COMMAND (with `sh -c`) with the credentials instead of putting
    /// them into the shell, like `hat exec PROFILE -- sh -c COMMAND`; the shell
    /// function returns its status
    #[arg(long, value_name = "COMMAND", hide = true)]
    pub exec: Option<String>,

    /// Granted's: skip the daily profile-registry sync this time
    #[arg(long, hide = true)]
    pub skip_profile_registry_sync: bool,

    /// Granted's: skip confirmations of Common Fate access requests; hat makes none
    #[arg(short = 'y', long, hide = true)]
    pub confirm: bool,

    /// Granted's: wait for a Common Fate access request; hat makes none
    #[arg(long, hide = true)]
    pub wait: bool,

    /// Granted's: the reason for a Common Fate access request; hat makes none
    #[arg(long, value_name = "REASON", hide = true)]
    pub reason: Option<String>,

    /// Granted's: justifications for a Common Fate access request; hat makes none
    #[arg(long, value_name = "ID", hide = true)]
    pub attach: Vec<String>,

    /// Granted's: arguments for its custom browser launch template; hat has none
    #[arg(long, value_name = "KEY=VALUE", hide = true)]
    pub browser_launch_template_arg: Vec<String>,

    /// Granted's: write its shell alias without asking; hat never edits rc files
    #[arg(long, hide = true)]
    pub auto_configure_shell: bool,
}

impl GrantedOnly {
    /// Why a Granted flag hat does not take was refused, as a sentence for the
    /// error, or None when none was given.
    pub fn refused(&self) -> Option<String> {
        let why = if !self.pass_through.is_empty() {
            "--pass-through (-pt) passes arguments to Granted's proxy assumers (aws-azure-login, gimme-aws-creds, ...); hat has none: give such a tool's profile a credential_process line instead"
        } else if self.reason.is_some() || !self.attach.is_empty() {
            "--reason and --attach go with a Common Fate access request, which hat does not make: request the access in Common Fate, then `assume PROFILE`"
        } else if !self.browser_launch_template_arg.is_empty() {
            "--browser-launch-template-arg fills Granted's AWSConsoleBrowserLaunchTemplate; hat has no launch templates: set `browser` under [console] in hat's config.toml (docs/console.md)"
        } else if self.auto_configure_shell {
            "--auto-configure-shell writes Granted's alias into your rc file; hat never edits it: add `eval \"$(hat init bash)\"` (or zsh, fish) there yourself"
        } else {
            return None;
        };
        Some(why.to_string())
    }
}

impl AssumeArgs {
    /// Whether any console option was given (`-s`, `--url`, ... imply `-c`).
    ///
    /// As in Granted, `-ar` opens the console too, and `-e` (a .env file) wins over
    /// all of them: the credentials go to the file and the shell, and no console opens.
    pub fn wants_console(&self) -> bool {
        !self.granted.env
            && (self.console
                || self.service.is_some()
                || self.url
                || self.destination.is_some()
                || self.browser_profile.is_some()
                || self.active_role)
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

#[derive(Debug, Args)]
pub struct RegistryArgs {
    #[command(subcommand)]
    pub command: RegistryCommand,
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Add a registry: fetch it, merge its profiles, and record it in hat's settings
    #[command(
        long_about = "Add a profile registry: fetch it with the system git (HTTPS, SSH or a \
        local path; never plain http://), ask once for the values its granted.yml \
        requires, write its profiles into its own block of ~/.aws/config, and record \
        it in [[registry]] of hat's config.toml. Nothing is recorded or written unless \
        all of that worked."
    )]
    Add(RegistryAddArgs),
    /// Fetch every registry and rewrite its block; a registry that fails keeps its block
    Sync(RegistrySyncArgs),
    /// List the registries with their profile counts
    List,
    /// Remove a registry's block from ~/.aws/config and forget the registry
    Remove(RegistryRemoveArgs),
}

#[derive(Debug, Args)]
pub struct RegistryAddArgs {
    /// The repository: https://..., ssh://..., git@host:path, file://... or a local path
    #[arg(value_name = "URL", required_unless_present = "url")]
    pub repository: Option<String>,

    /// The repository (Granted's flag; the same as the argument)
    #[arg(short, long, value_name = "URL", conflicts_with = "repository")]
    pub url: Option<String>,

    /// A unique name for the registry (default: the repository's name)
    #[arg(short, long, value_name = "NAME")]
    pub name: Option<String>,

    /// The branch, tag or commit to sync (default: the remote's HEAD)
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,

    /// The folder inside the repository that holds the manifest
    #[arg(short, long, value_name = "PATH")]
    pub path: Option<String>,

    /// The manifest's file name
    #[arg(short, long, value_name = "FILE", default_value = "granted.yml")]
    pub filename: String,

    /// Higher wins when two registries define the same profile name
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub priority: i64,

    /// Name every profile of this registry REGISTRY.NAME
    #[arg(long, visible_alias = "pap")]
    pub prefix_all_profiles: bool,

    /// Name REGISTRY.NAME the profiles whose names are already taken (else they are skipped)
    #[arg(long, visible_alias = "pdp")]
    pub prefix_duplicate_profiles: bool,

    /// A value granted.yml requires, instead of being asked (repeatable)
    #[arg(
        short,
        long = "required-key",
        visible_alias = "requiredKey",
        value_name = "KEY=VALUE"
    )]
    pub required_key: Vec<String>,

    /// The registry's type; only git is supported (Granted's flag)
    #[arg(long = "type", value_name = "TYPE", default_value = "git", hide = true)]
    pub registry_type: String,

    /// Accept a first sync that removes more than half of a block's profiles
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RegistrySyncArgs {
    /// Only this registry (default: all)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Accept a sync that removes more than half of a registry's profiles
    #[arg(long)]
    pub force: bool,

    /// A value a registry requires, instead of being asked (repeatable)
    #[arg(short, long = "required-key", value_name = "KEY=VALUE")]
    pub required_key: Vec<String>,

    /// The background sync that `assume` starts: never prompts, records a failure
    #[arg(long, hide = true)]
    pub auto: bool,
}

#[derive(Debug, Args)]
pub struct RegistryRemoveArgs {
    /// The registry's name (see `hat registry list`)
    #[arg(value_name = "NAME")]
    pub name: String,
}

/// How a command fetches its credentials: `-d` and `--no-cache`, the same flags with the
/// same meaning on `assume`, `exec`, `export` and `credential-process`.
#[derive(Debug, Args, Default, Clone)]
pub struct FetchFlags {
    /// Session length for the last role: 1h, 90m, 1h30m or seconds (STS: 15m to 12h;
    /// one hour at most when chaining roles)
    #[arg(short, long, value_name = "DURATION")]
    pub duration: Option<String>,

    /// Ignore cached credentials and ask STS again (the new ones are cached)
    #[arg(long)]
    pub no_cache: bool,
}

/// The role session's tags and source identity, on `assume`, `exec` and `export`.
#[derive(Debug, Args, Default, Clone)]
pub struct TagFlags {
    /// A tag on the role session, KEY=VALUE (repeatable), on top of the profile's
    /// session_tags
    #[arg(long = "session-tag", value_name = "KEY=VALUE")]
    pub session_tag: Vec<String>,

    /// The role session's source identity, instead of the profile's source_identity
    #[arg(long, value_name = "NAME")]
    pub source_identity: Option<String>,
}

impl FetchFlags {
    /// What the session layer takes from these flags and the command's `-r` (and,
    /// where the command has them, the tag flags); `-d` is parsed here, once.
    pub fn options(
        &self,
        region: Option<&String>,
        tags: Option<&TagFlags>,
    ) -> anyhow::Result<SessionOptions> {
        Ok(SessionOptions {
            region: region.cloned(),
            duration: self.duration.as_deref().map(duration::parse).transpose()?,
            mfa_token: None,
            no_cache: self.no_cache,
            no_session: false,
            session_tags: tags.map(|t| t.session_tag.clone()).unwrap_or_default(),
            source_identity: tags.and_then(|t| t.source_identity.clone()),
        })
    }
}

/// A subcommand's arguments, added to clap's command only when that subcommand is the
/// one on the command line (clap's `Command::defer`): `hat prompt` and a cached
/// `assume` do not construct the other subcommands' two hundred arguments. Help, man
/// pages and completions build the whole tree, so they see every argument.
#[derive(Debug)]
pub struct Lazy<T>(pub T);

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: FromArgMatches> FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }
    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Lazy)
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        if WHOLE_TREE.load(Ordering::SeqCst) > 0 {
            return keep_texts(cmd, T::augment_args);
        }
        cmd.defer(|cmd| keep_texts(cmd, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        if WHOLE_TREE.load(Ordering::SeqCst) > 0 {
            return keep_texts(cmd, T::augment_args_for_update);
        }
        cmd.defer(|cmd| keep_texts(cmd, T::augment_args_for_update))
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

/// How many [`command_tree`] calls are building: while any is, [`Lazy`] adds the
/// arguments at once.
static WHOLE_TREE: AtomicUsize = AtomicUsize::new(0);

/// The whole command with every subcommand's arguments in place, for what walks the
/// tree instead of parsing one command line: completions, man pages, the docs checks.
/// (clap builds `help`'s own subcommand tree from the subcommands as they are when the
/// top level is built, so deferred ones would be missing from it.)
pub fn command_tree() -> clap::Command {
    WHOLE_TREE.fetch_add(1, Ordering::SeqCst);
    let cmd = <Cli as clap::CommandFactory>::command();
    WHOLE_TREE.fetch_sub(1, Ordering::SeqCst);
    cmd
}

/// Adds the arguments, keeping the subcommand's own about texts: a flattened group's
/// doc comment sets `about` too, and without the deferral the subcommand's texts were
/// applied after it.
fn keep_texts(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = augment(cmd);
    let cmd = match about {
        Some(about) => cmd.about(about),
        None => cmd,
    };
    match long_about {
        Some(long_about) => cmd.long_about(long_about),
        None => cmd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::FromArgMatches;

    /// What the whole tree (nothing deferred) makes of `words`: the parse or the error.
    fn eager(words: &[&str]) -> String {
        match command_tree().try_get_matches_from(words) {
            Ok(matches) => format!(
                "{:?}",
                Cli::from_arg_matches(&matches).map_err(|e| e.kind())
            ),
            Err(e) => format!("{:?}: {}", e.kind(), e.render()),
        }
    }

    fn lazy(words: &[&str]) -> String {
        match Cli::try_parse_from(words) {
            Ok(cli) => format!("{:?}", Ok::<_, clap::error::ErrorKind>(cli)),
            Err(e) => format!("{:?}: {}", e.kind(), e.render()),
        }
    }

    #[test]
    fn deferred_subcommands_parse_and_fail_as_the_whole_tree_does() {
        for words in [
            &["hat", "prompt"][..],
            &["hat", "assume", "prod", "--shell", "zsh"],
            &["hat", "assume", "--shell", "fish", "-c", "-u", "prod"],
            &["hat", "assume", "--unset", "--shell", "bash"],
            &[
                "hat",
                "assume",
                "prod",
                "-d",
                "2h",
                "--session-tag",
                "team=x",
                "--chain",
                "arn:aws:iam::1:role/r",
            ],
            &["hat", "assume", "--no-such-flag"],
            &["hat", "assume", "--help"],
            &["hat", "assume", "-h"],
            &["hat", "credential-process", "--profile", "a"],
            &["hat", "credential-process"],
            &["hat", "exec", "prod", "--", "aws", "s3", "ls"],
            &["hat", "export", "prod", "-f", "json"],
            &["hat", "sso", "login", "--sso-session", "corp"],
            &["hat", "sso"],
            &["hat", "cache", "clear", "--all"],
            &["hat", "keys", "add", "base"],
            &["hat", "migrate", "granted", "--dry-run"],
            &["hat", "eks", "token", "--cluster-name", "c"],
            &["hat", "list", "--names"],
            &["hat", "init", "zsh", "--name", "a"],
            &["hat", "help", "cache", "clear"],
            &["hat", "help"],
            &["hat", "--version"],
            &["hat", "--help"],
            &["hat"],
            &["hat", "nope"],
            &["hat", "asume", "prod"],
        ] {
            assert_eq!(lazy(words), eager(words), "{words:?}");
        }
    }
}
