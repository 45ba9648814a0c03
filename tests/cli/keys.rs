//! `hat keys` (issue 9): long-term keys in a real Secret Service (gnome-keyring on a
//! private D-Bus bus) or the encrypted file; import that keeps every other byte of
//! ~/.aws/credentials; profiles that keep working in hat and the AWS CLI; rotation
//! against moto's IAM, with a failure injected between create and delete.

use crate::support::iam_fault::IamFault;
use crate::support::keyring::Keyring;
use crate::support::{BASE_KEY_ID, BASE_SECRET, HAT, Output, Run, Sandbox, moto};
use std::path::Path;

const CHAIN: &str = "[profile a]
role_arn = arn:aws:iam::111111111111:role/a
source_profile = base

[profile b]
role_arn = arn:aws:iam::222222222222:role/b
source_profile = a

[profile c]
role_arn = arn:aws:iam::333333333333:role/c
source_profile = b
region = us-west-2
";

/// Every file under `dir` whose bytes contain `needle`.
pub(crate) fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let bytes = std::fs::read(&path).unwrap_or_default();
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    found
}

#[track_caller]
fn assert_no_secret_under_home(sandbox: &Sandbox, secret: &str) {
    let found = files_containing(&sandbox.home(), secret);
    assert!(found.is_empty(), "the secret is on disk in {found:?}");
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn add_from_env(sandbox: &Sandbox, keyring: &Keyring, profile: &str, id: &str, secret: &str) {
    keyring
        .apply(sandbox.hat(&["keys", "add", profile, "--env"]))
        .env("AWS_ACCESS_KEY_ID", id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .run()
        .success();
}

/// `aws ARGS` with the keyring's bus and moto for STS and IAM.
pub(crate) fn aws(sandbox: &Sandbox, keyring: &Keyring, args: &[&str]) -> std::process::Output {
    sandbox
        .peer("aws")
        .args(args)
        .envs(keyring.env())
        .env("AWS_ENDPOINT_URL_STS", moto::url())
        .env("AWS_ENDPOINT_URL_IAM", moto::url())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .unwrap()
}

/// `aws ARGS` as moto's administrator (moto allows every call without IAM checks).
fn aws_admin(sandbox: &Sandbox, keyring: &Keyring, args: &[&str]) -> std::process::Output {
    sandbox
        .peer("aws")
        .args(args)
        .envs(keyring.env())
        .env("AWS_ENDPOINT_URL_IAM", moto::url())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIAMOTOADMIN0000001")
        .env("AWS_SECRET_ACCESS_KEY", "motoAdminSecret")
        .output()
        .unwrap()
}

#[track_caller]
fn stdout_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn added_keys_are_in_the_keychain_where_secret_tool_reads_them_and_nowhere_on_disk() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    add_from_env(&sandbox, &keyring, "work", BASE_KEY_ID, BASE_SECRET);

    let (ok, stored) = keyring.secret_tool(&["lookup", "service", "hat", "username", "work"], None);
    assert!(ok, "secret-tool found nothing");
    let json: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(json["AccessKeyId"], BASE_KEY_ID);
    assert_eq!(json["SecretAccessKey"], BASE_SECRET);

    let config = std::fs::read_to_string(sandbox.home().join(".aws/config")).unwrap();
    assert!(
        config.contains("[profile work]\ncredential_process = ")
            && config.contains(" credential-process --profile work\n"),
        "{config}"
    );
    assert_no_secret_under_home(&sandbox, BASE_SECRET);

    let list = keyring.apply(sandbox.hat(&["keys", "list"])).run();
    list.success()
        .stdout_has("work")
        .stdout_has("AKIA…MPLE")
        .stdout_has("keychain");
    assert!(!list.stdout.contains(BASE_KEY_ID), "{}", list.stdout);

    let out = keyring
        .apply(sandbox.hat(&["credential-process", "--profile", "work"]))
        .run();
    out.success();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], BASE_KEY_ID);
}

#[test]
fn a_key_stored_with_secret_tool_is_used_by_hat() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    let json =
        format!(r#"{{"AccessKeyId":"AKIASTOREDBYHAND0001","SecretAccessKey":"{BASE_SECRET}"}}"#);
    let (ok, _) = keyring.secret_tool(
        &[
            "store",
            "--label",
            "hat: manual",
            "service",
            "hat",
            "username",
            "manual",
            "target",
            "default",
        ],
        Some(&json),
    );
    assert!(ok);
    sandbox
        .config("[profile manual]\ncredential_process = hat credential-process --profile manual\n");
    let out = keyring
        .apply(sandbox.hat(&["credential-process", "--profile", "manual"]))
        .run();
    out.success().stdout_has("AKIASTOREDBYHAND0001");
    // hat noted the key's id, so a cached chain on it will need no unlock.
    keyring
        .apply(sandbox.hat(&["keys", "list"]))
        .run()
        .success()
        .stdout_has("manual   AKIA…0001  keychain");
}

const CREDENTIALS: &str = "# my keys, do not share\n[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n; the secret\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = eu-west-1\n\n[temp]\naws_access_key_id = ASIATEMPORARY0000001\naws_secret_access_key = tempSecretStaysPut\naws_session_token = token\n\n[other]\naws_access_key_id = AKIAOTHERKEY00000001\naws_secret_access_key = otherSecretKeyValue0000000000000000000000\n";

#[test]
fn import_all_moves_only_the_keys_and_every_profile_keeps_working() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    sandbox.config(CHAIN).credentials(CREDENTIALS);

    let dry = keyring
        .apply(sandbox.hat(&["keys", "import", "--all", "--dry-run"]))
        .run();
    dry.success()
        .stdout_has("would move base (AKIA…MPLE)")
        .stdout_has("would move other");
    assert!(!dry.stdout.contains("temp"), "{}", dry.stdout);
    assert_eq!(
        std::fs::read_to_string(sandbox.home().join(".aws/credentials")).unwrap(),
        CREDENTIALS
    );

    keyring
        .apply(sandbox.hat(&["keys", "import", "--all"]))
        .run()
        .success()
        .stdout_has("moved base (AKIA…MPLE)")
        .stderr_has("skipped temp: temporary credentials");
    let credentials = sandbox.home().join(".aws/credentials");
    assert_eq!(
        std::fs::read_to_string(&credentials).unwrap(),
        "# my keys, do not share\n[base]\n; the secret\nregion = eu-west-1\n\n[temp]\naws_access_key_id = ASIATEMPORARY0000001\naws_secret_access_key = tempSecretStaysPut\naws_session_token = token\n\n[other]\n"
    );
    assert_eq!(mode(&credentials), 0o600);
    assert_no_secret_under_home(&sandbox, BASE_SECRET);
    assert_no_secret_under_home(&sandbox, "otherSecretKeyValue");

    // The AWS CLI: the imported profile through credential_process, and a role chain on it.
    let arn = stdout_of(&aws(
        &sandbox,
        &keyring,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "base",
            "--query",
            "Arn",
            "--output",
            "text",
        ],
    ));
    assert!(arn.starts_with("arn:aws:"), "{arn}");
    let arn = stdout_of(&aws(
        &sandbox,
        &keyring,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "c",
            "--query",
            "Arn",
            "--output",
            "text",
        ],
    ));
    assert!(arn.contains(":assumed-role/c/"), "{arn}");

    // hat: assume the chain on the imported keys through moto's STS.
    let out = keyring.apply(sandbox.assume(&["c"])).sts(moto::url()).run();
    out.success();
    let first = out.exports()["AWS_ACCESS_KEY_ID"].clone().unwrap();
    assert!(first.starts_with("ASIA"), "{first}");

    // A cached assume never touches the keychain: with the keyring gone, it still works.
    drop(keyring);
    let out = sandbox
        .assume(&["c", "-v"])
        .sts(moto::url())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .run();
    out.success().stderr_has("cached");
    assert_eq!(
        out.exports()["AWS_ACCESS_KEY_ID"].as_deref(),
        Some(first.as_str())
    );
}

#[test]
fn a_role_cached_before_import_is_still_cached_after_it() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    sandbox.config(CHAIN).credentials(CREDENTIALS);
    let before = keyring.apply(sandbox.assume(&["c"])).sts(moto::url()).run();
    before.success();
    keyring
        .apply(sandbox.hat(&["keys", "import", "base"]))
        .run()
        .success();
    let after = keyring
        .apply(sandbox.assume(&["c", "-v"]))
        .sts(moto::url())
        .run();
    after.success().stderr_has("cached");
    assert_eq!(
        after.exports()["AWS_ACCESS_KEY_ID"],
        before.exports()["AWS_ACCESS_KEY_ID"]
    );
}

#[test]
fn when_the_keychain_cannot_store_import_touches_no_file() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN).credentials(CREDENTIALS);
    let nowhere = |run: Run| run.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    // Automatic choice: no keychain answers, so hat names the backends and how to pick.
    nowhere(sandbox.hat(&["keys", "import", "--all"]))
        .run()
        .failure()
        .stderr_has("no keychain is available")
        .stderr_has("HAT_KEYS_BACKEND=keychain|file")
        .stderr_has("[keys] backend");
    // Chosen explicitly, the store itself fails.
    nowhere(sandbox.hat(&["keys", "import", "--all"]))
        .env("HAT_KEYS_BACKEND", "keychain")
        .run()
        .failure()
        .stderr_has("the keychain did not answer");
    assert_eq!(
        std::fs::read_to_string(sandbox.home().join(".aws/credentials")).unwrap(),
        CREDENTIALS
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.home().join(".aws/config")).unwrap(),
        CHAIN
    );
}

#[test]
fn a_locked_keychain_is_reported_as_locked() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    add_from_env(&sandbox, &keyring, "work", BASE_KEY_ID, BASE_SECRET);
    keyring.lock();
    let out = keyring
        .apply(sandbox.hat(&["credential-process", "--profile", "work"]))
        .run();
    out.failure().stderr_has("locked").stderr_lacks(BASE_SECRET);
}

#[test]
fn a_profile_without_stored_keys_says_how_to_add_them() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    sandbox.config("[profile work]\ncredential_process = hat credential-process --profile work\n");
    keyring
        .apply(sandbox.hat(&["credential-process", "--profile", "work"]))
        .run()
        .failure()
        .stderr_has("no keys are stored for profile `work`")
        .stderr_has("hat keys add work");
}

#[test]
fn secrets_are_never_taken_from_arguments_and_add_needs_a_terminal_or_env() {
    let sandbox = Sandbox::new();
    sandbox
        .hat(&["keys", "add", "work", BASE_SECRET])
        .run()
        .failure();
    sandbox
        .hat(&["keys", "add", "work"])
        .run()
        .failure()
        .stderr_has("--env");
    sandbox
        .hat(&["keys", "add", "work", "--env"])
        .env("AWS_ACCESS_KEY_ID", "ASIATEMP")
        .env("AWS_SECRET_ACCESS_KEY", "s")
        .env("AWS_SESSION_TOKEN", "t")
        .run()
        .failure()
        .stderr_has("temporary credentials");
}

#[test]
fn remove_deletes_the_keys_and_hats_line() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    add_from_env(&sandbox, &keyring, "work", BASE_KEY_ID, BASE_SECRET);
    keyring
        .apply(sandbox.hat(&["keys", "remove", "work"]))
        .run()
        .success();
    let (found, _) = keyring.secret_tool(&["lookup", "service", "hat", "username", "work"], None);
    assert!(!found);
    let config = std::fs::read_to_string(sandbox.home().join(".aws/config")).unwrap();
    assert!(!config.contains("credential_process"), "{config}");
    keyring
        .apply(sandbox.hat(&["keys", "list"]))
        .run()
        .success()
        .stderr_has("no keys are stored");
}

// The encrypted-file backend, for machines without a keychain.

fn file_hat(sandbox: &Sandbox, args: &[&str], passphrase: &str) -> Run {
    sandbox
        .hat(args)
        .env("HAT_KEYS_BACKEND", "file")
        .env("HAT_KEYS_PASSPHRASE", passphrase)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
}

#[test]
fn the_file_backend_round_trips_privately_and_refuses_a_wrong_passphrase() {
    let sandbox = Sandbox::new();
    sandbox.credentials(CREDENTIALS);
    file_hat(
        &sandbox,
        &["keys", "import", "base", "other"],
        "pass phrase",
    )
    .run()
    .success();
    let file = sandbox.home().join(".local/state/hat/keys.enc");
    assert_eq!(mode(&file), 0o600);
    assert_no_secret_under_home(&sandbox, BASE_SECRET);
    assert_no_secret_under_home(&sandbox, "otherSecretKeyValue");
    file_hat(
        &sandbox,
        &["credential-process", "--profile", "base"],
        "pass phrase",
    )
    .run()
    .success()
    .stdout_has(BASE_SECRET);
    file_hat(&sandbox, &["keys", "list"], "pass phrase")
        .run()
        .success()
        .stdout_has("file");

    let before = std::fs::read(&file).unwrap();
    file_hat(&sandbox, &["keys", "add", "third", "--env"], "wrong")
        .env("AWS_ACCESS_KEY_ID", "AKIATHIRD00000000001")
        .env("AWS_SECRET_ACCESS_KEY", "thirdSecret")
        .run()
        .failure()
        .stderr_has("wrong passphrase")
        .stderr_lacks("thirdSecret");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the file was overwritten"
    );

    std::fs::write(&file, &before[..before.len() - 10]).unwrap();
    file_hat(
        &sandbox,
        &["credential-process", "--profile", "base"],
        "pass phrase",
    )
    .run()
    .failure()
    .stderr_has("truncated");
}

#[test]
fn the_file_backend_needs_a_passphrase_and_says_where_to_give_it() {
    let sandbox = Sandbox::new();
    sandbox
        .hat(&["keys", "add", "work", "--env"])
        .env("HAT_KEYS_BACKEND", "file")
        .env("AWS_ACCESS_KEY_ID", BASE_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", BASE_SECRET)
        .run()
        .failure()
        .stderr_has("HAT_KEYS_PASSPHRASE");
}

// Rotation against moto's IAM.

/// A moto IAM user with one access key: (id, secret).
fn iam_user(sandbox: &Sandbox, keyring: &Keyring, name: &str) -> (String, String) {
    stdout_of(&aws_admin(
        sandbox,
        keyring,
        &["iam", "create-user", "--user-name", name],
    ));
    let out = stdout_of(&aws_admin(
        sandbox,
        keyring,
        &[
            "iam",
            "create-access-key",
            "--user-name",
            name,
            "--output",
            "json",
        ],
    ));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    (
        json["AccessKey"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_string(),
        json["AccessKey"]["SecretAccessKey"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

fn user_keys(sandbox: &Sandbox, keyring: &Keyring, name: &str) -> Vec<String> {
    let out = stdout_of(&aws_admin(
        sandbox,
        keyring,
        &[
            "iam",
            "list-access-keys",
            "--user-name",
            name,
            "--query",
            "AccessKeyMetadata[].AccessKeyId",
            "--output",
            "text",
        ],
    ));
    out.split_whitespace().map(str::to_string).collect()
}

fn stored_key_id(keyring: &Keyring, profile: &str) -> String {
    let (ok, text) = keyring.secret_tool(&["lookup", "service", "hat", "username", profile], None);
    assert!(ok);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["AccessKeyId"].as_str().unwrap().to_string()
}

fn rotate(sandbox: &Sandbox, keyring: &Keyring, profile: &str, iam: &str) -> Output {
    keyring
        .apply(sandbox.hat(&["keys", "rotate", profile]))
        .sts(moto::url())
        .env("AWS_ENDPOINT_URL_IAM", iam)
        .run()
}

#[test]
fn rotation_leaves_exactly_one_key_the_new_one_and_hat_uses_it() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    let (old_id, old_secret) = iam_user(&sandbox, &keyring, "rotating-alice");
    add_from_env(&sandbox, &keyring, "alice", &old_id, &old_secret);

    rotate(&sandbox, &keyring, "alice", moto::url())
        .success()
        .stderr_has("new key")
        .stderr_lacks(&old_secret);
    let keys = user_keys(&sandbox, &keyring, "rotating-alice");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_ne!(keys[0], old_id);
    assert_eq!(stored_key_id(&keyring, "alice"), keys[0]);
    keyring
        .apply(sandbox.hat(&["credential-process", "--profile", "alice"]))
        .run()
        .success()
        .stdout_has(&keys[0]);
    keyring
        .apply(sandbox.hat(&["keys", "list"]))
        .run()
        .success()
        .stdout_has(&format!(
            "{}…{}",
            &keys[0][..4],
            &keys[0][keys[0].len() - 4..]
        ));
}

#[test]
fn a_rotation_that_cannot_delete_the_old_key_keeps_a_working_new_key() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    let (old_id, old_secret) = iam_user(&sandbox, &keyring, "rotating-bob");
    add_from_env(&sandbox, &keyring, "bob", &old_id, &old_secret);
    let fault = IamFault::start(moto::url(), "DeleteAccessKey");

    rotate(&sandbox, &keyring, "bob", &fault.url)
        .failure()
        .stderr_has("now uses its new key")
        .stderr_has("iam:DeleteAccessKey")
        .stderr_has(&format!(
            "aws iam delete-access-key --access-key-id {old_id}"
        ));
    assert_eq!(fault.failed().len(), 1);
    let stored = stored_key_id(&keyring, "bob");
    assert_ne!(stored, old_id);
    let keys = user_keys(&sandbox, &keyring, "rotating-bob");
    assert!(keys.contains(&stored) && keys.contains(&old_id), "{keys:?}");

    // The stored key works: the AWS CLI signs with it through hat.
    sandbox.config(&format!(
        "[profile bob]\ncredential_process = {HAT} credential-process --profile bob\n"
    ));
    let arn = stdout_of(&aws(
        &sandbox,
        &keyring,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "bob",
            "--query",
            "Arn",
            "--output",
            "text",
        ],
    ));
    assert!(arn.ends_with(":user/rotating-bob"), "{arn}");

    // The next rotation sees the leftover key and says what to do instead of failing blindly.
    rotate(&sandbox, &keyring, "bob", moto::url())
        .failure()
        .stderr_has("already has two access keys")
        .stderr_has(&old_id);
}

#[test]
fn a_rotation_denied_by_iam_names_the_permission_and_changes_nothing() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    let (old_id, old_secret) = iam_user(&sandbox, &keyring, "rotating-carol");
    add_from_env(&sandbox, &keyring, "carol", &old_id, &old_secret);
    let fault = IamFault::start(moto::url(), "CreateAccessKey");
    rotate(&sandbox, &keyring, "carol", &fault.url)
        .failure()
        .stderr_has("iam:CreateAccessKey")
        .stderr_has("Nothing was changed");
    assert_eq!(stored_key_id(&keyring, "carol"), old_id);
    assert_eq!(user_keys(&sandbox, &keyring, "rotating-carol"), [old_id]);
}

#[test]
fn the_hat_binary_is_named_in_the_line_it_writes() {
    // Without hat on PATH the line carries this binary's absolute path, so every SDK
    // can run it; resolve.rs recognises either form.
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    add_from_env(&sandbox, &keyring, "work", BASE_KEY_ID, BASE_SECRET);
    let config = std::fs::read_to_string(sandbox.home().join(".aws/config")).unwrap();
    let me = std::fs::canonicalize(HAT).unwrap();
    assert!(
        config.contains(&format!(
            "credential_process = {} credential-process",
            me.display()
        )),
        "{config}"
    );
}

const MFA_ON_STORED_KEYS: &str = "
[profile user]
credential_process = hat credential-process --profile user

[profile prod]
role_arn = arn:aws:iam::111111111111:role/prod
source_profile = user
mfa_serial = arn:aws:iam::000000000000:mfa/tester

[profile staging]
role_arn = arn:aws:iam::222222222222:role/staging
source_profile = user
mfa_serial = arn:aws:iam::000000000000:mfa/tester
";

#[test]
fn mfa_sessions_on_stored_keys_are_shared_across_roles_as_on_plaintext_keys() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    sandbox.config(MFA_ON_STORED_KEYS);
    add_from_env(&sandbox, &keyring, "user", BASE_KEY_ID, BASE_SECRET);
    let out = keyring
        .apply(sandbox.assume(&["prod", "--mfa-token", "123456", "-v"]))
        .sts(moto::url())
        .run();
    out.success()
        .stderr_has("reading its keys from hat's key store")
        .stderr_lacks(BASE_SECRET);
    // No code, no terminal: only the cached MFA session can make this work.
    let out = keyring
        .apply(sandbox.assume(&["staging", "-v"]))
        .sts(moto::url())
        .run();
    out.success()
        .stderr_has("MFA session for arn:aws:iam::000000000000:mfa/tester: cached")
        .stderr_lacks(BASE_SECRET);
    assert_eq!(out.exports()["AWS_PROFILE"].as_deref(), Some("staging"));
}

/// Reads `child`'s output in the background into a shared screen.
fn screen_of(child: &mut std::process::Child) -> std::sync::Arc<std::sync::Mutex<String>> {
    use std::io::Read;
    let screen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let shared = std::sync::Arc::clone(&screen);
    let mut stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            shared
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    screen
}

#[track_caller]
fn wait_for(screen: &std::sync::Mutex<String>, text: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if screen.lock().unwrap().contains(text) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!(
        "{text:?} never appeared; screen:\n{}",
        screen.lock().unwrap()
    );
}

#[test]
fn add_asks_on_the_terminal_and_the_secret_is_not_echoed() {
    use std::io::Write;
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    // `script` gives hat a terminal, as a person at the keyboard has.
    let command = format!("{HAT} keys add typed");
    let mut child = sandbox
        .peer("script")
        .args(["-qec", &command, "/dev/null"])
        .envs(keyring.env())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let screen = screen_of(&mut child);
    let mut keyboard = child.stdin.take().unwrap();
    wait_for(&screen, "Access key id for profile `typed`");
    keyboard
        .write_all(format!("{BASE_KEY_ID}\r").as_bytes())
        .unwrap();
    wait_for(&screen, "Secret access key (hidden)");
    keyboard
        .write_all(format!("{BASE_SECRET}\r").as_bytes())
        .unwrap();
    drop(keyboard);
    let status = child.wait().unwrap();
    let screen = screen.lock().unwrap().clone();
    assert!(status.success(), "{screen}");
    assert!(
        !screen.contains(BASE_SECRET),
        "the secret was echoed: {screen}"
    );
    let (ok, stored) =
        keyring.secret_tool(&["lookup", "service", "hat", "username", "typed"], None);
    assert!(ok);
    assert!(stored.contains(BASE_SECRET) && stored.contains(BASE_KEY_ID));
}

#[test]
fn hats_settings_file_picks_the_backend_and_keys_move_out_of_the_config_file_too() {
    let sandbox = Sandbox::new();
    sandbox.config(crate::support::CHAIN_CONFIG);
    let keys_file = sandbox.home().join("secure/hat-keys.bin");
    sandbox.write(
        "home/.config/hat/config.toml",
        &format!(
            "[keys]\nbackend = \"file\"\nfile = \"{}\"\n",
            keys_file.display()
        ),
    );
    let run = |args: &[&str]| {
        sandbox
            .hat(args)
            .env("HAT_KEYS_PASSPHRASE", "settings pass")
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    };
    run(&["keys", "import", "base"]).run().success();
    assert_eq!(mode(&keys_file), 0o600);
    let config = std::fs::read_to_string(sandbox.home().join(".aws/config")).unwrap();
    assert!(
        !config.contains("aws_access_key_id") && !config.contains("aws_secret"),
        "{config}"
    );
    assert!(
        config.contains("[profile base]\nregion = eu-west-1\ncredential_process = "),
        "{config}"
    );
    assert_no_secret_under_home(&sandbox, BASE_SECRET);
    let out = run(&["assume", "--shell", "bash", "c"])
        .sts(moto::url())
        .run();
    out.success();
    assert_eq!(out.exports()["AWS_PROFILE"].as_deref(), Some("c"));
}

#[test]
fn the_file_backend_asks_for_a_new_passphrase_twice_on_the_terminal() {
    use std::io::Write;
    let sandbox = Sandbox::new();
    let command = format!("{HAT} keys add typed");
    let mut child = sandbox
        .peer("script")
        .args(["-qec", &command, "/dev/null"])
        .env("HAT_KEYS_BACKEND", "file")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let screen = screen_of(&mut child);
    let mut keyboard = child.stdin.take().unwrap();
    let mut answer = |prompt: &str, text: &str| {
        wait_for(&screen, prompt);
        keyboard.write_all(format!("{text}\r").as_bytes()).unwrap();
    };
    answer("Access key id for profile `typed`", BASE_KEY_ID);
    answer("Secret access key (hidden)", BASE_SECRET);
    answer("New passphrase for", "typed passphrase");
    answer("Repeat it", "typed passphrase");
    drop(keyboard);
    let status = child.wait().unwrap();
    let screen = screen.lock().unwrap().clone();
    assert!(status.success(), "{screen}");
    assert!(
        !screen.contains(BASE_SECRET) && !screen.contains("typed passphrase"),
        "{screen}"
    );
    file_hat(
        &sandbox,
        &["credential-process", "--profile", "typed"],
        "typed passphrase",
    )
    .run()
    .success()
    .stdout_has(BASE_SECRET);
}

#[test]
fn a_new_key_sts_never_accepts_is_deleted_again_and_the_old_one_stays() {
    let sandbox = Sandbox::new();
    let keyring = Keyring::start(&sandbox);
    let (old_id, old_secret) = iam_user(&sandbox, &keyring, "rotating-dave");
    add_from_env(&sandbox, &keyring, "dave", &old_id, &old_secret);
    // STS accepts only the old key, as while a new key has not propagated.
    let sts = IamFault::start_unless(moto::url(), "GetCallerIdentity", Some(&old_id));
    keyring
        .apply(sandbox.hat(&["keys", "rotate", "dave"]))
        .sts(&sts.url)
        .env("AWS_ENDPOINT_URL_IAM", moto::url())
        .env("HAT_KEYS_ROTATE_WAIT", "1")
        .run()
        .failure()
        .stderr_has("STS did not accept the new key within 1s")
        .stderr_has("HAT_KEYS_ROTATE_WAIT")
        .stderr_has(&format!("keeps its working key {old_id}"))
        .stderr_has("was deleted again, so IAM is as before")
        .stderr_lacks(&old_secret);
    assert_eq!(sts.failed().len(), 2, "checked twice within the second");
    assert_eq!(stored_key_id(&keyring, "dave"), old_id);
    assert_eq!(user_keys(&sandbox, &keyring, "rotating-dave"), [old_id]);
}

/// Issue 12: keys in hat's store with mfa_serial are an MFA session (providers make
/// one), so the console refuses them up front, as it does plaintext keys with
/// mfa_serial, instead of asking for a code that AWS would then refuse.
#[test]
fn console_refuses_stored_keys_with_mfa_up_front_and_says_what_works() {
    use crate::support::fake_sts::{FakeSts, Reply};
    let sandbox = Sandbox::new();
    sandbox.config(
        "[profile work]
credential_process = hat credential-process --profile work
mfa_serial = arn:aws:iam::000000000000:mfa/tester
",
    );
    file_hat(&sandbox, &["keys", "add", "work", "--env"], "pass phrase")
        .env("AWS_ACCESS_KEY_ID", BASE_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", BASE_SECRET)
        .run()
        .success();
    let sts = FakeSts::start(vec![Reply::Ok]);
    for args in [
        &["console", "work", "--url"][..],
        &["assume", "--shell", "bash", "-c", "work", "--url"][..],
    ] {
        file_hat(&sandbox, args, "pass phrase")
            .sts(&sts.url)
            .env("HAT_FEDERATION_ENDPOINT", "http://127.0.0.1:9/federation")
            .run()
            .failure()
            .stderr_has("profile `work` is an MFA session")
            .stderr_has("through a role")
            .stderr_lacks("MFA code")
            .stderr_lacks(BASE_SECRET);
    }
    assert!(sts.requests().is_empty(), "{:?}", sts.requests());
}
