//! What hat hands to the shell, as data: a list of variables to set (`Some`) or unset
//! (`None`), turned into code by one escaper per shell. Nushell cannot evaluate text,
//! so for it the same data stays data: JSON lines its wrapper parses and applies with
//! `hide-env` and `load-env`. Nothing here knows about AWS beyond the names of the
//! variables hat manages and which credential field goes in which ([`Exports::role`]).

pub mod init;

use crate::clock;
use crate::creds::Credentials;
use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    /// Any POSIX shell (sh, dash, ksh): the same code as bash and zsh.
    Sh,
    /// Nushell: JSON lines for its function to apply, never code
    #[value(alias = "nushell")]
    Nu,
}

impl Shell {
    /// Quotes `value` so the shell reads it back byte for byte and expands nothing.
    pub fn quote(self, value: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh | Shell::Sh => quote_posix(value),
            Shell::Fish => quote_fish(value),
            Shell::Nu => quote_nu(value),
        }
    }

    /// Code that prints `text` and a newline on the shell's stdout, for answers the
    /// shell function should show rather than evaluate (`assume -c --url`); for
    /// nushell, a `{"print": text}` line.
    pub fn print_line(self, text: &str) -> String {
        match self {
            Shell::Nu => json_line(&serde_json::json!({ "print": text })),
            _ => format!("printf '%s\\n' {}\n", self.quote(text)),
        }
    }
}

/// Every variable hat sets. Each assume starts by clearing all of them, so nothing from
/// the previous role survives; `--unset` clears them and sets nothing.
pub const MANAGED: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    // Legacy name some old tools still read; hat never sets it, but a stale one would
    // pair an old token with new keys.
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "HAT_PROFILE",
    "HAT_EXPIRES",
    // awsume's names, for prompts written for it: set only on request
    // ([`Exports::awsume`]), and always cleared, so a value awsume left in the shell
    // never names the previous role.
    "AWSUME_PROFILE",
    "AWSUME_EXPIRATION",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exports {
    vars: Vec<(&'static str, Option<String>)>,
}

impl Exports {
    /// Everything a shell (or a child process) needs to act as `profile`: the
    /// credentials, the profile's names, the region and the expiry, after clearing
    /// whatever the previous role left.
    pub fn role(profile: &str, region: Option<&str>, creds: &Credentials) -> Exports {
        let mut e = Exports::cleared();
        e.set("AWS_ACCESS_KEY_ID", &creds.access_key_id)
            .set("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key)
            .set("AWS_PROFILE", profile)
            .set("HAT_PROFILE", profile);
        if let Some(token) = &creds.session_token {
            e.set("AWS_SESSION_TOKEN", token);
        }
        if let Some(region) = region {
            e.set("AWS_REGION", region)
                .set("AWS_DEFAULT_REGION", region);
        }
        if let Some(expiration) = creds.expiration {
            let stamp = clock::to_rfc3339(expiration);
            e.set("AWS_CREDENTIAL_EXPIRATION", &stamp)
                .set("AWS_SESSION_EXPIRATION", stamp)
                .set("HAT_EXPIRES", expiration.to_string());
        }
        e
    }

    /// Also awsume's variables, from the ones already set: `AWSUME_PROFILE` is the
    /// profile, `AWSUME_EXPIRATION` the expiry as awsume writes it, the local wall-clock
    /// time in `zone` without an offset (`2026-08-22T19:30:00`); none for keys that do
    /// not expire, as in awsume.
    pub fn awsume(&mut self, zone: &clock::LocalZone) -> &mut Self {
        if let Some(profile) = self.get("HAT_PROFILE").map(str::to_string) {
            self.set("AWSUME_PROFILE", profile);
        }
        if let Some(epoch) = self.get("HAT_EXPIRES").and_then(|e| e.parse::<i64>().ok()) {
            self.set("AWSUME_EXPIRATION", zone.wall_clock(epoch));
        }
        self
    }

    /// Every managed variable, unset.
    pub fn cleared() -> Self {
        Exports {
            vars: MANAGED.iter().map(|name| (*name, None)).collect(),
        }
    }

    /// Sets a managed variable (panics on a name hat does not manage: a programming error).
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        let slot = self
            .vars
            .iter_mut()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("{name} is not a variable hat manages"));
        slot.1 = Some(value.into());
        self
    }

    /// Leaves a managed variable unset (cleared in the shell).
    pub fn unset(&mut self, name: &str) -> &mut Self {
        if let Some(slot) = self.vars.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = None;
        }
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// The whole answer as code for `shell`: unsets first, then exports. For nushell,
    /// one JSON line: `{"unset": [NAME...], "set": {NAME: value...}}`.
    pub fn render(&self, shell: Shell) -> String {
        if shell == Shell::Nu {
            return self.render_nu();
        }
        let mut out = String::new();
        for (name, _) in self.vars.iter().filter(|(_, v)| v.is_none()) {
            match shell {
                // `set -e` of a variable that is not set fails; the wrappers return
                // the status of this code (for --exec), so clearing never fails.
                Shell::Fish => out.push_str(&format!("set -e {name}; or true\n")),
                _ => out.push_str(&format!("unset {name}\n")),
            }
        }
        for (name, value) in &self.vars {
            let Some(value) = value else { continue };
            let quoted = shell.quote(value);
            match shell {
                Shell::Fish => out.push_str(&format!("set -gx {name} {quoted}\n")),
                _ => out.push_str(&format!("export {name}={quoted}\n")),
            }
        }
        out
    }

    /// Code that runs `command` (a command line for `sh -c`, as Granted's `--exec`
    /// runs it) with these variables, leaving the shell's own as they were: a subshell
    /// in POSIX shells, a block with `set -lx` in fish (what it clears goes through
    /// `env -u`, which sees no values). None for nushell, whose function applies data
    /// and runs no code.
    pub fn run_command(&self, shell: Shell, command: &str) -> Option<String> {
        let cleared: Vec<&str> = self
            .vars
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| *name)
            .collect();
        let sh_c = format!("sh -c {}", shell.quote(command));
        match shell {
            Shell::Nu => None,
            Shell::Fish => {
                let mut out = String::from("begin\n");
                for (name, value) in &self.vars {
                    if let Some(value) = value {
                        out.push_str(&format!("set -lx {name} {}\n", shell.quote(value)));
                    }
                }
                let unset: String = cleared.iter().map(|n| format!("-u {n} ")).collect();
                out.push_str(&format!("command env {unset}{sh_c}\nend\n"));
                Some(out)
            }
            _ => Some(format!("(\n{}\\command {sh_c}\n)\n", self.render(shell))),
        }
    }

    fn render_nu(&self) -> String {
        let unset: Vec<&str> = self
            .vars
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| *name)
            .collect();
        let set: serde_json::Map<String, serde_json::Value> = self
            .vars
            .iter()
            .filter_map(|(name, v)| Some((name.to_string(), v.as_deref()?.into())))
            .collect();
        json_line(&serde_json::json!({ "unset": unset, "set": set }))
    }
}

/// One JSON value on one line: serde_json escapes newlines inside strings, so a value
/// can never start a second record.
fn json_line(value: &serde_json::Value) -> String {
    let mut line = value.to_string();
    line.push('\n');
    line
}

/// A nushell double-quoted string: only backslash escapes are special inside it (`$`
/// and parentheses interpolate only in `$"..."`), so backslashes, `"` and control
/// characters are escaped and everything else is itself.
fn quote_nu(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// POSIX single quotes: nothing inside is special; a `'` is closed, escaped, reopened.
fn quote_posix(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// fish single quotes: only `\\` and `\'` are escapes inside them.
fn quote_fish(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quoting() {
        assert_eq!(quote_posix(""), "''");
        assert_eq!(quote_posix("a'b"), "'a'\\''b'");
        assert_eq!(quote_posix("$(x) `y` \\ \"z\"\n"), "'$(x) `y` \\ \"z\"\n'");
    }

    #[test]
    fn fish_quoting() {
        assert_eq!(quote_fish(""), "''");
        assert_eq!(quote_fish("a'b\\c"), "'a\\'b\\\\c'");
        assert_eq!(quote_fish("$x (y)"), "'$x (y)'");
    }

    #[test]
    fn nu_quoting() {
        assert_eq!(quote_nu(""), "\"\"");
        assert_eq!(quote_nu("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote_nu("$x (y) 'z'"), "\"$x (y) 'z'\"");
        assert_eq!(quote_nu("a\nb\u{1b}"), "\"a\\nb\\u{1b}\"");
    }

    #[test]
    fn nu_gets_one_json_record_a_line_never_code() {
        let mut e = Exports::cleared();
        e.set("AWS_PROFILE", "two\nlines \"q\"")
            .set("HAT_PROFILE", "p");
        let nu = e.render(Shell::Nu);
        assert_eq!(nu.lines().count(), 1, "{nu}");
        let record: serde_json::Value = serde_json::from_str(&nu).unwrap();
        assert_eq!(record["set"]["AWS_PROFILE"], "two\nlines \"q\"");
        assert_eq!(record["set"].as_object().unwrap().len(), 2);
        let unset = record["unset"].as_array().unwrap();
        assert_eq!(unset.len(), MANAGED.len() - 2);
        assert!(unset.contains(&"AWS_REGION".into()));
        let url = Shell::Nu.print_line("https://x/?a='b'");
        assert_eq!(url, "{\"print\":\"https://x/?a='b'\"}\n");
    }

    #[test]
    fn render_clears_then_sets() {
        let mut e = Exports::cleared();
        e.set("AWS_PROFILE", "p").set("HAT_PROFILE", "p");
        let bash = e.render(Shell::Bash);
        assert!(bash.starts_with("unset AWS_ACCESS_KEY_ID\n"), "{bash}");
        assert!(
            bash.ends_with("export AWS_PROFILE='p'\nexport HAT_PROFILE='p'\n"),
            "{bash}"
        );
        let fish = e.render(Shell::Fish);
        assert!(
            fish.contains("set -e AWS_REGION; or true\n")
                && fish.contains("set -gx AWS_PROFILE 'p'\n")
        );
        assert_eq!(e.get("AWS_PROFILE"), Some("p"));
        assert_eq!(e.get("AWS_REGION"), None);
    }

    #[test]
    fn awsume_variables_follow_the_profile_and_expiry_in_local_time() {
        let creds = Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: Some("token".into()),
            expiration: Some(1_787_419_800),
        };
        let plain = Exports::role("prod", None, &creds);
        assert_eq!(plain.get("AWSUME_PROFILE"), None, "only on request");
        let bash = plain.render(Shell::Bash);
        assert!(
            bash.contains("unset AWSUME_PROFILE\nunset AWSUME_EXPIRATION\n"),
            "{bash}"
        );

        let mut with = Exports::role("prod", None, &creds);
        with.awsume(&clock::LocalZone::from_tz(Some("IST-5:30")));
        assert_eq!(with.get("AWSUME_PROFILE"), Some("prod"));
        assert_eq!(with.get("AWSUME_EXPIRATION"), Some("2026-08-22T23:00:00"));

        let keys = Credentials {
            expiration: None,
            session_token: None,
            ..creds
        };
        let mut long_term = Exports::role("base", None, &keys);
        long_term.awsume(&clock::LocalZone::from_tz(Some("UTC0")));
        assert_eq!(long_term.get("AWSUME_PROFILE"), Some("base"));
        assert_eq!(long_term.get("AWSUME_EXPIRATION"), None);
    }

    #[test]
    fn print_line_quotes_for_each_shell() {
        assert_eq!(Shell::Bash.print_line("a'b"), "printf '%s\\n' 'a'\\''b'\n");
        assert_eq!(Shell::Fish.print_line("a'b"), "printf '%s\\n' 'a\\'b'\n");
    }

    #[test]
    #[should_panic(expected = "not a variable hat manages")]
    fn unmanaged_names_are_refused() {
        Exports::cleared().set("PATH", "/evil");
    }

    #[test]
    fn run_command_sets_the_variables_for_the_command_only() {
        let mut e = Exports::cleared();
        e.set("AWS_ACCESS_KEY_ID", "AK'1").set("HAT_PROFILE", "p");
        let posix = e.run_command(Shell::Bash, "echo 'a b'").unwrap();
        assert!(
            posix.starts_with("(\nunset AWS_SECRET_ACCESS_KEY\n"),
            "{posix}"
        );
        assert!(
            posix.contains(r#"export AWS_ACCESS_KEY_ID='AK'\''1'"#),
            "{posix}"
        );
        assert!(
            posix.ends_with("\\command sh -c 'echo '\\''a b'\\'''\n)\n"),
            "{posix}"
        );
        let fish = e.run_command(Shell::Fish, "echo 'a b'").unwrap();
        assert!(
            fish.starts_with("begin\nset -lx AWS_ACCESS_KEY_ID 'AK\\'1'\n"),
            "{fish}"
        );
        assert!(
            fish.contains("command env -u AWS_SECRET_ACCESS_KEY "),
            "{fish}"
        );
        assert!(!fish.contains("set -gx"), "{fish}");
        assert!(fish.ends_with("sh -c 'echo \\'a b\\''\nend\n"), "{fish}");
        assert_eq!(e.run_command(Shell::Nu, "x"), None);
    }
}
