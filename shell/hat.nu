# hat: shell integration for nushell. nushell cannot evaluate text, so this script is
# saved where nushell sources it at every start, by one line at the end of config.nu
# (`$nu.config-path`):
#
#     mkdir ($nu.data-dir | path join "vendor/autoload"); hat init nu | save -f ($nu.data-dir | path join "vendor/autoload/hat.nu")
#
# `{{cmd}} PROFILE` runs hat, which answers with data, never code: JSON lines naming
# the variables to unset and the values to set, or text to print (`{{cmd}} -c --url`).
# They are applied only when hat succeeds; when it fails, `{{cmd}}` fails as any
# external command does, with hat's status in $env.LAST_EXIT_CODE, and changes
# nothing. Anything hat says to you goes to stderr; prompts (an MFA code, the profile
# picker) go to the terminal. `{{cmd}}` alone, or a name that is not a profile, opens
# the picker.

# Profile names complete after `{{cmd}}` (none for a word that starts a flag).
# Tells `hat doctor` (a child of this shell) that this function is loaded, and which
# version of it.
$env.HAT_SHELL_INIT = "nu:{{version}}"

def __hat_complete [context: string] {
    let word = ($context | split row " " | last)
    if ($word | str starts-with "-") {
        return []
    }
    ^{{bin}} list --names | complete | get stdout | lines
}

def --env --wrapped {{cmd}} [...args: string@__hat_complete] {
    let before = ($env.HAT_PROFILE? | default "" | into string)
    # `{{cmd}} -`, like `cd -`: the profile this shell had before the current one.
    # A command cannot change a nushell variable of its caller, so it is kept in
    # $env.HAT_PREVIOUS.
    let args = if $args == ["-"] {
        let previous = ($env.HAT_PREVIOUS? | default "")
        if ($previous | is-empty) {
            error make --unspanned {msg: "no previous profile in this shell: `{{cmd}} -` goes back to the profile before the last `{{cmd}} PROFILE`"}
        }
        [$previous]
    } else {
        $args
    }
    let answer = (^{{bin}} assume --shell nu{{assume_flags}} ...$args)
    for record in ($answer | default "" | from json --objects) {
        if ($record.unset? | is-not-empty) {
            hide-env --ignore-errors ...$record.unset
        }
        if ($record.set? | is-not-empty) {
            load-env $record.set
        }
        if "print" in $record {
            print $record.print
        }
    }
    let after = ($env.HAT_PROFILE? | default "" | into string)
    if ($before | is-not-empty) and $after != $before {
        $env.HAT_PREVIOUS = $before
    }
}

# HAT_EXPIRES (or another variable's text) as epoch seconds, or null when it is not a
# plain number.
def __hat_seconds [value]: nothing -> any {
    let text = ($value | default "" | into string)
    if ($text =~ '^[0-9]{1,18}$') { $text | into int }
}

# nushell's own clock in epoch seconds: `date now` starts no process.
def __hat_now []: nothing -> int {
    (date now | into int) // 1_000_000_000
}

# `prod 42m`, `prod 1h05m`, `prod expired`, or nothing when no role is on, for a prompt:
#     $env.PROMPT_COMMAND_RIGHT = {|| __hat_prompt }
# It runs no command: only the HAT_ variables and nushell's clock. It never fails.
def __hat_prompt []: nothing -> string {
    try {
        let profile = ($env.HAT_PROFILE? | default "" | into string)
        let expires = (__hat_seconds $env.HAT_EXPIRES?)
        if ($profile | is-empty) {
            ""
        } else if $expires == null {
            $profile
        } else {
            let left = $expires - (__hat_now)
            if $left <= 0 {
                $"($profile) expired"
            } else if $left < 60 {
                $"($profile) ($left)s"
            } else if $left < 3600 {
                $"($profile) ($left // 60)m"
            } else {
                let minutes = ($left mod 3600 // 60 | fill --alignment right --width 2 --character "0")
                $"($profile) ($left // 3600)h($minutes)m"
            }
        }
    } catch {
        ""
    }
}

# Auto re-assume (opt-in): before a command line runs (a pre_execution hook, once per
# line), if the credentials expire within HAT_AUTO_REASSUME_MARGIN seconds (default
# 300), assume the same profile again, quietly. $env.LAST_EXIT_CODE is left as it was.
def --env __hat_reassume [] {
    let status = ($env.LAST_EXIT_CODE? | default 0)
    let profile = ($env.HAT_PROFILE? | default "" | into string)
    let expires = (__hat_seconds $env.HAT_EXPIRES?)
    let on = (($env.HAT_AUTO_REASSUME? | default "1" | into string) != "0")
    if $on and ($profile | is-not-empty) and $expires != null {
        let margin = (__hat_seconds $env.HAT_AUTO_REASSUME_MARGIN? | default 300)
        if $expires - (__hat_now) <= $margin {
            try { {{cmd}} --quiet $profile }
        }
    }
    $env.LAST_EXIT_CODE = $status
}

# The hook is the string "__hat_reassume", so loading this script twice adds it once.
if ($env.HAT_AUTO_REASSUME? | default "{{auto}}" | into string) == "1" {
    let hooks = ($env.config.hooks.pre_execution? | default [])
    if not ($hooks | any {|hook| $hook == "__hat_reassume" }) {
        $env.config.hooks.pre_execution = ($hooks | append "__hat_reassume")
    }
}
