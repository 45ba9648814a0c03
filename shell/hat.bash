# hat: shell integration for bash. Load it from ~/.bashrc with:
#
#     eval "$(hat init bash)"
#
# `{{cmd}} PROFILE` runs hat, which prints the exports for that profile's role, and
# evaluates them only when hat succeeds. It returns hat's exit status (with --exec,
# the command's, once hat has succeeded; hat's own failure runs nothing and says
# `hat: error:` on stderr). Anything hat
# says to you goes to stderr; prompts (an MFA code, the profile picker) go to the
# terminal. `{{cmd}}` alone, or a name that is not a profile, opens the picker.

# Which wrapper this shell loaded, for `hat doctor` (a child process cannot see
# functions): the shell and a digest of this file.
# shellcheck disable=SC2034 # exported, for hat doctor; shellcheck misses \builtin export
\builtin export HAT_SHELL_INIT='bash:{{version}}'

# An alias with the same name would be expanded in a `name() {` definition and
# break it; the `function` keyword is not subject to alias expansion, and the
# alias itself would shadow the function, so it goes.
\builtin unalias {{cmd}} 2>/dev/null || \builtin true
function {{cmd}} {
    \builtin local __hat_out __hat_status=0 __hat_before=${HAT_PROFILE:-}
    # `{{cmd}} -`, like `cd -`: the profile this shell had before the current one.
    if \builtin test "$#" -eq 1 && \builtin test "$1" = -; then
        if \builtin test -z "${__hat_previous:-}"; then
            \builtin printf '%s\n' "hat: error: no previous profile in this shell: \`{{cmd}} -\` goes back to the profile before the last \`{{cmd}} PROFILE\`" >&2
            \builtin return 1
        fi
        \builtin set -- "$__hat_previous"
    fi
    # ${1+"$@"}: bash 3.2 (macOS) treats a bare "$@" as unbound under `set -u`.
    __hat_out="$(\command {{bin}} assume --shell bash{{assume_flags}} ${1+"$@"})" || __hat_status=$?
    if \builtin test "$__hat_status" -eq 0 && \builtin test -n "$__hat_out"; then
        # The status of what hat printed: 0 for exports, the command's for --exec.
        \builtin eval "$__hat_out" || __hat_status=$?
        if \builtin test -n "$__hat_before" && \builtin test "${HAT_PROFILE:-}" != "$__hat_before"; then
            __hat_previous=$__hat_before
        fi
    fi
    \builtin return "$__hat_status"
}

# The shell's clock in epoch seconds, into __hat_now: $EPOCHSECONDS (bash 5), else
# printf's %(%s)T (bash 4.2); only bash 3.2 has to run `date`.
function __hat_clock {
    __hat_now=${EPOCHSECONDS:-}
    if \builtin test -z "$__hat_now"; then
        \builtin printf -v __hat_now '%(%s)T' -1 2>/dev/null || __hat_now=$(\command date +%s)
    fi
}

# `prod 42m`, `prod 1h05m`, `prod expired`, or nothing when no role is on: for PS1,
#     PS1='$(__hat_prompt) \$ '
# It runs no command: only the HAT_ variables and the shell's clock.
function __hat_prompt {
    \builtin test -n "${HAT_PROFILE:-}" || \builtin return 0
    case ${HAT_EXPIRES:-x} in
        *[!0-9]*)
            \builtin printf '%s' "$HAT_PROFILE"
            \builtin return 0
            ;;
    esac
    \builtin local __hat_now __hat_left __hat_m
    __hat_clock
    __hat_left=$((HAT_EXPIRES - __hat_now))
    if ((__hat_left <= 0)); then
        \builtin printf '%s expired' "$HAT_PROFILE"
    elif ((__hat_left < 60)); then
        \builtin printf '%s %ss' "$HAT_PROFILE" "$__hat_left"
    elif ((__hat_left < 3600)); then
        \builtin printf '%s %sm' "$HAT_PROFILE" "$((__hat_left / 60))"
    else
        __hat_m=$((__hat_left % 3600 / 60))
        ((__hat_m >= 10)) || __hat_m="0$__hat_m"
        \builtin printf '%s %sh%sm' "$HAT_PROFILE" "$((__hat_left / 3600))" "$__hat_m"
    fi
}

# Auto re-assume (opt-in): before a command runs, if the credentials expire within
# HAT_AUTO_REASSUME_MARGIN seconds (default 300), assume the same profile again,
# quietly. Once per prompt at most, and `$?` is left as it was.
function __hat_reassume {
    \builtin local __hat_status=$?
    if \builtin test "${__hat_armed:-}" = 1; then
        __hat_armed=
        if \builtin test "${HAT_AUTO_REASSUME:-1}" != 0 && \builtin test -n "${HAT_PROFILE:-}"; then
            case ${HAT_EXPIRES:-x} in
                *[!0-9]*) ;;
                *)
                    \builtin local __hat_now
                    __hat_clock
                    if ((HAT_EXPIRES - __hat_now <= ${HAT_AUTO_REASSUME_MARGIN:-300})); then
                        {{cmd}} --quiet "$HAT_PROFILE" || \builtin true
                    fi
                    ;;
            esac
        fi
    fi
    \builtin return "$__hat_status"
}

# The DEBUG trap fires before every simple command; arming it at each prompt and
# disarming it on the first fire makes it a pre-command hook that runs once.
function __hat_arm {
    __hat_armed=1
}

# `trap -- 'CMD' DEBUG` (as `trap -p` prints it) -> CMD
function __hat_trap_command {
    \builtin eval "\builtin set -- $1"
    \builtin printf '%s' "$3"
}

if \builtin test "${HAT_AUTO_REASSUME:-{{auto}}}" = 1; then
    case ";${PROMPT_COMMAND:-};" in
        *";__hat_arm;"*) ;;
        *) PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND;}__hat_arm" ;;
    esac
    # Another DEBUG trap (bash-preexec, a prompt's timer) keeps running, before ours.
    __hat_debug_trap=$(\builtin trap -p DEBUG)
    case $__hat_debug_trap in
        *__hat_reassume*) ;;
        '') \builtin trap '__hat_reassume' DEBUG ;;
        *) \builtin trap -- "$(__hat_trap_command "$__hat_debug_trap"); __hat_reassume" DEBUG ;;
    esac
    \builtin unset __hat_debug_trap
fi

# Profile names complete after `{{cmd}}`.
function __hat_complete {
    \builtin local __hat_word=${COMP_WORDS[COMP_CWORD]}
    case $__hat_word in
        -*) COMPREPLY=() ;;
        *)
            \builtin local __hat_name IFS=$'\n'
            COMPREPLY=()
            while \builtin read -r __hat_name; do
                COMPREPLY+=("$__hat_name")
            done < <(\builtin compgen -W "$(\command {{bin}} list --names 2>/dev/null)" -- "$__hat_word")
            ;;
    esac
}
\builtin complete -F __hat_complete {{cmd}} 2>/dev/null || \builtin true
