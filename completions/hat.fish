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
complete -c hat -n "__fish_hat_needs_command" -f -a "completions" -d 'Print a completion script for hat itself'
complete -c hat -n "__fish_hat_needs_command" -f -a "list" -d 'List the profiles: type, account, role, region and cached credentials'
complete -c hat -n "__fish_hat_needs_command" -f -a "prompt" -d 'Print the active profile and the time left, for a shell prompt'
complete -c hat -n "__fish_hat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s r -l region -d 'Region to export; full names or shorthands like ue1, euw2, apse2' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -s d -l duration -d 'Session length for the last role: 1h, 90m, 1h30m or seconds (STS: 15m to 12h; one hour at most when chaining roles)' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l mfa-token -d 'The 6-digit MFA code, instead of being asked for it on the terminal' -r
complete -c hat -n "__fish_hat_using_subcommand assume" -l shell -d 'Syntax of the printed code (set by the shell function)' -r -f -a "bash\t''
zsh\t''
fish\t''
sh\t'Any POSIX shell (sh, dash, ksh): the same code as bash and zsh'"
complete -c hat -n "__fish_hat_using_subcommand assume" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s v -l verbose -d 'Say on stderr what hat does: cache hits, STS calls, the role chain'
complete -c hat -n "__fish_hat_using_subcommand assume" -s q -l quiet -d 'Say nothing on success (what the auto re-assume hook uses)'
complete -c hat -n "__fish_hat_using_subcommand assume" -s u -l unset -d 'Remove every variable hat exports from the shell'
complete -c hat -n "__fish_hat_using_subcommand assume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand init" -l cmd -d 'Name of the function to define' -r
complete -c hat -n "__fish_hat_using_subcommand init" -l auto-reassume -d 'Re-assume the active profile before a command runs when its credentials expire within 5 minutes (HAT_AUTO_REASSUME_MARGIN seconds); HAT_AUTO_REASSUME=1 does the same'
complete -c hat -n "__fish_hat_using_subcommand init" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand config" -l json -d 'Print {"profiles": {NAME: {key: value}}, "sso_sessions": {NAME: {key: value}}}'
complete -c hat -n "__fish_hat_using_subcommand config" -l show-secrets -d 'Show secret values (aws_secret_access_key, aws_session_token) instead of <redacted>'
complete -c hat -n "__fish_hat_using_subcommand config" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand credential-process" -l profile -d 'The profile whose credentials to print' -r
complete -c hat -n "__fish_hat_using_subcommand credential-process" -s d -l duration -d 'Session length for the last role: 1h, 90m, 1h30m or seconds' -r
complete -c hat -n "__fish_hat_using_subcommand credential-process" -l no-cache -d 'Ignore cached credentials and ask STS again (the new ones are cached)'
complete -c hat -n "__fish_hat_using_subcommand credential-process" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand completions" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand list" -l names -d 'Print only the names, one a line (for scripts and shell completions)'
complete -c hat -n "__fish_hat_using_subcommand list" -s h -l help -d 'Print help'
complete -c hat -n "__fish_hat_using_subcommand prompt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process completions list prompt help" -f -a "assume" -d 'Print shell code that exports a profile\'s credentials (what `assume` runs)'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process completions list prompt help" -f -a "init" -d 'Print the `assume` shell function for bash, zsh or fish'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process completions list prompt help" -f -a "config" -d 'Show the profiles and sso-sessions hat reads from your AWS files'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process completions list prompt help" -f -a "credential-process" -d 'Print a profile\'s credentials as credential_process JSON, for the AWS CLI and SDKs'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process completions list prompt help" -f -a "completions" -d 'Print a completion script for hat itself'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process completions list prompt help" -f -a "list" -d 'List the profiles: type, account, role, region and cached credentials'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process completions list prompt help" -f -a "prompt" -d 'Print the active profile and the time left, for a shell prompt'
complete -c hat -n "__fish_hat_using_subcommand help; and not __fish_seen_subcommand_from assume init config credential-process completions list prompt help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
