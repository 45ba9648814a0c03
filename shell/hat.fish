# hat: shell integration for fish. Load it from ~/.config/fish/config.fish with:
#
#     hat init fish | source
#
# `{{cmd}} PROFILE` runs hat, which prints the exports for that profile's role, and
# evaluates them only when hat succeeds. It returns hat's exit status. Anything hat
# says to you goes to stderr; prompts (an MFA code) go to the terminal.

function {{cmd}} --description 'hat: wear an AWS role in this shell'
    set -l __hat_out (command {{bin}} assume --shell fish $argv | string collect --no-trim-newlines)
    set -l __hat_status $pipestatus[1]
    if test $__hat_status -eq 0; and test -n "$__hat_out"
        printf '%s' $__hat_out | source
    end
    return $__hat_status
end
