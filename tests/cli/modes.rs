//! Private files whatever the umask (issue 12): every command that writes runs under
//! `umask 000`, and every directory hat created is 0700 and every file it wrote 0600
//! (credentials cache and locks, picker history, SSO tokens and registrations, exports,
//! the keys file and index, the console's browser profile directories).

use crate::support::fake_federation::FakeFederation;
use crate::support::fake_sso::{FakeSso, Options};
use crate::support::{CHAIN_CONFIG, Run, Sandbox, moto};
use std::collections::HashMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What the test's own peers write (a browser's log): not hat's files.
const PEER_FILES: [&str; 2] = ["browser.log", "browser-record"];

/// `run`, started by `sh` after `umask 000`.
fn under_umask_000(mut run: Run) -> Run {
    let mut args = vec![
        "-c".to_string(),
        "umask 000 && exec \"$@\"".to_string(),
        "sh".to_string(),
        run.program.display().to_string(),
    ];
    args.append(&mut run.args);
    run.program = "/bin/sh".into();
    run.args = args;
    run
}

/// Every path under the sandbox: (is a directory, inode, length, mtime in ns).
type Snapshot = HashMap<PathBuf, (bool, u64, u64, i128)>;

fn snapshot(root: &Path) -> Snapshot {
    let mut out = HashMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path.clone());
            }
            let mtime = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
            out.insert(path, (meta.is_dir(), meta.ino(), meta.len(), mtime));
        }
    }
    out
}

/// Runs `run` under `umask 000` and checks what it created or rewrote under the
/// sandbox; returns the paths it checked, for the caller to expect some.
#[track_caller]
fn run_private(sb: &Sandbox, run: Run) -> Vec<PathBuf> {
    let before = snapshot(sb.root());
    under_umask_000(run).run().success();
    let after = snapshot(sb.root());
    let mut checked = Vec::new();
    let mut loose = Vec::new();
    for (path, &(dir, ino, len, mtime)) in &after {
        let name = path.file_name().unwrap().to_string_lossy();
        if PEER_FILES.contains(&name.as_ref()) {
            continue;
        }
        let touched = match before.get(path) {
            None => true,
            // A directory that was there is the user's: only its new entries count.
            Some(_) if dir => false,
            Some(&(_, ino0, len0, mtime0)) => (ino0, len0, mtime0) != (ino, len, mtime),
        };
        if !touched {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o777;
        let want = if dir { 0o700 } else { 0o600 };
        if mode != want {
            loose.push(format!("{:o} {}", mode, path.display()));
        }
        checked.push(path.clone());
    }
    loose.sort();
    assert!(
        loose.is_empty(),
        "created with a loose mode under umask 000:\n{}",
        loose.join("\n")
    );
    checked
}

#[track_caller]
fn expect(checked: &[PathBuf], sb: &Sandbox, relative: &str) {
    let path = sb.path(relative);
    assert!(
        checked.contains(&path),
        "{} was not written; checked {checked:#?}",
        path.display()
    );
}

#[test]
fn assume_writes_the_cache_locks_and_history_privately_under_umask_000() {
    let sb = Sandbox::new();
    sb.config(CHAIN_CONFIG);
    let checked = run_private(&sb, sb.assume(&["c"]).sts(moto::url()));
    for dir in [
        "home/.cache",
        "home/.cache/hat",
        "home/.cache/hat/credentials",
        "home/.local",
        "home/.local/state",
        "home/.local/state/hat",
        "home/.local/state/hat/frecency",
    ] {
        expect(&checked, &sb, dir);
    }
    assert!(
        checked
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "lock")),
        "no lock file among {checked:#?}"
    );
    assert_eq!(sb.cached().len(), 3, "one entry per hop");
    // The cached path appends to the history: still private.
    run_private(&sb, sb.assume(&["c"]).sts(moto::url()));
}

#[test]
fn an_xdg_state_home_that_hat_creates_is_private_under_umask_000() {
    let sb = Sandbox::new();
    sb.config(CHAIN_CONFIG);
    let state = sb.path("xdg-state");
    let checked = run_private(
        &sb,
        sb.assume(&["a"])
            .sts(moto::url())
            .env("XDG_STATE_HOME", state.to_str().unwrap()),
    );
    expect(&checked, &sb, "xdg-state/hat");
    expect(&checked, &sb, "xdg-state/hat/frecency");
}

/// A `$BROWSER` that follows the authorization page back to hat's callback.
fn sso_browser(sb: &Sandbox) -> String {
    let log = sb.path("browser.log");
    let path = sb.write(
        "bin/browser",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\ncase \"$1\" in *'/authorize?'*) curl -s -L -o /dev/null \"$1\" ;; esac\n",
            log.display()
        ),
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn sso_login_and_its_role_credentials_are_private_under_umask_000() {
    let sb = Sandbox::new();
    sb.config(
        "[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-central-1
",
    );
    let fake = FakeSso::start(Options::default());
    let with_fake = |run: Run| {
        run.env("AWS_ENDPOINT_URL_SSO_OIDC", &fake.url)
            .env("AWS_ENDPOINT_URL_SSO", &fake.url)
            .env("BROWSER", &sso_browser(&sb))
    };
    let checked = run_private(
        &sb,
        with_fake(sb.hat(&["sso", "login", "--sso-session", "corp"])),
    );
    expect(&checked, &sb, "home/.aws/sso");
    expect(&checked, &sb, "home/.aws/sso/cache");
    let tokens = checked
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .count();
    assert_eq!(tokens, 2, "a token and a registration: {checked:#?}");
    let checked = run_private(&sb, with_fake(sb.assume(&["dev"])));
    expect(&checked, &sb, "home/.cache/hat/sso-role-credentials");
    assert_eq!(sb.cached().len(), 1);
}

#[test]
fn exports_to_files_are_private_under_umask_000() {
    let sb = Sandbox::new();
    sb.config(CHAIN_CONFIG);
    let checked = run_private(
        &sb,
        sb.hat(&["export", "c", "--format", "dotenv"])
            .sts(moto::url()),
    );
    expect(&checked, &sb, ".env");
    let checked = run_private(
        &sb,
        sb.hat(&[
            "export",
            "c",
            "--format",
            "dotenv",
            "--output",
            "sub/ci.env",
        ])
        .sts(moto::url()),
    );
    expect(&checked, &sb, "sub");
    expect(&checked, &sb, "sub/ci.env");
    let file = sb.path("aws/credentials");
    let checked = run_private(
        &sb,
        sb.hat(&[
            "export",
            "c",
            "--format",
            "credentials",
            "--profile-name",
            "c-hat",
        ])
        .sts(moto::url())
        .env("AWS_SHARED_CREDENTIALS_FILE", file.to_str().unwrap()),
    );
    expect(&checked, &sb, "aws");
    expect(&checked, &sb, "aws/credentials");
}

#[test]
fn the_keys_file_backend_and_import_are_private_under_umask_000() {
    let sb = Sandbox::new();
    sb.credentials(
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    let checked = run_private(
        &sb,
        sb.hat(&["keys", "import", "base"])
            .env("HAT_KEYS_BACKEND", "file")
            .env("HAT_KEYS_PASSPHRASE", "pass phrase")
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"),
    );
    expect(&checked, &sb, "home/.local/state/hat");
    expect(&checked, &sb, "home/.local/state/hat/keys.enc");
    // The rewritten credentials file (the user's own) is replaced privately too.
    expect(&checked, &sb, "home/.aws/credentials");
}

#[test]
fn console_browser_profile_directories_are_private_under_umask_000() {
    let sb = Sandbox::new();
    sb.config(CHAIN_CONFIG);
    let fed = FakeFederation::start();
    let record = sb.path("browser-record");
    let chrome = sb.write(
        "bin/fake-chrome",
        &format!("#!/bin/sh\necho \"$@\" >> '{}'\n", record.display()),
    );
    std::fs::set_permissions(&chrome, std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.write(
        "home/.config/hat/config.toml",
        &format!(
            "[console]\nbrowser = \"chrome\"\nbrowser_path = \"{}\"\n",
            chrome.display()
        ),
    );
    let checked = run_private(
        &sb,
        sb.hat(&["console", "a", "-s", "s3"])
            .sts(moto::url())
            .env("HAT_FEDERATION_ENDPOINT", &fed.url),
    );
    for dir in [
        "home/.local/state/hat/browser-profiles",
        "home/.local/state/hat/browser-profiles/chrome",
        "home/.local/state/hat/browser-profiles/chrome/a",
    ] {
        expect(&checked, &sb, dir);
    }
}
