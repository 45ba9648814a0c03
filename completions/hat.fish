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
complete -c hat -n "__fish_hat_needs_command" -f -a "init" -d 'Print the `assume` shell function for bash, zsh or fish'
complete -c hat -n "__fish_hat_needs_command" -f -a "config" -d 'Show the profiles and sso-sessions hat reads from your AWS files'
complete -c hat -n "__fish_hat_needs_command" -f -a "credential-process" -d 'Print a profile\'s credentials as credential_process JSON, for the AWS CLI and SDKs'
complete -c hat -n "__fish_hat_needs_command" -f -a "console" -d 'Open the AWS console signed in as a profile, or print its sign-in URL'
complete -c hat -n "__fish_hat_needs_command" -f -a "completions" -d 'Print a completion script for hat itself'
complete -c hat -n "__fish_hat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s r -l region -d 'Region to export; full names or shorthands like ue1, euw2, apse2' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -s d -l duration -d 'Session length for the last role: 1h, 90m, 1h30m or seconds (STS: 15m to 12h; one hour at most when chaining roles)' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l mfa-token -d 'The 6-digit MFA code, instead of being asked for it on the terminal' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -s s -l service -d 'With -c: the console page to open: a service or shortcut (s3, ddb, cfn, l, ...)' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l destination -d 'With -c: a whole console URL to land on instead of a service' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l browser-profile -d 'With -c: the browser profile (or Firefox container) to open the console in' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l shell -d 'Syntax of the printed code (set by the shell function)' -r -f -a "bash\t''
zsh\t''
fish\t''
sh\t'Any POSIX shell (sh, dash, ksh): the same code as bash and zsh'"
complete -c hat -n "__fish_hat_using_subcommand assume" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s v -l verbose -d 'Say on stderr what hat does: cache hits, STS calls, the role chain'
complete -c hat -n "__fish_hat_using_subcommand assume" -s u -l unset -d 'Remove every variable hat exports from the shell'
complete -c hat -n "__fish_hat_using_subcommand assume" -s c -l console -d 'Open the AWS console signed in as the profile (exports nothing unless -t)'
complete -c hat -n "__fish_hat_using_subcommand assume" -l url -d 'With -c: print the sign-in URL instead of opening a browser (it is a credential)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s t -l export -d 'With -c: also export the credentials into the shell'
complete -c hat -n "__fish_hat_using_subcommand assume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand init" -l cmd -d 'Name of the function to define' -r
complete -c hat -n "__fish_hat_using_subcommand init" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand config" -l json -d 'Print {"profiles": {NAME: {key: value}}, "sso_sessions": {NAME: {key: value}}}'
complete -c hat -n "__fish_hat_using_subcommand config" -l show-secrets -d 'Show secret values (aws_secret_access_key, aws_session_token) instead of <redacted>'
complete -c hat -n "__fish_hat_using_subcommand config" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand credential-process" -l profile -d 'The profile whose credentials to print' -r
complete -c hat -n "__fish_hat_using_subcommand credential-process" -s d -l duration -d 'Session length for the last role: 1h, 90m, 1h30m or seconds' -r
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
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions help" -f -a "assume" -d 'Print shell code that exports a profile\'s credentials (what `assume` runs)'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions help" -f -a "init" -d 'Print the `assume` shell function for bash, zsh or fish'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions help" -f -a "config" -d 'Show the profiles and sso-sessions hat reads from your AWS files'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions help" -f -a "credential-process" -d 'Print a profile\'s credentials as credential_process JSON, for the AWS CLI and SDKs'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions help" -f -a "console" -d 'Open the AWS console signed in as a profile, or print its sign-in URL'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions help" -f -a "completions" -d 'Print a completion script for hat itself'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process console completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
