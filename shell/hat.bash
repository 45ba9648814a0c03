# hat: shell integration for bash. Load it from ~/.bashrc with:
#
#     eval "$(hat init bash)"
#
# `{{cmd}} PROFILE` runs hat, which prints the exports for that profile's role, and
# evaluates them only when hat succeeds. It returns hat's exit status. Anything hat
# says to you goes to stderr; prompts (an MFA code) go to the terminal.

# An alias with the same name would be expanded in a `name() {` definition and
# break it; the `function` keyword is not subject to alias expansion, and the
# alias itself would shadow the function, so it goes.
\builtin unalias {{cmd}} 2>/dev/null || \builtin true
function {{cmd}} {
    \builtin local __hat_out __hat_status=0
    # ${1+"$@"}: bash 3.2 (macOS) treats a bare "$@" as unbound under `set -u`.
    __hat_out="$(\command {{bin}} assume --shell bash ${1+"$@"})" || __hat_status=$?
    if \builtin test "$__hat_status" -eq 0 && \builtin test -n "$__hat_out"; then
        \builtin eval "$__hat_out"
    fi
    \builtin return "$__hat_status"
}
