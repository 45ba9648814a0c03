//! `hat init <shell>`: the thin wrapper for each shell, kept whole in `shell/` and
//! printed with the command name and the binary's absolute path filled in.

use super::Shell;
use anyhow::{Result, bail};
use std::path::Path;

const BASH: &str = include_str!("../../shell/hat.bash");
const ZSH: &str = include_str!("../../shell/hat.zsh");
const FISH: &str = include_str!("../../shell/hat.fish");
const NU: &str = include_str!("../../shell/hat.nu");

/// The variable each wrapper exports when it is loaded: `<shell>:<version>`, so
/// `hat doctor` (a child of the shell) can tell whether this shell has the function and
/// whether it is the one this binary prints.
pub const LOADED_VAR: &str = "HAT_SHELL_INIT";

/// The version of the wrapper this binary prints for `shell`: a digest of its template.
pub fn version(shell: Shell) -> Option<String> {
    use sha2::{Digest, Sha256};
    let template = template(shell)?;
    let digest = Sha256::digest(template.as_bytes());
    Some(digest[..6].iter().map(|b| format!("{b:02x}")).collect())
}

fn template(shell: Shell) -> Option<&'static str> {
    match shell {
        Shell::Bash => Some(BASH),
        Shell::Zsh => Some(ZSH),
        Shell::Fish => Some(FISH),
        Shell::Nu => Some(NU),
        Shell::Sh => None,
    }
}

pub fn script(shell: Shell, command: &str, binary: &Path) -> Result<String> {
    script_with(shell, command, binary, Options::default())
}

/// What a printed function does beyond the defaults.
#[derive(Debug, Default, Clone, Copy)]
pub struct Options {
    /// The auto re-assume hook on by default (`HAT_AUTO_REASSUME` still decides when
    /// the script is loaded: 1 on, 0 off).
    pub auto_reassume: bool,
    /// Every `assume` also exports awsume's variables (`--awsume-variables`): decided
    /// here, once per shell, so `assume` never looks the setting up.
    pub awsume_variables: bool,
}

/// [`script`], with `options`.
pub fn script_with(shell: Shell, command: &str, binary: &Path, options: Options) -> Result<String> {
    if !is_function_name(command) {
        bail!(
            "`{command}` cannot be a shell function name; use letters, digits, `_` and `-` (not first)"
        );
    }
    let Some(binary) = binary.to_str() else {
        bail!(
            "the path to hat ({}) is not valid UTF-8; install hat somewhere else",
            binary.display()
        );
    };
    let (Some(template), Some(version)) = (template(shell), version(shell)) else {
        bail!(
            "hat init supports bash, zsh, fish and nu; in another POSIX shell, run `eval \"$(hat assume --shell sh PROFILE)\"`"
        );
    };
    Ok(template
        .replace("{{version}}", &version)
        .replace("{{cmd}}", command)
        .replace("{{bin}}", &shell.quote(binary))
        .replace("{{auto}}", if options.auto_reassume { "1" } else { "0" })
        .replace(
            "{{assume_flags}}",
            if options.awsume_variables {
                " --awsume-variables"
            } else {
                ""
            },
        ))
}

fn is_function_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_name_and_quoted_path() {
        let s = script(Shell::Bash, "wear", Path::new("/opt/it's/hat")).unwrap();
        assert!(s.contains("function wear {"), "{s}");
        assert!(s.contains("'/opt/it'\\''s/hat'"), "{s}");
        assert!(!s.contains("{{"), "{s}");
        let f = script(Shell::Fish, "assume", Path::new("/bin/hat")).unwrap();
        assert!(
            f.contains("function assume") && f.contains("'/bin/hat'"),
            "{f}"
        );
        let n = script(Shell::Nu, "wear", Path::new("/opt/a \"b\"/hat")).unwrap();
        assert!(n.contains("def --env --wrapped wear ["), "{n}");
        assert!(
            n.contains("^\"/opt/a \\\"b\\\"/hat\" assume --shell nu"),
            "{n}"
        );
        assert!(!n.contains("{{"), "{n}");
    }

    #[test]
    fn awsume_variables_are_a_flag_on_every_assume_call() {
        let on = Options {
            awsume_variables: true,
            ..Options::default()
        };
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Nu] {
            let plain = script(shell, "assume", Path::new("/bin/hat")).unwrap();
            assert!(!plain.contains("awsume"), "{plain}");
            let with = script_with(shell, "assume", Path::new("/bin/hat"), on).unwrap();
            let name = shell.quote("/bin/hat");
            let call = format!(
                "{name} assume --shell {} --awsume-variables",
                match shell {
                    Shell::Bash => "bash",
                    Shell::Zsh => "zsh",
                    Shell::Fish => "fish",
                    _ => "nu",
                }
            );
            assert!(with.contains(&call), "{call} in {with}");
            assert_eq!(with.matches("--awsume-variables").count(), 1, "{with}");
        }
    }

    #[test]
    fn refuses_names_that_are_not_identifiers() {
        assert!(script(Shell::Zsh, "x;rm", Path::new("/h")).is_err());
        assert!(script(Shell::Zsh, "-x", Path::new("/h")).is_err());
        assert!(script(Shell::Zsh, "", Path::new("/h")).is_err());
    }
}
