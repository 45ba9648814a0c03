# hat: shell integration for zsh. Load it from ~/.zshrc (after compinit, for the
# completions) with:
#
#     eval "$(hat init zsh)"
#
# `{{cmd}} PROFILE` runs hat, which prints the exports for that profile's role, and
# evaluates them only when hat succeeds. It returns hat's exit status (with --exec,
# the command's, once hat has succeeded; hat's own failure runs nothing and says
# `hat: error:` on stderr). Anything hat
# says to you goes to stderr; prompts (an MFA code, the profile picker) go to the
# terminal. `{{cmd}}` alone, or a name that is not a profile, opens the picker.

# Which wrapper this shell loaded, for `hat doctor` (a child process cannot see
# functions): the shell and a digest of this file.
\builtin export HAT_SHELL_INIT='zsh:{{version}}'

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
    __hat_out="$(\command {{bin}} assume --shell zsh{{assume_flags}} "$@")" || __hat_status=$?
    if \builtin test "$__hat_status" -eq 0 && \builtin test -n "$__hat_out"; then
        # The status of what hat printed: 0 for exports, the command's for --exec.
        \builtin eval "$__hat_out" || __hat_status=$?
        if \builtin test -n "$__hat_before" && \builtin test "${HAT_PROFILE:-}" != "$__hat_before"; then
            __hat_previous=$__hat_before
        fi
    fi
    \builtin return "$__hat_status"
}

# $EPOCHSECONDS comes with the zsh/datetime module: a builtin clock, no `date`.
\builtin zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null || \builtin true

# `prod 42m`, `prod 1h05m`, `prod expired`, or nothing when no role is on: for PROMPT,
#     setopt prompt_subst; PROMPT='$(__hat_prompt) %# '
# It runs no command: only the HAT_ variables and the shell's clock.
function __hat_prompt {
    \builtin test -n "${HAT_PROFILE:-}" || \builtin return 0
    case ${HAT_EXPIRES:-x} in
        (*[!0-9]*)
            \builtin print -rn -- "$HAT_PROFILE"
            \builtin return 0
            ;;
    esac
    \builtin local -i __hat_left=$((HAT_EXPIRES - EPOCHSECONDS))
    if ((__hat_left <= 0)); then
        \builtin print -rn -- "$HAT_PROFILE expired"
    elif ((__hat_left < 60)); then
        \builtin print -rn -- "$HAT_PROFILE ${__hat_left}s"
    elif ((__hat_left < 3600)); then
        \builtin print -rn -- "$HAT_PROFILE $((__hat_left / 60))m"
    else
        \builtin print -rn -- "$HAT_PROFILE $((__hat_left / 3600))h${(l:2::0:)$((__hat_left % 3600 / 60))}m"
    fi
}

# Auto re-assume (opt-in): before a command runs (preexec, once per command line),
# if the credentials expire within HAT_AUTO_REASSUME_MARGIN seconds (default 300),
# assume the same profile again, quietly. `$?` is left as it was.
function __hat_reassume {
    \builtin local __hat_status=$?
    if \builtin test "${HAT_AUTO_REASSUME:-1}" != 0 && \builtin test -n "${HAT_PROFILE:-}"; then
        case ${HAT_EXPIRES:-x} in
            (*[!0-9]*) ;;
            (*)
                if ((HAT_EXPIRES - EPOCHSECONDS <= ${HAT_AUTO_REASSUME_MARGIN:-300})); then
                    {{cmd}} --quiet "$HAT_PROFILE" || \builtin true
                fi
                ;;
        esac
    fi
    \builtin return $__hat_status
}

if \builtin test "${HAT_AUTO_REASSUME:-{{auto}}}" = 1; then
    \builtin typeset -ga preexec_functions
    if ((! ${preexec_functions[(I)__hat_reassume]})); then
        preexec_functions+=(__hat_reassume)
    fi
fi

# Profile names complete after `{{cmd}}` (needs compinit loaded first).
function __hat_complete {
    \builtin compadd -- ${(f)"$(\command {{bin}} list --names 2>/dev/null)"}
}
if (($+functions[compdef])); then
    compdef __hat_complete {{cmd}}
fi
