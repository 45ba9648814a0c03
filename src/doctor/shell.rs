//! The shell function: is it loaded in the shell doctor runs from, is it the wrapper
//! this binary prints, does the user's rc file load it, and does nothing (Granted's
//! `alias assume="source assume"`, above all) replace it after it is defined.

use super::{Finding, show};
use crate::emit::{Shell, init};
use crate::env::Env;
use std::path::PathBuf;

const CHECK: &str = "shell";

pub fn check(env: &Env) -> Vec<Finding> {
    let loaded = env.get(init::LOADED_VAR).and_then(|v| v.split_once(':'));
    let shell = loaded.and_then(|(name, _)| parse_shell(name)).or_else(|| {
        env.get("SHELL")
            .and_then(|s| s.rsplit('/').next())
            .and_then(parse_shell)
    });
    let Some(shell) = shell else {
        return vec![Finding::note(
            CHECK,
            "SHELL names no shell hat has a function for (bash, zsh, fish, nu)",
            Some(
                "in another POSIX shell, wrap `eval \"$(hat assume --shell sh PROFILE)\"` in a function".into(),
            ),
        )];
    };
    let name = shell_name(shell);
    let mut findings = Vec::new();
    let rc = find_init_line(env, shell);
    match (loaded, &rc) {
        (Some((_, version)), _) if Some(version.to_string()) == init::version(shell) => {
            findings.push(Finding::ok(
                CHECK,
                format!("the {name} function is loaded and current"),
            ));
        }
        (Some(_), _) => findings.push(Finding::warn(
            CHECK,
            format!("this shell loaded the {name} function of another hat version"),
            format!(
                "open a new shell, or run `{}` in this one",
                init_line(shell)
            ),
        )),
        (None, Some(found)) => findings.push(Finding::warn(
            CHECK,
            format!(
                "{} loads hat (line {}), but the shell doctor runs from has not loaded it",
                show(env, &found.path),
                found.line
            ),
            "open a new shell".to_string(),
        )),
        (None, None) => findings.push(Finding::fail(
            CHECK,
            format!("the {name} function is not set up: `assume` cannot change this shell"),
            format!(
                "add `{}` to {} and open a new shell",
                init_line(shell),
                show(env, &rc_files(env, shell)[0])
            ),
        )),
    }
    if let Some(found) = &rc {
        findings.extend(shadowing(env, shell, found));
    }
    if let Some(granted) = granted_on_path(env) {
        findings.push(Finding::note(
            CHECK,
            format!(
                "Granted's `assume` is also installed ({}); hat's function wins where hat's line comes last",
                show(env, &granted)
            ),
            None,
        ));
    }
    findings
}

fn parse_shell(name: &str) -> Option<Shell> {
    match name {
        "bash" => Some(Shell::Bash),
        "zsh" => Some(Shell::Zsh),
        "fish" => Some(Shell::Fish),
        "nu" | "nushell" => Some(Shell::Nu),
        _ => None,
    }
}

fn shell_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
        Shell::Fish => "fish",
        Shell::Nu => "nu",
        Shell::Sh => "sh",
    }
}

fn init_line(shell: Shell) -> String {
    match shell {
        Shell::Fish => "hat init fish | source".into(),
        Shell::Nu => "mkdir ($nu.data-dir | path join \"vendor/autoload\"); hat init nu | save -f ($nu.data-dir | path join \"vendor/autoload/hat.nu\")".into(),
        other => format!("eval \"$(hat init {})\"", shell_name(other)),
    }
}

/// The files a shell reads at start, the usual one first.
fn rc_files(env: &Env, shell: Shell) -> Vec<PathBuf> {
    let home = env.home().unwrap_or_default();
    match shell {
        Shell::Zsh => {
            let dir = env.get("ZDOTDIR").map(PathBuf::from).unwrap_or(home);
            [".zshrc", ".zprofile", ".zshenv", ".zlogin"]
                .iter()
                .map(|f| dir.join(f))
                .collect()
        }
        Shell::Fish => {
            let dir = match env.get("XDG_CONFIG_HOME") {
                Some(x) if x.starts_with('/') => PathBuf::from(x).join("fish"),
                _ => home.join(".config/fish"),
            };
            let mut files = vec![dir.join("config.fish")];
            if let Ok(entries) = std::fs::read_dir(dir.join("conf.d")) {
                let mut more: Vec<PathBuf> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "fish"))
                    .collect();
                more.sort();
                files.extend(more);
            }
            files
        }
        Shell::Nu => {
            let dir = match env.get("XDG_CONFIG_HOME") {
                Some(x) if x.starts_with('/') => PathBuf::from(x).join("nushell"),
                _ => home.join(".config/nushell"),
            };
            vec![dir.join("config.nu"), dir.join("env.nu")]
        }
        _ => [".bashrc", ".bash_profile", ".bash_login", ".profile"]
            .iter()
            .map(|f| home.join(f))
            .collect(),
    }
}

struct InitLine {
    path: PathBuf,
    line: usize,
    /// The function's name (`--cmd`, else `assume`).
    command: String,
}

/// The last line in the shell's start files that runs `hat init <shell>`.
fn find_init_line(env: &Env, shell: Shell) -> Option<InitLine> {
    let wanted = format!("init {}", shell_name(shell));
    let mut found = None;
    for path in rc_files(env, shell) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (index, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with('#') || !code.contains("hat") || !code.contains(&wanted) {
                continue;
            }
            found = Some(InitLine {
                path: path.clone(),
                line: index + 1,
                command: command_name(code).unwrap_or("assume").to_string(),
            });
        }
    }
    found
}

/// The value of `--cmd NAME` / `--cmd=NAME` on an init line.
fn command_name(line: &str) -> Option<&str> {
    let mut words = line.split(|c: char| c.is_whitespace() || c == '"' || c == ')');
    while let Some(word) = words.next() {
        if let Some(name) = word.strip_prefix("--cmd=") {
            return Some(name);
        }
        if word == "--cmd" {
            return words.find(|w| !w.is_empty());
        }
    }
    None
}

/// An alias or function of the same name defined after hat's line in the same file,
/// which replaces hat's function (Granted's setup adds `alias assume="source assume"`).
fn shadowing(env: &Env, shell: Shell, init: &InitLine) -> Option<Finding> {
    let text = std::fs::read_to_string(&init.path).ok()?;
    let name = &init.command;
    let alias = [format!("alias {name}="), format!("alias {name} ")];
    let function = match shell {
        Shell::Fish => vec![format!("function {name} "), format!("function {name}\t")],
        _ => vec![
            format!("function {name} "),
            format!("{name}()"),
            format!("{name} ()"),
        ],
    };
    text.lines()
        .enumerate()
        .skip(init.line)
        .find(|(_, line)| {
            let code = line.trim_start();
            alias.iter().chain(&function).any(|p| code.starts_with(p.as_str()))
        })
        .map(|(index, _)| {
            Finding::fail(
                CHECK,
                format!(
                    "line {} of {} redefines `{name}` after hat's line {}, so `{name}` is not hat's",
                    index + 1,
                    show(env, &init.path),
                    init.line
                ),
                "remove that line (Granted's alias, if it is one) or move hat's line below it, then open a new shell",
            )
        })
}

/// Granted's `assume` script on PATH (it sources `assumego`).
fn granted_on_path(env: &Env) -> Option<PathBuf> {
    let path = env.get("PATH")?;
    std::env::split_paths(path)
        .map(|dir| dir.join("assume"))
        .find(|candidate| {
            std::fs::read(candidate)
                .map(|bytes| {
                    let head = &bytes[..bytes.len().min(64 * 1024)];
                    String::from_utf8_lossy(head).contains("assumego")
                        || String::from_utf8_lossy(head).contains("granted")
                })
                .unwrap_or(false)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_function_name_comes_from_cmd() {
        assert_eq!(
            command_name("eval \"$(hat init zsh --cmd role)\""),
            Some("role")
        );
        assert_eq!(command_name("hat init fish --cmd=r | source"), Some("r"));
        assert_eq!(command_name("eval \"$(hat init bash)\""), None);
    }
}
