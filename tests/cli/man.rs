//! The man pages under `man/man1/`: generated from the clap definition (the one place
//! they are made, [`pages`]), committed, and checked here to be current and to render
//! with the real `man` the way the README tells `cargo install` users to install them.
//! Regenerate with `HAT_UPDATE_MAN=1 cargo test --test cli man`.

use crate::support::{Sandbox, require};
use std::path::{Path, PathBuf};

/// `hat.1` and one page per subcommand, nested ones too (`hat-sso-login.1`), as
/// (file name, roff text). clap's own `help` subcommand gets none.
pub fn pages() -> Vec<(String, String)> {
    let mut cli = hat::cli::command_tree().disable_help_subcommand(true);
    // Building names each subcommand `hat-sso-login`, which becomes its page's title.
    cli.build();
    let mut out = Vec::new();
    collect(&cli, &mut out);
    out.sort();
    out
}

fn collect(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
    // Every page's footer names hat and its version, subcommands' too.
    let man = clap_mangen::Man::new(cmd.clone()).source(concat!("hat ", env!("CARGO_PKG_VERSION")));
    let mut page = Vec::new();
    man.render(&mut page)
        .expect("rendering into memory cannot fail");
    out.push((
        man.get_filename(),
        String::from_utf8(page).expect("man pages are UTF-8"),
    ));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out);
    }
}

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("man/man1")
}

fn committed() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(man_dir())
        .map(|dir| {
            dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".1"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn committed_man_pages_are_current() {
    let pages = pages();
    let dir = man_dir();
    if std::env::var_os("HAT_UPDATE_MAN").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for stale in committed() {
            if !pages.iter().any(|(name, _)| *name == stale) {
                std::fs::remove_file(dir.join(stale)).unwrap();
            }
        }
        for (name, text) in &pages {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let fix = "run HAT_UPDATE_MAN=1 cargo test --test cli man";
    for (name, text) in &pages {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(*text == on_disk, "man/man1/{name} is stale: {fix}");
    }
    let generated: Vec<&String> = pages.iter().map(|(name, _)| name).collect();
    for name in committed() {
        assert!(
            generated.contains(&&name),
            "man/man1/{name} is for a command hat no longer has: {fix}"
        );
    }
}

#[test]
fn every_subcommand_has_a_page_named_after_its_path() {
    let names: Vec<String> = pages().into_iter().map(|(name, _)| name).collect();
    for expected in [
        "hat.1",
        "hat-assume.1",
        "hat-sso.1",
        "hat-sso-login.1",
        "hat-keys-rotate.1",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no {expected} in {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
}

/// `man PAGE` in the sandbox, with `extra` environment; returns the rendered text.
#[track_caller]
fn man(sandbox: &Sandbox, page: &str, extra: &[(&str, String)]) -> String {
    let mut cmd = sandbox.peer("man");
    // Plain text at a fixed width, no pager: what a person reads, minus the terminal.
    cmd.args([page])
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat");
    for (name, value) in extra {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "man {page} failed ({}): {stderr}",
        out.status
    );
    // groff's warnings (a broken macro, a bad escape) would land here.
    assert!(stderr.trim().is_empty(), "man {page} warned: {stderr}");
    stdout
}

#[test]
fn man_hat_works_with_the_readmes_manpath() {
    require("man");
    let sandbox = Sandbox::new();
    // README: export MANPATH="$PWD/man:$MANPATH" from the checkout.
    let manpath = format!("{}:", man_dir().parent().unwrap().display());
    let page = man(&sandbox, "hat", &[("MANPATH", manpath.clone())]);
    assert!(
        page.contains("Wear any AWS role in your terminal"),
        "{page}"
    );
    assert!(page.contains("hat-assume(1)"), "{page}");
    let login = man(&sandbox, "hat-sso-login", &[("MANPATH", manpath)]);
    assert!(login.contains("--use-device-code"), "{login}");
}

#[test]
fn man_hat_works_after_copying_the_pages_to_local_share() {
    require("man");
    let sandbox = Sandbox::new();
    // README: cp man/man1/*.1 ~/.local/share/man/man1/ (found through ~/.local/bin on PATH).
    let target = sandbox.home().join(".local/share/man/man1");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::create_dir_all(sandbox.home().join(".local/bin")).unwrap();
    for name in committed() {
        std::fs::copy(man_dir().join(&name), target.join(&name)).unwrap();
    }
    let path = format!(
        "{}:{}",
        sandbox.home().join(".local/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let page = man(&sandbox, "hat-assume", &[("PATH", path)]);
    assert!(page.contains("hat-assume"), "{page}");
    assert!(page.contains("--mfa-token"), "{page}");
}
