//! hat's own `credential_process` line (`hat credential-process --profile NAME`): how
//! `hat keys` writes it and how resolving a profile recognises it, which means "this
//! profile's long-term keys are in hat's key store". Kept apart from [`crate::keys`]
//! so that resolving a profile does not depend on the store.

/// The `credential_process` line that sends every SDK to hat for `profile`'s keys.
pub fn line(program: &str, profile: &str) -> String {
    format!("{program} credential-process --profile {profile}")
}

/// The program named in the credential_process line: plain `hat` when PATH finds this
/// very binary (the line then survives upgrades and reinstalls that move the binary,
/// as Granted's `granted credential-process` line does), else this binary's absolute
/// path, so the line works even where PATH would not find hat.
pub fn program(env: &crate::env::Env) -> String {
    let Ok(me) = std::env::current_exe().and_then(|p| p.canonicalize()) else {
        return "hat".into();
    };
    let on_path = env.get("PATH").and_then(|paths| {
        std::env::split_paths(paths)
            .map(|dir| dir.join(if cfg!(windows) { "hat.exe" } else { "hat" }))
            .find(|p| p.is_file())
    });
    match on_path.and_then(|p| p.canonicalize().ok()) {
        Some(found) if found == me => "hat".into(),
        _ => shell_word(&me.to_string_lossy()),
    }
}

/// Whether `command` (a profile's credential_process) is hat answering for `profile`
/// itself: `hat credential-process --profile NAME` with NAME the profile's own name, by
/// any path to a binary named hat. That line means "my keys are in hat's store"; any
/// other command, or another profile's name, is an ordinary credential_process.
pub fn is_own_line(command: &str, profile: &str) -> bool {
    // botocore splits credential_process with POSIX shell rules; so does shlex.
    let Some(words) = shlex::split(command) else {
        return false;
    };
    let [program, sub, rest @ ..] = words.as_slice() else {
        return false;
    };
    let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let named_hat = base == "hat" || base.eq_ignore_ascii_case("hat.exe");
    let name = match rest {
        [flag, name] if flag == "--profile" => name.as_str(),
        [one] => match one.strip_prefix("--profile=") {
            Some(name) => name,
            None => return false,
        },
        _ => return false,
    };
    named_hat && sub == "credential-process" && name == profile
}

/// `word` as a POSIX shell word: as it is when nothing in it is special, else quoted
/// (a path with spaces).
pub fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@,".contains(c))
    {
        word.to_string()
    } else {
        crate::emit::Shell::Sh.quote(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hat_recognises_its_own_line_only_for_the_same_profile() {
        assert!(is_own_line("hat credential-process --profile work", "work"));
        assert!(is_own_line(
            "/usr/local/bin/hat credential-process --profile=work",
            "work"
        ));
        assert!(is_own_line(
            "'/Users/me/my tools/hat' credential-process --profile work",
            "work"
        ));
        assert!(!is_own_line(
            "hat credential-process --profile prod",
            "work"
        ));
        assert!(!is_own_line(
            "hat credential-process --profile work --no-cache",
            "work"
        ));
        assert!(!is_own_line(
            "granted credential-process --profile work",
            "work"
        ));
        assert!(!is_own_line(
            "hatter credential-process --profile work",
            "work"
        ));
    }

    #[test]
    fn shell_words_round_trip_through_the_splitter() {
        for path in [
            "hat",
            "/opt/hat/bin/hat",
            "/Users/me/my tools/hat",
            "/a'b/hat",
        ] {
            let line = line(&shell_word(path), "p");
            assert_eq!(shlex::split(&line).unwrap()[0], path, "{line}");
            assert!(is_own_line(&line, "p"), "{line}");
        }
    }
}
