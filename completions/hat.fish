# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hat_global_optspecs
    string join \n h/help V/version
end

function __fish_hat_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hat_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hat_using_subcommand
    set -l cmd (__fish_hat_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hat -n "__fish_hat_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_needs_command" -s V -l version -d 'Print version'
complete -c hat -n "__fish_hat_needs_command" -f -a "assume" -d 'Print shell code that exports a profile\'s credentials (what `assume` runs)'
complete -c hat -n "__fish_hat_needs_command" -f -a "init" -d 'Print the `assume` shell function for bash, zsh, fish or nushell'
complete -c hat -n "__fish_hat_needs_command" -f -a "config" -d 'Show the profiles and sso-sessions hat reads from your AWS files'
complete -c hat -n "__fish_hat_needs_command" -f -a "credential-process" -d 'Print a profile\'s credentials as credential_process JSON, for the AWS CLI and SDKs'
complete -c hat -n "__fish_hat_needs_command" -f -a "console" -d 'Open the AWS console signed in as a profile, or print its sign-in URL'
complete -c hat -n "__fish_hat_needs_command" -f -a "completions" -d 'Print a completion script for hat itself'
complete -c hat -n "__fish_hat_needs_command" -f -a "exec" -d 'Run a command with a profile\'s credentials in its environment'
complete -c hat -n "__fish_hat_needs_command" -f -a "export" -d 'Write a profile\'s credentials as env, JSON, a .env file or a credentials-file profile'
complete -c hat -n "__fish_hat_needs_command" -f -a "sso" -d 'Sign in to IAM Identity Center (SSO), list tokens, generate SSO profiles'
complete -c hat -n "__fish_hat_needs_command" -f -a "keys" -d 'Keep IAM users\' long-term keys in the OS keychain instead of ~/.aws/credentials'
complete -c hat -n "__fish_hat_needs_command" -f -a "list" -d 'List the profiles: type, account, role, region and cached credentials'
complete -c hat -n "__fish_hat_needs_command" -f -a "migrate" -d 'Bring another tool\'s setup across to hat (Granted, aws-vault, awsume)'
complete -c hat -n "__fish_hat_needs_command" -f -a "eks" -d 'Amazon EKS: tokens for kubectl, and kubeconfig entries that use them'
complete -c hat -n "__fish_hat_needs_command" -f -a "prompt" -d 'Print the active profile and the time left, for a shell prompt'
complete -c hat -n "__fish_hat_needs_command" -f -a "cache" -d 'Show or remove hat\'s cached credentials'
complete -c hat -n "__fish_hat_needs_command" -f -a "doctor" -d 'Check the setup and say how to fix each problem (exit 1 when one is found)'
complete -c hat -n "__fish_hat_needs_command" -f -a "registry" -d 'Keep a team\'s shared profiles (a git repository, as Granted\'s registries) in ~/.aws/config'
complete -c hat -n "__fish_hat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s r -l region -d 'Region to export; full names or shorthands like ue1, euw2, apse2' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -s d -l duration -d 'Session length for the last role: 1h, 90m, 1h30m or seconds (STS: 15m to 12h; one hour at most when chaining roles)' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l mfa-token -d 'The 6-digit MFA code, instead of being asked for it on the terminal' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l session-tag -d 'A tag on the role session, KEY=VALUE (repeatable), on top of the profile\'s session_tags' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l source-identity -d 'The role session\'s source identity, instead of the profile\'s source_identity' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l chain -l role-arn -d 'Then assume this role with the profile\'s credentials (Granted\'s --chain, awsume\'s --role-arn); -d applies to it, and STS caps a chained role at one hour. AWS_PROFILE stays the profile, so the AWS CLI can still read it' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l source-profile -d 'With --role-arn: the profile whose credentials assume it (awsume\'s spelling of PROFILE)' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -s s -l service -d 'With -c: the console page to open: a service or shortcut (s3, ddb, cfn, l, ...)' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l destination -l console-destination -d 'With -c: a whole console URL to land on instead of a service (Granted\'s -cd)' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l browser-profile -d 'With -c: the browser profile (or Firefox container) to open the console in (Granted\'s -bp)' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l aws-config-file -d 'Read profiles from FILE instead of ~/.aws/config (as AWS_CONFIG_FILE=FILE does); the shell then gets no AWS_PROFILE, since the AWS CLI there reads another file' -r -F
complete -c hat -n "__fish_hat_using_subcommand assume" -l pass-through -d 'Granted\'s: arguments for a proxy assumer (Granted\'s -pt); hat has none' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l exec -d 'Granted\'s: run COMMAND (with `sh -c`) with the credentials instead of putting them into the shell, like `hat exec PROFILE -- sh -c COMMAND`; the shell function returns its status' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l reason -d 'Granted\'s: the reason for a Common Fate access request; hat makes none' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l attach -d 'Granted\'s: justifications for a Common Fate access request; hat makes none' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l browser-launch-template-arg -d 'Granted\'s: arguments for its custom browser launch template; hat has none' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l shell -d 'Syntax of the printed code (set by the shell function)' -r -f -a "bash\t''
zsh\t''
fish\t''
sh\t'Any POSIX shell (sh, dash, ksh): the same code as bash and zsh'
nu\t'Nushell: JSON lines for its function to apply, never code'"
complete -c hat -n "__fish_hat_using_subcommand assume" -l sso-start-url -d 'With --sso-region, --account-id and --role-name: an SSO role with no profile' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l sso-region -d 'The region of IAM Identity Center for --sso-start-url' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l account-id -d 'The account for --sso-start-url' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l role-name -d 'The role (permission set) for --sso-start-url' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l save-to -d 'With --sso-start-url: also save the role as [profile NAME] in ~/.aws/config (sso_start_url, sso_region, sso_account_id, sso_role_name, region), replacing a profile of that name and keeping every other byte; then AWS_PROFILE is NAME' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s v -l verbose -d 'Say on stderr what hat does: cache hits, STS calls, the role chain'
complete -c hat -n "__fish_hat_using_subcommand assume" -s q -l quiet -d 'Say nothing on success (what the auto re-assume hook uses)'
complete -c hat -n "__fish_hat_using_subcommand assume" -l unset -d 'Remove every variable hat exports from the shell (Granted\'s -un works too)'
complete -c hat -n "__fish_hat_using_subcommand assume" -l active-role -d 'Open the console as the profile in AWS_PROFILE (Granted\'s -ar); with -t, also assume it again in this shell'
complete -c hat -n "__fish_hat_using_subcommand assume" -s c -l console -d 'Open the AWS console signed in as the profile (exports nothing unless -t)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s u -l url -d 'With -c: print the sign-in URL instead of opening a browser (it is a credential)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s t -l terminal -d 'With -c: also export the credentials into the shell'
complete -c hat -n "__fish_hat_using_subcommand assume" -s x -l export-all-env-vars -d 'Granted\'s: export every variable for credential_process profiles; hat always does'
complete -c hat -n "__fish_hat_using_subcommand assume" -l export -d 'Granted\'s -ex: also write the credentials into ~/.aws/credentials as the profile\'s name (as `hat export PROFILE -f credentials` does)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s e -l env -d 'Granted\'s -e: also write the credentials into ./.env (as `hat export PROFILE -f dotenv` does)'
complete -c hat -n "__fish_hat_using_subcommand assume" -l export-sso-token -d 'Granted\'s -es: make sure the profile\'s SSO token is in ~/.aws/sso/cache, where the AWS CLI reads it (hat keeps its tokens there, so nothing is copied)'
complete -c hat -n "__fish_hat_using_subcommand assume" -l skip-profile-registry-sync -d 'Granted\'s: skip the daily profile-registry sync this time'
complete -c hat -n "__fish_hat_using_subcommand assume" -s y -l confirm -d 'Granted\'s: skip confirmations of Common Fate access requests; hat makes none'
complete -c hat -n "__fish_hat_using_subcommand assume" -l wait -d 'Granted\'s: wait for a Common Fate access request; hat makes none'
complete -c hat -n "__fish_hat_using_subcommand assume" -l auto-configure-shell -d 'Granted\'s: write its shell alias without asking; hat never edits rc files'
complete -c hat -n "__fish_hat_using_subcommand assume" -l awsume-variables -d 'Also export awsume\'s AWSUME_PROFILE and AWSUME_EXPIRATION, for prompts written for awsume (the shell function adds it when hat\'s config.toml has `[shell] awsume_variables = true`)'
complete -c hat -n "__fish_hat_using_subcommand assume" -l sso -d 'Assume an SSO role with no profile: with --sso-start-url, --sso-region, --account-id and --role-name (Granted\'s --sso; those four work without it too)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand init" -l cmd -d 'Name of the function to define' -r
complete -c hat -n "__fish_hat_using_subcommand init" -l auto-reassume -d 'Re-assume the active profile before a command runs when its credentials expire within 5 minutes (HAT_AUTO_REASSUME_MARGIN seconds); HAT_AUTO_REASSUME=1 does the same'
complete -c hat -n "__fish_hat_using_subcommand init" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand config" -l json -d 'Print {"profiles": {NAME: {key: value}}, "sso_sessions": {NAME: {key: value}}}'
complete -c hat -n "__fish_hat_using_subcommand config" -l show-secrets -d 'Show secret values (aws_secret_access_key, aws_session_token) instead of <redacted>'
complete -c hat -n "__fish_hat_using_subcommand config" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand credential-process" -l profile -d 'The profile whose credentials to print' -r
complete -c hat -n "__fish_hat_using_subcommand credential-process" -s d -l duration -d 'Session length for the last role: 1h, 90m, 1h30m or seconds (STS: 15m to 12h; one hour at most when chaining roles)' -r
complete -c hat -n "__fish_hat_using_subcommand credential-process" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand credential-process" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand console" -s s -l service -d 'The console page to open: a service or shortcut (s3, ddb, cfn, l, ...)' -r
complete -c hat -n "__fish_hat_using_subcommand console" -s r -l region -d 'The console\'s region; full names or shorthands like ue1, euw2, apse2' -r
complete -c hat -n "__fish_hat_using_subcommand console" -l destination -d 'A whole console URL to land on instead of a service' -r
complete -c hat -n "__fish_hat_using_subcommand console" -l browser-profile -d 'The browser profile (or Firefox container) to open the console in' -r
complete -c hat -n "__fish_hat_using_subcommand console" -s d -l duration -d 'The console session\'s length: 1h, 90m or seconds (15m to 12h; for long-term keys, the federation token\'s length, up to 36h)' -r
complete -c hat -n "__fish_hat_using_subcommand console" -l mfa-token -d 'The 6-digit MFA code, instead of being asked for it on the terminal' -r
complete -c hat -n "__fish_hat_using_subcommand console" -l url -d 'Print the sign-in URL on stdout instead of opening a browser. It is a credential'
complete -c hat -n "__fish_hat_using_subcommand console" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand console" -s v -l verbose -d 'Say on stderr what hat does (never the sign-in URL)'
complete -c hat -n "__fish_hat_using_subcommand console" -l list-services -d 'List the service shortcuts that -s accepts'
complete -c hat -n "__fish_hat_using_subcommand console" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand completions" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand exec" -s r -l region -d 'Region to export; full names or shorthands like ue1, euw2, apse2' -r
complete -c hat -n "__fish_hat_using_subcommand exec" -s t -l mfa-token -d 'The MFA code for the first call that needs one' -r
complete -c hat -n "__fish_hat_using_subcommand exec" -s d -l duration -d 'Session length for the last role: 1h, 90m, 1h30m or seconds (STS: 15m to 12h; one hour at most when chaining roles)' -r
complete -c hat -n "__fish_hat_using_subcommand exec" -l session-tag -d 'A tag on the role session, KEY=VALUE (repeatable), on top of the profile\'s session_tags' -r
complete -c hat -n "__fish_hat_using_subcommand exec" -l source-identity -d 'The role session\'s source identity, instead of the profile\'s source_identity' -r
complete -c hat -n "__fish_hat_using_subcommand exec" -s s -l server -l ecs-server -d 'Serve the credentials from a local endpoint that refreshes them, instead of putting keys in the environment (for jobs that outlive a session); aws-vault\'s --ecs-server'
complete -c hat -n "__fish_hat_using_subcommand exec" -s j -l json -d 'Print the credentials as credential_process JSON instead of running a command (aws-vault\'s `exec --json`)'
complete -c hat -n "__fish_hat_using_subcommand exec" -s n -l no-session -d 'Skip the MFA session (GetSessionToken): a keys profile\'s long-term keys go to the command as they are, and a role behind MFA takes the code on its AssumeRole (aws-vault\'s --no-session)'
complete -c hat -n "__fish_hat_using_subcommand exec" -l ec2-server -d 'Not taken: hat has no EC2 metadata emulation (it would have to own 169.254.169.254, which needs root); use --server'
complete -c hat -n "__fish_hat_using_subcommand exec" -l lazy -d 'Not taken: hat fetches the first credentials before the command starts, so an MFA prompt has the terminal; --server refreshes them later by itself'
complete -c hat -n "__fish_hat_using_subcommand exec" -l stdout -d 'Not taken: hat exec does not sign in to IAM Identity Center; run `hat sso login --use-device-code` first, which prints the link'
complete -c hat -n "__fish_hat_using_subcommand exec" -l force -d 'Run even inside another `hat exec` of a different profile'
complete -c hat -n "__fish_hat_using_subcommand exec" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand exec" -s v -l verbose -l debug -d 'Say on stderr what hat does: cache hits, STS calls, the role chain (aws-vault\'s --debug)'
complete -c hat -n "__fish_hat_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand export" -s f -l format -d 'What to write' -r -f -a "env\t''
json\t''
dotenv\t''
credentials\t''"
complete -c hat -n "__fish_hat_using_subcommand export" -s o -l output -d 'The file for `dotenv` (default ./.env)' -r -F
complete -c hat -n "__fish_hat_using_subcommand export" -l profile-name -d 'The profile name to write for `credentials` (default: PROFILE)' -r
complete -c hat -n "__fish_hat_using_subcommand export" -s r -l region -d 'Region to include (env, dotenv); full names or shorthands like ue1' -r
complete -c hat -n "__fish_hat_using_subcommand export" -s d -l duration -d 'Session length for the last role: 1h, 90m, 1h30m or seconds (STS: 15m to 12h; one hour at most when chaining roles)' -r
complete -c hat -n "__fish_hat_using_subcommand export" -l session-tag -d 'A tag on the role session, KEY=VALUE (repeatable), on top of the profile\'s session_tags' -r
complete -c hat -n "__fish_hat_using_subcommand export" -l source-identity -d 'The role session\'s source identity, instead of the profile\'s source_identity' -r
complete -c hat -n "__fish_hat_using_subcommand export" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand sso; and not __fish_seen_subcommand_from login logout tokens populate help" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand sso; and not __fish_seen_subcommand_from login logout tokens populate help" -f -a "login" -d 'Sign in (in the browser, or with a device code) and cache the token'
complete -c hat -n "__fish_hat_using_subcommand sso; and not __fish_seen_subcommand_from login logout tokens populate help" -f -a "logout" -d 'Sign out: revoke the cached tokens and delete them'
complete -c hat -n "__fish_hat_using_subcommand sso; and not __fish_seen_subcommand_from login logout tokens populate help" -f -a "tokens" -d 'List cached tokens with their expiry and whether each can be refreshed'
complete -c hat -n "__fish_hat_using_subcommand sso; and not __fish_seen_subcommand_from login logout tokens populate help" -f -a "populate" -d 'Write one profile per account and role into ~/.aws/config'
complete -c hat -n "__fish_hat_using_subcommand sso; and not __fish_seen_subcommand_from login logout tokens populate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from login" -l sso-session -d 'The [sso-session NAME] to use' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from login" -l profile -d 'The sign-in of this SSO profile' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from login" -l sso-start-url -d 'A start URL with no config entry (with --sso-region)' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from login" -l sso-region -d 'The region of IAM Identity Center for --sso-start-url' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from login" -l use-device-code -d 'Sign in with a code on any device instead of the browser callback'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from login" -s v -l verbose -d 'Say on stderr what hat does'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from logout" -l sso-session -d 'Only this [sso-session NAME] (default: every cached token)' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from logout" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from tokens" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -l sso-session -d 'The [sso-session NAME] to use' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -l profile -d 'The sign-in of this SSO profile' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -l sso-start-url -d 'A start URL with no config entry (with --sso-region)' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -l sso-region -d 'The region of IAM Identity Center for --sso-start-url' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -l template -d 'Profile names: {account_name}, {account_id}, {role_name}, {session}' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -l region -d 'The region the profiles get (default: the SSO region)' -r
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -l dry-run -d 'Print the change as a diff and write nothing'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -l prune -d 'Remove the profiles of roles you can no longer reach'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -s v -l verbose -d 'Say on stderr what hat does'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from populate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "login" -d 'Sign in (in the browser, or with a device code) and cache the token'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "logout" -d 'Sign out: revoke the cached tokens and delete them'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "tokens" -d 'List cached tokens with their expiry and whether each can be refreshed'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "populate" -d 'Write one profile per account and role into ~/.aws/config'
complete -c hat -n "__fish_hat_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand keys; and not __fish_seen_subcommand_from add import list rotate remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand keys; and not __fish_seen_subcommand_from add import list rotate remove help" -f -a "add" -d 'Store a profile\'s access key (asked on the terminal, hidden) and point the profile at hat'
complete -c hat -n "__fish_hat_using_subcommand keys; and not __fish_seen_subcommand_from add import list rotate remove help" -f -a "import" -d 'Move static keys out of ~/.aws/credentials into the store, keeping every other byte'
complete -c hat -n "__fish_hat_using_subcommand keys; and not __fish_seen_subcommand_from add import list rotate remove help" -f -a "list" -d 'List the stored keys: profile, masked key id, backend, when added or rotated'
complete -c hat -n "__fish_hat_using_subcommand keys; and not __fish_seen_subcommand_from add import list rotate remove help" -f -a "rotate" -d 'Replace a profile\'s key in IAM: create, check, store, then delete the old one'
complete -c hat -n "__fish_hat_using_subcommand keys; and not __fish_seen_subcommand_from add import list rotate remove help" -f -a "remove" -d 'Delete a profile\'s stored keys and hat\'s credential_process line'
complete -c hat -n "__fish_hat_using_subcommand keys; and not __fish_seen_subcommand_from add import list rotate remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from add" -l env -d 'Read the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead (for scripts)'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from import" -l all -d 'Move every profile that has static long-term keys'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from import" -l dry-run -d 'Say what would move, and change nothing'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "add" -d 'Store a profile\'s access key (asked on the terminal, hidden) and point the profile at hat'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "import" -d 'Move static keys out of ~/.aws/credentials into the store, keeping every other byte'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the stored keys: profile, masked key id, backend, when added or rotated'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Replace a profile\'s key in IAM: create, check, store, then delete the old one'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete a profile\'s stored keys and hat\'s credential_process line'
complete -c hat -n "__fish_hat_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand list" -l names -d 'Print only the names, one a line (for scripts and shell completions)'
complete -c hat -n "__fish_hat_using_subcommand list" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand migrate; and not __fish_seen_subcommand_from granted aws-vault awsume help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand migrate; and not __fish_seen_subcommand_from granted aws-vault awsume help" -f -a "granted" -d 'Bring Granted\'s settings, registries and credential_process lines across'
complete -c hat -n "__fish_hat_using_subcommand migrate; and not __fish_seen_subcommand_from granted aws-vault awsume help" -f -a "aws-vault" -d 'Import aws-vault\'s long-term keys into hat\'s key store and point its credential_process lines at hat'
complete -c hat -n "__fish_hat_using_subcommand migrate; and not __fish_seen_subcommand_from granted aws-vault awsume help" -f -a "awsume" -d 'Bring awsume\'s settings into hat\'s config.toml and say what has no counterpart'
complete -c hat -n "__fish_hat_using_subcommand migrate; and not __fish_seen_subcommand_from granted aws-vault awsume help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from granted" -l dry-run -d 'Print the changes to both files as unified diffs; write and fetch nothing'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from granted" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from aws-vault" -l backend -d 'aws-vault\'s backend to read: `file` or `secret-service` (default: AWS_VAULT_BACKEND, else both)' -r
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from aws-vault" -l file-dir -d 'The file backend\'s directory (default: AWS_VAULT_FILE_DIR, else ~/.awsvault/keys)' -r -f -a "(__fish_complete_directories)"
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from aws-vault" -l secret-service-collection -d 'The Secret Service collection (default: AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME, else `awsvault`)' -r
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from aws-vault" -l dry-run -d 'Print what would be imported and the change as a unified diff, and write nothing'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from aws-vault" -l remove -d 'After importing, delete aws-vault\'s copy of each key hat now holds (what `aws-vault remove P` does)'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from aws-vault" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from awsume" -l dry-run -d 'Print the changes to hat\'s config.toml and ~/.aws/config as unified diffs, and write nothing'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from awsume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from help" -f -a "granted" -d 'Bring Granted\'s settings, registries and credential_process lines across'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from help" -f -a "aws-vault" -d 'Import aws-vault\'s long-term keys into hat\'s key store and point its credential_process lines at hat'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from help" -f -a "awsume" -d 'Bring awsume\'s settings into hat\'s config.toml and say what has no counterpart'
complete -c hat -n "__fish_hat_using_subcommand migrate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand eks; and not __fish_seen_subcommand_from token kubeconfig help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand eks; and not __fish_seen_subcommand_from token kubeconfig help" -f -a "token" -d 'Print an ExecCredential with a bearer token for a cluster (what kubectl runs)'
complete -c hat -n "__fish_hat_using_subcommand eks; and not __fish_seen_subcommand_from token kubeconfig help" -f -a "kubeconfig" -d 'Add a cluster to your kubeconfig, or turn `aws eks get-token` users into hat ones'
complete -c hat -n "__fish_hat_using_subcommand eks; and not __fish_seen_subcommand_from token kubeconfig help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from token" -l cluster -l cluster-name -d 'The cluster\'s name (an Outposts local cluster: its id)' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from token" -l profile -d 'The profile whose credentials sign the token' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from token" -s r -l region -d 'The cluster\'s region (default: the profile\'s); full names or shorthands like euw1' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from token" -l role-arn -d 'Assume this role on top of the profile\'s credentials and sign with it' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from token" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -l cluster -l name -d 'The cluster to add' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -l profile -d 'The profile that describes the cluster and that the token is signed with' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -s r -l region -d 'The cluster\'s region (default: the profile\'s)' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -l role-arn -d 'A role for the token to be signed with (assumed by `hat eks token`)' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -l alias -d 'The name of the context and user (default: the cluster ARN)' -r
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -l kubeconfig -d 'The kubeconfig file to change (default: the first of $KUBECONFIG, else ~/.kube/config)' -r -F
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -l rewrite -d 'Point users that run `aws eks get-token` at `hat eks token`'
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -l dry-run -d 'Print the change as a diff and write nothing'
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from kubeconfig" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from help" -f -a "token" -d 'Print an ExecCredential with a bearer token for a cluster (what kubectl runs)'
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from help" -f -a "kubeconfig" -d 'Add a cluster to your kubeconfig, or turn `aws eks get-token` users into hat ones'
complete -c hat -n "__fish_hat_using_subcommand eks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand prompt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand cache; and not __fish_seen_subcommand_from list clear help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand cache; and not __fish_seen_subcommand_from list clear help" -f -a "list" -d 'List cached credentials: profile, time left, entry (the profile\'s, or a step of its chain)'
complete -c hat -n "__fish_hat_using_subcommand cache; and not __fish_seen_subcommand_from list clear help" -f -a "clear" -d 'Remove a profile\'s cached credentials, or (with no profile) the whole cache'
complete -c hat -n "__fish_hat_using_subcommand cache; and not __fish_seen_subcommand_from list clear help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand cache; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand cache; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "list" -d 'List cached credentials: profile, time left, entry (the profile\'s, or a step of its chain)'
complete -c hat -n "__fish_hat_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Remove a profile\'s cached credentials, or (with no profile) the whole cache'
complete -c hat -n "__fish_hat_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand doctor" -l json -d 'Print {"healthy": bool, "checks": [{"check", "status", "message", "fix"}]}'
complete -c hat -n "__fish_hat_using_subcommand doctor" -l fix -d 'Tighten loose modes and remove stale temporary files, then report'
complete -c hat -n "__fish_hat_using_subcommand doctor" -l offline -d 'Skip the checks that use the network (the clock against STS)'
complete -c hat -n "__fish_hat_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand registry; and not __fish_seen_subcommand_from add sync list remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand registry; and not __fish_seen_subcommand_from add sync list remove help" -f -a "add" -d 'Add a registry: fetch it, merge its profiles, and record it in hat\'s settings'
complete -c hat -n "__fish_hat_using_subcommand registry; and not __fish_seen_subcommand_from add sync list remove help" -f -a "sync" -d 'Fetch every registry and rewrite its block; a registry that fails keeps its block'
complete -c hat -n "__fish_hat_using_subcommand registry; and not __fish_seen_subcommand_from add sync list remove help" -f -a "list" -d 'List the registries with their profile counts'
complete -c hat -n "__fish_hat_using_subcommand registry; and not __fish_seen_subcommand_from add sync list remove help" -f -a "remove" -d 'Remove a registry\'s block from ~/.aws/config and forget the registry'
complete -c hat -n "__fish_hat_using_subcommand registry; and not __fish_seen_subcommand_from add sync list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -s u -l url -d 'The repository (Granted\'s flag; the same as the argument)' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -s n -l name -d 'A unique name for the registry (default: the repository\'s name)' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -l ref -d 'The branch, tag or commit to sync (default: the remote\'s HEAD)' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -s p -l path -d 'The folder inside the repository that holds the manifest' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -s f -l filename -d 'The manifest\'s file name' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -l priority -d 'Higher wins when two registries define the same profile name' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -s r -l required-key -l requiredKey -d 'A value granted.yml requires, instead of being asked (repeatable)' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -l type -d 'The registry\'s type; only git is supported (Granted\'s flag)' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -l prefix-all-profiles -l pap -d 'Name every profile of this registry REGISTRY.NAME'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -l prefix-duplicate-profiles -l pdp -d 'Name REGISTRY.NAME the profiles whose names are already taken (else they are skipped)'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -l force -d 'Accept a first sync that removes more than half of a block\'s profiles'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from sync" -s r -l required-key -d 'A value a registry requires, instead of being asked (repeatable)' -r
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from sync" -l force -d 'Accept a sync that removes more than half of a registry\'s profiles'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from sync" -l auto -d 'The background sync that `assume` starts: never prompts, records a failure'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a registry: fetch it, merge its profiles, and record it in hat\'s settings'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Fetch every registry and rewrite its block; a registry that fails keeps its block'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the registries with their profile counts'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a registry\'s block from ~/.aws/config and forget the registry'
complete -c hat -n "__fish_hat_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "assume" -d 'Print shell code that exports a profile\'s credentials (what `assume` runs)'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "init" -d 'Print the `assume` shell function for bash, zsh, fish or nushell'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "config" -d 'Show the profiles and sso-sessions hat reads from your AWS files'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "credential-process" -d 'Print a profile\'s credentials as credential_process JSON, for the AWS CLI and SDKs'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "console" -d 'Open the AWS console signed in as a profile, or print its sign-in URL'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "completions" -d 'Print a completion script for hat itself'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "exec" -d 'Run a command with a profile\'s credentials in its environment'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "export" -d 'Write a profile\'s credentials as env, JSON, a .env file or a credentials-file profile'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "sso" -d 'Sign in to IAM Identity Center (SSO), list tokens, generate SSO profiles'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "keys" -d 'Keep IAM users\' long-term keys in the OS keychain instead of ~/.aws/credentials'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "list" -d 'List the profiles: type, account, role, region and cached credentials'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "migrate" -d 'Bring another tool\'s setup across to hat (Granted, aws-vault, awsume)'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "eks" -d 'Amazon EKS: tokens for kubectl, and kubeconfig entries that use them'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "prompt" -d 'Print the active profile and the time left, for a shell prompt'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "cache" -d 'Show or remove hat\'s cached credentials'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "doctor" -d 'Check the setup and say how to fix each problem (exit 1 when one is found)'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "registry" -d 'Keep a team\'s shared profiles (a git repository, as Granted\'s registries) in ~/.aws/config'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions exec export sso keys list migrate eks prompt cache doctor registry help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from sso" -f -a "login" -d 'Sign in (in the browser, or with a device code) and cache the token'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from sso" -f -a "logout" -d 'Sign out: revoke the cached tokens and delete them'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from sso" -f -a "tokens" -d 'List cached tokens with their expiry and whether each can be refreshed'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from sso" -f -a "populate" -d 'Write one profile per account and role into ~/.aws/config'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "add" -d 'Store a profile\'s access key (asked on the terminal, hidden) and point the profile at hat'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "import" -d 'Move static keys out of ~/.aws/credentials into the store, keeping every other byte'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "list" -d 'List the stored keys: profile, masked key id, backend, when added or rotated'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "rotate" -d 'Replace a profile\'s key in IAM: create, check, store, then delete the old one'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "remove" -d 'Delete a profile\'s stored keys and hat\'s credential_process line'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from migrate" -f -a "granted" -d 'Bring Granted\'s settings, registries and credential_process lines across'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from migrate" -f -a "aws-vault" -d 'Import aws-vault\'s long-term keys into hat\'s key store and point its credential_process lines at hat'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from migrate" -f -a "awsume" -d 'Bring awsume\'s settings into hat\'s config.toml and say what has no counterpart'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from eks" -f -a "token" -d 'Print an ExecCredential with a bearer token for a cluster (what kubectl runs)'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from eks" -f -a "kubeconfig" -d 'Add a cluster to your kubeconfig, or turn `aws eks get-token` users into hat ones'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "list" -d 'List cached credentials: profile, time left, entry (the profile\'s, or a step of its chain)'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "clear" -d 'Remove a profile\'s cached credentials, or (with no profile) the whole cache'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "add" -d 'Add a registry: fetch it, merge its profiles, and record it in hat\'s settings'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "sync" -d 'Fetch every registry and rewrite its block; a registry that fails keeps its block'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "list" -d 'List the registries with their profile counts'
complete -c hat -n "__fish_hat_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "remove" -d 'Remove a registry\'s block from ~/.aws/config and forget the registry'
