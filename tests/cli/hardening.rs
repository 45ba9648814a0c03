//! Hardening (issue 14): many shells at once make one call, writers killed with
//! SIGKILL at random points never leave a file a reader cannot use, and no secret
//! reaches stderr, a report or any file but the caches, on any path the tests reach.

use crate::sso::{CONFIG as SSO_CONFIG, cli_writes_token, with_fake};
use crate::support::fake_federation::{self, FakeFederation};
use crate::support::fake_sso::{self, FakeSso, Options};
use crate::support::fake_sts::{self, FakeSts, Reply};
use crate::support::{BASE_SECRET, Output, Run, Sandbox};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, SystemTime};

const ROLE_CONFIG: &str = "
[profile base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
region = eu-west-1

[profile a]
role_arn = arn:aws:iam::111111111111:role/a
source_profile = base
";

/// Starts `runs` at once and waits for all of them; each must succeed.
#[track_caller]
fn all_at_once(runs: Vec<Run>) {
    let children: Vec<Child> = runs
        .into_iter()
        .map(|r| r.command().spawn().unwrap())
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("export AWS_SESSION_TOKEN="));
    }
}

/// Moves every cached entry's expiry into the past, as if an hour had gone by.
fn expire_cache(sb: &Sandbox) {
    let entries = sb.cached();
    assert!(!entries.is_empty(), "nothing was cached");
    for path in entries {
        let mut value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        value["Expiration"] = hat::clock::to_rfc3339(hat::clock::now() - 60).into();
        std::fs::write(&path, value.to_string()).unwrap();
    }
}

#[test]
fn fifty_parallel_assumes_of_an_expired_role_make_one_assume_role_call() {
    let sb = Sandbox::new();
    sb.config(ROLE_CONFIG);
    // Slow answers keep the other 49 waiting on the lock while the first one asks.
    let sts = FakeSts::start(vec![Reply::Slow(
        Duration::from_millis(200),
        Box::new(Reply::Ok),
    )]);
    sb.assume(&["a"]).sts(&sts.url).run().success();
    expire_cache(&sb);
    all_at_once((0..50).map(|_| sb.assume(&["a"]).sts(&sts.url)).collect());
    assert_eq!(sts.actions(), ["AssumeRole", "AssumeRole"]);
}

#[test]
fn fifty_parallel_assumes_of_an_expired_sso_profile_refresh_the_token_once() {
    let sb = Sandbox::new();
    sb.config(SSO_CONFIG);
    let fake = FakeSso::start(Options {
        latency: Duration::from_millis(100),
        ..Options::default()
    });
    // Expired a minute ago, with a refresh token and a live client registration.
    cli_writes_token(&sb, &fake, "corp", -60);
    all_at_once(
        (0..50)
            .map(|_| with_fake(sb.assume(&["dev"]), &fake))
            .collect(),
    );
    assert_eq!(fake.calls("CreateToken:refresh_token"), 1);
    assert_eq!(fake.calls("GetRoleCredentials"), 1);
    assert_eq!(fake.calls("RegisterClient"), 0);
}

/// A small deterministic generator (xorshift), seeded from the clock: each run kills
/// at other points, and a failure prints the seed.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1;
        eprintln!("kill points seeded with {seed}");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Files in the cache directory that are not entries or locks: what a killed writer
/// leaves behind.
fn leftovers(sb: &Sandbox) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(sb.cache_dir()) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            // Temporary files start with a dot; entries and locks do not, and
            // `.pruned` is the cache's own once-a-day upkeep marker.
            name.starts_with('.') && name != ".pruned"
        })
        .collect()
}

/// Every cache entry reads back as whole credentials.
#[track_caller]
fn assert_every_entry_whole(sb: &Sandbox, round: usize) {
    for path in sb.cached() {
        if path.file_name().unwrap().to_string_lossy().starts_with('.') {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let creds: Result<hat::creds::Credentials, _> = serde_json::from_slice(&bytes);
        let creds = creds.unwrap_or_else(|e| {
            panic!(
                "round {round}: {} is not whole credentials ({e}): {:?}",
                path.display(),
                String::from_utf8_lossy(&bytes)
            )
        });
        assert!(creds.access_key_id.starts_with("ASIAFAKE"), "round {round}");
        assert!(creds.expiration.is_some(), "round {round}");
    }
}

/// Rounds of 30 writers (`--no-cache`, so each one writes), half of them killed with
/// SIGKILL at a random moment between start and a little after STS answers.
fn kill_rounds(sb: &Sandbox, sts: &FakeSts, rounds: usize) {
    let mut random = Random::new();
    for round in 0..rounds {
        let mut children: Vec<(Child, Option<u64>)> = (0..30)
            .map(|i| {
                let child = sb
                    .assume(&["a", "--no-cache"])
                    .sts(&sts.url)
                    .command()
                    .spawn()
                    .unwrap();
                (child, (i % 2 == 0).then(|| random.below(120)))
            })
            .collect();
        let started = std::time::Instant::now();
        let mut order: Vec<usize> = (0..children.len()).collect();
        order.sort_by_key(|i| children[*i].1);
        for i in order {
            let (child, at) = &mut children[i];
            let Some(at) = *at else { continue };
            let due = Duration::from_millis(at);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
            let _ = child.kill();
        }
        for (mut child, killed) in children {
            let status = child.wait().unwrap();
            if killed.is_none() {
                assert!(
                    status.success(),
                    "round {round}: a writer that was not killed failed"
                );
            }
        }
        assert_every_entry_whole(sb, round);
    }
}

#[test]
fn writers_killed_at_random_never_leave_a_truncated_or_unreadable_entry() {
    let sb = Sandbox::new();
    sb.config(ROLE_CONFIG);
    let sts = FakeSts::start(vec![Reply::Slow(
        Duration::from_millis(40),
        Box::new(Reply::Ok),
    )]);
    kill_rounds(&sb, &sts, 5);
    // After the kills, a normal run is served and still reads the cache.
    let out = sb.assume(&["a"]).sts(&sts.url).run();
    out.success();
    assert_every_entry_whole(&sb, 5);
}

/// ISSUE 14: what killed writers left is removed by the next run that writes the cache
/// (cleanup runs after a store, never on a cache hit, so a cached assume pays nothing).
#[test]
fn a_later_run_removes_what_killed_writers_left() {
    let sb = Sandbox::new();
    sb.config(ROLE_CONFIG);
    let sts = FakeSts::start(vec![Reply::Slow(
        Duration::from_millis(40),
        Box::new(Reply::Ok),
    )]);
    // A temporary file as a writer killed mid-write leaves it, whatever the rounds did.
    let left = sb
        .cache_dir()
        .join(format!("{}killed", hat::fs::TEMP_PREFIX));
    kill_rounds(&sb, &sts, 3);
    std::fs::write(&left, "{\"AccessKeyId\":\"ASIAFAKE\",\"Secr").unwrap();
    // Old enough to be stale: no live writer takes this long.
    let old = SystemTime::now() - hat::fs::STALE_AFTER - Duration::from_secs(60);
    for path in leftovers(&sb) {
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    sb.assume(&["a", "--no-cache"])
        .sts(&sts.url)
        .run()
        .success();
    assert_eq!(leftovers(&sb), Vec::<PathBuf>::new());
}

/// Everything secret that the fakes and the sandbox hand out, by the prefix each uses.
const SECRETS: &[&str] = &[
    BASE_SECRET,
    fake_sts::ISSUED_SECRET_PREFIX,
    fake_sts::ISSUED_TOKEN_PREFIX,
    fake_sso::ACCESS_PREFIX,
    fake_sso::REFRESH_PREFIX,
    fake_sso::SECRET_PREFIX,
    fake_sso::ROLE_SECRET_PREFIX,
    "ssoSessionToken",
    fake_federation::TOKEN_PREFIX,
    "SigninToken=",
    "Action=login",
];

/// Where secrets belong: hat's credential cache, the AWS CLI's SSO cache, and the
/// user's own AWS files (the sandbox's static keys live there).
fn may_hold_secrets(sb: &Sandbox, path: &Path) -> bool {
    let home = sb.home();
    path.starts_with(home.join(".cache/hat/credentials"))
        || path.starts_with(home.join(".aws/sso/cache"))
        || path == home.join(".aws/credentials")
        || path == home.join(".aws/config")
}

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            all_files(&path, out);
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

#[test]
fn no_secret_reaches_stderr_or_any_file_but_the_caches_on_any_path() {
    let sb = Sandbox::new();
    sb.config(&format!(
        "{ROLE_CONFIG}
[profile mfa]
role_arn = arn:aws:iam::111111111111:role/m
source_profile = base
mfa_serial = arn:aws:iam::000000000000:mfa/me
{SSO_CONFIG}"
    ));
    let sts = FakeSts::start(vec![Reply::Ok]);
    let denied = FakeSts::start(vec![Reply::Error {
        status: 403,
        code: "AccessDenied",
        message: "User is not authorized to perform sts:AssumeRole",
    }]);
    let broken = FakeSts::start(vec![Reply::Error {
        status: 500,
        code: "InternalFailure",
        message: "try again",
    }]);
    let sso = FakeSso::start(Options::default());
    let fed = FakeFederation::start();
    let browser = sb.write("browser.sh", "#!/bin/sh\nexit 0\n");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    cli_writes_token(&sb, &sso, "corp", -60);
    let env = |run: Run| {
        with_fake(run, &sso)
            .sts(&sts.url)
            .env("HAT_FEDERATION_ENDPOINT", &fed.url)
            .env("BROWSER", browser.to_str().unwrap())
            .env("HAT_KEYS_BACKEND", "file")
    };

    // (what ran, its output, whether its stdout is meant to carry credentials)
    let mut seen: Vec<(String, Output, bool)> = Vec::new();
    let mut record = |what: &str, out: Output, stdout_has_secrets: bool| {
        seen.push((what.to_string(), out, stdout_has_secrets));
    };
    // Successes: STS, the cache, SSO with a refresh, the console, exec, the formats.
    record("assume a", env(sb.assume(&["a", "-v"])).run(), true);
    record(
        "assume a (cached)",
        env(sb.assume(&["a", "-v"])).run(),
        true,
    );
    record(
        "assume dev (refresh)",
        env(sb.assume(&["dev", "-v"])).run(),
        true,
    );
    record(
        "console --url",
        env(sb.hat(&["console", "a", "--url", "-v"])).run(),
        true,
    );
    record(
        "console",
        env(sb.hat(&["console", "dev", "-v"])).run(),
        false,
    );
    record("assume -c", env(sb.assume(&["-c", "a", "-v"])).run(), false);
    record(
        "exec",
        env(sb.hat(&["exec", "a", "-v", "--", "true"])).run(),
        false,
    );
    record(
        "credential-process",
        env(sb.hat(&["credential-process", "--profile", "a"])).run(),
        true,
    );
    record(
        "export json",
        env(sb.hat(&["export", "a", "-f", "json"])).run(),
        true,
    );
    record("list", env(sb.hat(&["list"])).run(), false);
    record("config", env(sb.hat(&["config"])).run(), false);
    record(
        "config --json",
        env(sb.hat(&["config", "--json"])).run(),
        false,
    );
    record("sso tokens", env(sb.hat(&["sso", "tokens"])).run(), false);
    record("cache list", env(sb.hat(&["cache", "list"])).run(), false);
    // Its status depends on the sandbox (no shell function): only its report counts.
    record("doctor", env(sb.hat(&["doctor", "--json"])).run(), false);
    // Failures: refused, broken, missing, an MFA code nobody can type, a revoked token.
    record(
        "assume denied",
        env(sb.assume(&["a", "-v", "--no-cache"]))
            .sts(&denied.url)
            .run(),
        false,
    );
    record(
        "assume 5xx",
        env(sb.assume(&["a", "-v", "--no-cache"]))
            .sts(&broken.url)
            .run(),
        false,
    );
    record(
        "assume missing",
        env(sb.assume(&["nope", "-v"])).run(),
        false,
    );
    record("assume mfa", env(sb.assume(&["mfa", "-v"])).run(), false);
    record(
        "assume mfa bad code",
        env(sb.assume(&["mfa", "-v", "--mfa-token", "12"])).run(),
        false,
    );
    sso.revoke_all();
    record(
        "assume dev revoked",
        env(sb.assume(&["dev", "-v", "--no-cache"])).run(),
        false,
    );
    record(
        "console revoked",
        env(sb.hat(&["console", "dev", "-v", "--no-cache"])).run(),
        false,
    );

    let mut leaks = Vec::new();
    for (what, out, stdout_has_secrets) in &seen {
        for secret in SECRETS {
            if out.stderr.contains(secret) {
                leaks.push(format!("{what}: stderr holds {secret:?}:\n{}", out.stderr));
            }
            if !stdout_has_secrets && out.stdout.contains(secret) {
                leaks.push(format!("{what}: stdout holds {secret:?}:\n{}", out.stdout));
            }
        }
    }
    let mut files = Vec::new();
    all_files(sb.root(), &mut files);
    for path in files.iter().filter(|p| !may_hold_secrets(&sb, p)) {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        for secret in SECRETS {
            if text.contains(secret) {
                leaks.push(format!("{} holds {secret:?}", path.display()));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n\n"));
    // The paths above were the ones meant: each success succeeded, each failure failed.
    for (what, out, _) in seen.iter().filter(|(w, _, _)| w != "doctor") {
        let should_fail = what.contains("denied")
            || what.contains("5xx")
            || what.contains("missing")
            || what.contains("mfa")
            || what.contains("revoked");
        assert_eq!(
            out.code != Some(0),
            should_fail,
            "{what}: exit {:?}\n{}",
            out.code,
            out.stderr
        );
    }
}
