# hat: shell integration for fish. Load it from ~/.config/fish/config.fish with:
#
#     hat init fish | source
#
# `{{cmd}} PROFILE` runs hat, which prints the exports for that profile's role, and
# evaluates them only when hat succeeds. It returns hat's exit status (with --exec,
# the command's, once hat has succeeded; hat's own failure runs nothing and says
# `hat: error:` on stderr). Anything hat
# says to you goes to stderr; prompts (an MFA code, the profile picker) go to the
# terminal. `{{cmd}}` alone, or a name that is not a profile, opens the picker.

# Which wrapper this shell loaded, for `hat doctor` (a child process cannot see
# functions): the shell and a digest of this file.
set -gx HAT_SHELL_INIT 'fish:{{version}}'

function {{cmd}} --description 'hat: wear an AWS role in this shell'
    set -l __hat_before
    set -q HAT_PROFILE[1]; and set __hat_before $HAT_PROFILE
    # `{{cmd}} -`, like `cd -`: the profile this shell had before the current one.
    if test (count $argv) -eq 1; and test "$argv[1]" = -
        if not set -q __hat_previous[1]; or test -z "$__hat_previous"
            printf '%s\n' "hat: error: no previous profile in this shell: `{{cmd}} -` goes back to the profile before the last `{{cmd}} PROFILE`" >&2
            return 1
        end
        set argv $__hat_previous
    end
    set -l __hat_out (command {{bin}} assume --shell fish{{assume_flags}} $argv | string collect --no-trim-newlines)
    set -l __hat_status $pipestatus[1]
    if test $__hat_status -eq 0; and test -n "$__hat_out"
        # The status of what hat printed: 0 for exports, the command's for --exec.
        printf '%s' $__hat_out | source
        set __hat_status $status
        set -l __hat_after
        set -q HAT_PROFILE[1]; and set __hat_after $HAT_PROFILE
        if test -n "$__hat_before"; and test "$__hat_after" != "$__hat_before"
            set -g __hat_previous $__hat_before
        end
    end
    return $__hat_status
end

# `prod 42m`, `prod 1h05m`, `prod expired`, or nothing when no role is on, for
# fish_prompt or fish_right_prompt. fish has no clock of its own, so this runs `date`.
function __hat_prompt --description 'hat: the active profile and the time left'
    set -q HAT_PROFILE[1]; and test -n "$HAT_PROFILE"; or return 0
    if not string match -qr '^[0-9]+$' -- "$HAT_EXPIRES"
        printf '%s' $HAT_PROFILE
        return 0
    end
    set -l left (math $HAT_EXPIRES - (command date +%s))
    if test $left -le 0
        printf '%s expired' $HAT_PROFILE
    else if test $left -lt 60
        printf '%s %ss' $HAT_PROFILE $left
    else if test $left -lt 3600
        printf '%s %sm' $HAT_PROFILE (math "floor($left / 60)")
    else
        printf '%s %sh%02dm' $HAT_PROFILE (math "floor($left / 3600)") (math "floor(($left % 3600) / 60)")
    end
end

# Auto re-assume (opt-in): before a command runs (fish_preexec, once per command
# line), if the credentials expire within HAT_AUTO_REASSUME_MARGIN seconds (default
# 300), assume the same profile again, quietly. `$status` is left as it was.
function __hat_reassume --on-event fish_preexec
    set -l __hat_status $status
    if test "$HAT_AUTO_REASSUME" != 0; and set -q HAT_PROFILE[1]; and test -n "$HAT_PROFILE"
        and string match -qr '^[0-9]+$' -- "$HAT_EXPIRES"
        set -l margin 300
        string match -qr '^[0-9]+$' -- "$HAT_AUTO_REASSUME_MARGIN"; and set margin $HAT_AUTO_REASSUME_MARGIN
        if test (math $HAT_EXPIRES - (command date +%s)) -le $margin
            {{cmd}} --quiet $HAT_PROFILE; or true
        end
    end
    return $__hat_status
end
if test "$HAT_AUTO_REASSUME" != 1; and test {{auto}} != 1
    functions --erase __hat_reassume
end

# Profile names complete after `{{cmd}}`.
complete -c {{cmd}} -f -n 'not string match -q -- "-*" (commandline -ct)' -a '(command {{bin}} list --names 2>/dev/null)'
