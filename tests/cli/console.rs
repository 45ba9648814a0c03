//! `hat console` and `assume -c` against moto's STS and the project's fake federation
//! endpoint: the session carries exactly the role's credentials, the login URL lands
//! where asked (service, region, partition, global services), long-term keys go
//! through GetFederationToken, and browsers (a recorder as `$BROWSER`, fake Chromium
//! and Firefox executables) are given exactly one URL, or none with `--url`.

use crate::support::fake_federation::{FakeFederation, Reply, TOKEN_PREFIX, login_params};
use crate::support::fake_sts::{FakeSts, ISSUED_TOKEN_PREFIX, Reply as StsReply, param};
use crate::support::shells::{ALL, Sh};
use crate::support::{BASE_KEY_ID, BASE_SECRET, CHAIN_CONFIG, Run, Sandbox, moto};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub(crate) fn config() -> String {
    format!(
        "{CHAIN_CONFIG}
[profile gov]
role_arn = arn:aws-us-gov:iam::111111111111:role/gov
source_profile = base
region = us-gov-west-1

[profile china]
role_arn = arn:aws-cn:iam::111111111111:role/china
source_profile = base
region = cn-north-1

[profile styled]
role_arn = arn:aws:iam::111111111111:role/styled
source_profile = base
granted_color = blue
granted_icon = briefcase

[profile personal]
role_arn = arn:aws:iam::111111111111:role/personal
source_profile = base
granted_browser_profile = Personal

[profile mfa]
aws_access_key_id = AKIAIOSFODNN7EXAMPLF
aws_secret_access_key = mfaSecretmfaSecretmfaSecretmfaSecret1234
mfa_serial = arn:aws:iam::111111111111:mfa/tester
"
    )
}

/// A sandbox with the test profiles, hat's commands pointed at moto and the fake.
pub(crate) struct Console {
    pub(crate) sandbox: Sandbox,
    pub(crate) fed: FakeFederation,
}

impl Console {
    pub(crate) fn new() -> Console {
        Console::with(FakeFederation::start())
    }

    fn with(fed: FakeFederation) -> Console {
        let sandbox = Sandbox::new();
        sandbox.config(&config());
        Console { sandbox, fed }
    }

    pub(crate) fn setup(&self, run: Run) -> Run {
        run.sts(moto::url())
            .env("HAT_FEDERATION_ENDPOINT", &self.fed.url)
            .env("BROWSER", self.recorder().to_str().unwrap())
    }

    fn hat(&self, args: &[&str]) -> Run {
        self.setup(self.sandbox.hat(args))
    }

    /// A `$BROWSER` that appends its arguments, one per line, then `--end--`.
    pub(crate) fn recorder(&self) -> PathBuf {
        let record = self.sandbox.path("browser-record");
        fake_executable(
            &self.sandbox,
            "bin/recorder",
            &format!(
                "#!/bin/sh\n{{ for a in \"$@\"; do printf '%s\\n' \"$a\"; done; echo --end--; }} >> '{}'\n",
                record.display()
            ),
        )
    }

    /// The recorder again at `relative` (`bin/firefox`), for a browser hat knows by the
    /// name of its program.
    pub(crate) fn recorder_as(&self, relative: &str) -> PathBuf {
        let script = std::fs::read_to_string(self.recorder()).unwrap();
        fake_executable(&self.sandbox, relative, &script)
    }

    /// The argument lists the browser was started with, waiting (up to 20 s) for
    /// `expected` of them, since browsers are started in the background.
    pub(crate) fn opened(&self, expected: usize) -> Vec<Vec<String>> {
        let record = self.sandbox.path("browser-record");
        let read = || {
            let text = std::fs::read_to_string(&record).unwrap_or_default();
            let mut calls = Vec::new();
            let mut args = Vec::new();
            for line in text.lines() {
                if line == "--end--" {
                    calls.push(std::mem::take(&mut args));
                } else {
                    args.push(line.to_string());
                }
            }
            calls
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while read().len() < expected && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if expected == 0 {
            // Nothing should come; give a stray launch the time to show up.
            std::thread::sleep(Duration::from_millis(300));
        }
        read()
    }

    /// The credentials `hat assume` exports for `profile` (and caches for the console).
    fn assumed(&self, profile: &str) -> (String, String, String) {
        let out = self.setup(self.sandbox.assume(&[profile])).run();
        let e = out.success().exports();
        let get = |k: &str| e[k].clone().unwrap();
        (
            get("AWS_ACCESS_KEY_ID"),
            get("AWS_SECRET_ACCESS_KEY"),
            get("AWS_SESSION_TOKEN"),
        )
    }
}

pub(crate) fn fake_executable(sandbox: &Sandbox, relative: &str, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = sandbox.write(relative, script);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The `Destination` of a login URL printed by `--url`.
#[track_caller]
pub(crate) fn destination(fed: &FakeFederation, url: &str) -> String {
    let (endpoint, params) = login_params(url);
    assert_eq!(
        endpoint, fed.url,
        "the login URL uses the federation endpoint"
    );
    assert_eq!(params["Action"], "login");
    assert!(
        params["SigninToken"].starts_with(TOKEN_PREFIX),
        "{params:?}"
    );
    params["Destination"].clone()
}

#[test]
fn the_session_carries_exactly_the_assumed_roles_credentials() {
    let c = Console::new();
    let (id, secret, token) = c.assumed("c");
    let out = c
        .hat(&["console", "c", "--url", "-s", "ddb", "-r", "euw1"])
        .run();
    out.success().stderr_lacks(&secret).stderr_lacks(&token);
    let (session, request) = c.fed.only_session();
    assert_eq!(
        (session.id, session.key, session.token),
        (id, secret, token)
    );
    assert_eq!(request.path, "/federation");
    assert!(
        !request.params.contains_key("SessionDuration"),
        "{request:?}"
    );
    assert_eq!(
        destination(&c.fed, &out.stdout),
        "https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1"
    );
    assert_eq!(out.stdout.lines().count(), 1, "--url prints the bare URL");
    assert!(c.opened(0).is_empty(), "--url opened a browser");
}

#[test]
fn a_duration_asks_for_a_console_session_that_long() {
    let c = Console::new();
    c.hat(&["console", "a", "--url", "-d", "2h"])
        .run()
        .success();
    let (_, request) = c.fed.only_session();
    assert_eq!(request.params["SessionDuration"], "7200");
}

#[test]
fn global_services_get_no_region_and_the_home_page_keeps_it() {
    let c = Console::new();
    for (args, want) in [
        (
            &["-s", "iam"][..],
            "https://console.aws.amazon.com/iam/home",
        ),
        (
            &["-s", "r53"][..],
            "https://console.aws.amazon.com/route53/v2/home",
        ),
        (
            &[][..],
            "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2",
        ),
        (
            &["-s", "l", "-r", "apse2"][..],
            "https://ap-southeast-2.console.aws.amazon.com/lambda/home?region=ap-southeast-2",
        ),
    ] {
        let mut all = vec!["console", "c", "--url"];
        all.extend_from_slice(args);
        let out = c.hat(&all).run();
        out.success();
        assert_eq!(destination(&c.fed, &out.stdout), want, "{args:?}");
    }
}

#[test]
fn the_role_arns_partition_picks_the_console_host() {
    let c = Console::new();
    let gov = c.hat(&["console", "gov", "--url", "-s", "s3"]).run();
    gov.success();
    assert_eq!(
        destination(&c.fed, &gov.stdout),
        "https://console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1"
    );
    let cn = c.hat(&["console", "china", "--url", "-s", "iam"]).run();
    cn.success();
    assert_eq!(
        destination(&c.fed, &cn.stdout),
        "https://console.amazonaws.cn/iam/home"
    );
}

#[test]
fn long_term_keys_go_through_get_federation_token() {
    // moto, the real peer: the session is the federation token's, not the keys.
    let c = Console::new();
    let out = c.hat(&["console", "base", "--url", "-v"]).run();
    out.success()
        .stderr_has("long-term keys")
        .stderr_has("GetFederationToken")
        .stderr_lacks(BASE_SECRET);
    let (session, _) = c.fed.only_session();
    assert_ne!(
        session.key, BASE_SECRET,
        "the long-term secret itself was sent"
    );
    assert!(!session.token.is_empty());

    // The fake STS shows what was asked: a valid name, a session policy (without one a
    // federated user may do nothing), and -d as the token's duration, not the console's.
    let c = Console::new();
    let sts = FakeSts::start(vec![StsReply::Ok]);
    let out = c
        .hat(&["console", "base", "--url", "-d", "2h"])
        .sts(&sts.url)
        .run();
    // -d goes to GetFederationToken, so hat does not say it has no effect.
    out.success().stderr_lacks("no effect");
    assert_eq!(sts.actions(), ["GetFederationToken"]);
    let body = &sts.requests()[0];
    assert_eq!(param(body, "Name").as_deref(), Some("hat-tester"));
    assert_eq!(param(body, "DurationSeconds").as_deref(), Some("7200"));
    assert!(
        param(body, "Policy").unwrap().contains("\"Allow\""),
        "{body}"
    );
    let (session, request) = c.fed.only_session();
    assert_eq!(session.id, "ASIAFAKE000000000001");
    assert_eq!(session.token, format!("{ISSUED_TOKEN_PREFIX}1"));
    // AWS refuses SessionDuration with federation-token credentials.
    assert!(
        !request.params.contains_key("SessionDuration"),
        "{request:?}"
    );
}

#[test]
fn an_mfa_session_cannot_reach_the_console_and_says_why() {
    let c = Console::new();
    // Refused before any call: no MFA code is asked for, nothing reaches STS.
    let sts = FakeSts::start(vec![StsReply::Ok]);
    let out = c.hat(&["console", "mfa", "--url"]).sts(&sts.url).run();
    out.failure()
        .stderr_has("MFA session")
        .stderr_has("through a role");
    assert!(sts.requests().is_empty() && c.fed.requests().is_empty());
    let out = c
        .setup(c.sandbox.assume(&["-c", "mfa"]))
        .sts(&sts.url)
        .run();
    out.failure().stderr_has("MFA session");
    assert!(sts.requests().is_empty());
}

#[test]
fn a_refused_sign_in_shows_the_status_and_body_but_no_credentials() {
    let c = Console::with(FakeFederation::with_reply(Reply::Error {
        status: 400,
        body: format!("<html><body>\n  Bad   request for {BASE_KEY_ID}\n</body></html>"),
    }));
    let out = c.hat(&["console", "base", "--url"]).run();
    out.failure()
        .stderr_has("HTTP 400")
        .stderr_has("Bad request for")
        .stderr_has("/federation")
        .stderr_lacks("Session=")
        .stderr_lacks(BASE_SECRET);
    let (_, secret, token) = c.assumed("a");
    let out = c.hat(&["console", "a"]).run();
    out.failure().stderr_lacks(&secret).stderr_lacks(&token);
    assert!(c.opened(0).is_empty());
}

#[test]
fn the_browser_is_given_exactly_one_url_and_none_with_url() {
    let c = Console::new();
    let out = c.hat(&["console", "a", "-s", "cfn", "-r", "euw2"]).run();
    out.success()
        .stderr_has("opened the console")
        .stdout_has("");
    assert_eq!(out.stdout, "");
    let calls = c.opened(1);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].len(), 1, "{calls:?}");
    assert_eq!(
        destination(&c.fed, &calls[0][0]),
        "https://eu-west-2.console.aws.amazon.com/cloudformation/home?region=eu-west-2"
    );
    // The URL is a credential: it is not on stderr, even with -v.
    let token = login_params(&calls[0][0]).1["SigninToken"].clone();
    out.stderr_lacks(&token);
    let out = c.hat(&["console", "a", "-v"]).run();
    out.success()
        .stderr_lacks(TOKEN_PREFIX)
        .stderr_lacks("Session=");
    assert_eq!(c.opened(2).len(), 2);
}

#[test]
fn without_a_browser_the_url_goes_to_stderr_with_a_warning() {
    let c = Console::new();
    let empty = c.sandbox.path("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let out = c
        .hat(&["console", "a"])
        .env("BROWSER", "")
        .env("PATH", empty.to_str().unwrap())
        .env("DISPLAY", "")
        .run();
    out.success()
        .stderr_has("could not open a browser")
        .stderr_has("keep it to yourself")
        .stderr_has(TOKEN_PREFIX);
    assert_eq!(out.stdout, "");
}

#[test]
fn unknown_services_pass_through_with_a_warning() {
    let c = Console::new();
    let out = c
        .hat(&["console", "a", "--url", "-s", "braket", "-r", "ue1"])
        .run();
    out.success()
        .stderr_has("does not know the service `braket`");
    assert_eq!(
        destination(&c.fed, &out.stdout),
        "https://us-east-1.console.aws.amazon.com/braket/home?region=us-east-1"
    );
    c.hat(&["console", "a", "--url", "-s", "../etc"])
        .run()
        .failure()
        .stderr_has("--list-services");
}

#[test]
fn a_destination_url_is_used_as_given() {
    let c = Console::new();
    let want = "https://eu-west-1.console.aws.amazon.com/lambda/home#/functions";
    let out = c
        .hat(&["console", "a", "--url", "--destination", want])
        .run();
    out.success();
    assert_eq!(destination(&c.fed, &out.stdout), want);
    c.hat(&["console", "a", "--url", "--destination", "not a url"])
        .run()
        .failure()
        .stderr_has("not a URL");
}

#[test]
fn without_a_profile_the_environment_credentials_sign_in() {
    let c = Console::new();
    let (id, secret, token) = c.assumed("b");
    let out = c
        .hat(&["console", "--url"])
        .env("AWS_ACCESS_KEY_ID", &id)
        .env("AWS_SECRET_ACCESS_KEY", &secret)
        .env("AWS_SESSION_TOKEN", &token)
        .env("AWS_REGION", "eu-central-1")
        .run();
    out.success();
    let (session, _) = c.fed.only_session();
    assert_eq!(
        (session.id, session.key, session.token),
        (id, secret, token)
    );
    assert_eq!(
        destination(&c.fed, &out.stdout),
        "https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1"
    );
    c.hat(&["console"])
        .run()
        .failure()
        .stderr_has("no credentials in this shell");
}

#[test]
fn chromium_browsers_get_one_user_data_dir_per_profile() {
    let c = Console::new();
    let chrome = c.recorder_as("bin/fake-chrome");
    c.sandbox.write(
        "home/.config/hat/config.toml",
        &format!(
            "[console]\nbrowser = \"chrome\"\nbrowser_path = \"{}\"\n",
            chrome.display()
        ),
    );
    c.hat(&["console", "a", "-s", "s3"]).run().success();
    c.hat(&["console", "b", "--browser-profile", "work"])
        .run()
        .success();
    let calls = c.opened(2);
    let state = c
        .sandbox
        .home()
        .join(".local/state/hat/browser-profiles/chrome");
    for (call, dir) in calls.iter().zip(["a", "work"]) {
        let dir = state.join(dir);
        assert_eq!(call.len(), 4, "{call:?}");
        assert_eq!(call[0], format!("--user-data-dir={}", dir.display()));
        assert_eq!(call[1..3], ["--no-first-run", "--no-default-browser-check"]);
        destination(&c.fed, &call[3]);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
    }
}

#[test]
fn firefox_containers_get_the_granted_extension_url() {
    let c = Console::new();
    let firefox = c.recorder_as("bin/firefox");
    c.sandbox.write(
        "home/.config/hat/config.toml",
        "[console]\nbrowser = \"firefox\"\nfirefox_containers = true\n",
    );
    let path = format!("{}:/usr/bin:/bin", firefox.parent().unwrap().display());
    c.hat(&["console", "styled", "-s", "ec2", "-r", "euw1"])
        .env("PATH", &path)
        .run()
        .success();
    let calls = c.opened(1);
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.len(), 2, "{call:?}");
    assert_eq!(call[0], "--new-tab");
    let rest = call[1]
        .strip_prefix("ext+granted-containers:")
        .unwrap_or_else(|| panic!("{call:?}"));
    let params: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(rest.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(params["name"], "styled");
    assert_eq!(params["color"], "blue");
    assert_eq!(params["icon"], "briefcase");
    assert_eq!(
        destination(&c.fed, &params["url"]),
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
    );

    // The profile's granted_browser_profile names the container, as -bp does in
    // Granted; a profile without colour or icon gets neither parameter.
    c.hat(&["console", "personal"])
        .env("PATH", &path)
        .run()
        .success();
    let calls = c.opened(2);
    let rest = calls[1][1]
        .strip_prefix("ext+granted-containers:")
        .unwrap_or_else(|| panic!("{calls:?}"));
    let params: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(rest.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(params["name"], "Personal");
    assert!(
        !params.contains_key("color") && !params.contains_key("icon"),
        "{params:?}"
    );
    destination(&c.fed, &params["url"]);
}

/// Granted #886 and #156: one browser profile for every AWS profile (`[console]
/// browser_profile`), one per profile (`granted_browser_profile`) and Granted's
/// GRANTED_BROWSER_PROFILE; `--browser-profile` first, then the profile's, then the
/// variable, then the settings. Chromium gets that user-data directory, Firefox
/// `-P NAME`.
#[test]
fn a_default_browser_profile_comes_from_the_profile_the_variable_or_the_settings() {
    let c = Console::new();
    let chrome = c.recorder_as("bin/fake-chrome");
    let firefox = c.recorder_as("bin/fake-firefox");
    let settings = |browser: &str, path: &PathBuf| {
        c.sandbox.write(
            "home/.config/hat/config.toml",
            &format!(
                "[console]\nbrowser = \"{browser}\"\nbrowser_path = \"{}\"\nbrowser_profile = \"Work\"\n",
                path.display()
            ),
        );
    };
    settings("chrome", &chrome);
    let state = c
        .sandbox
        .home()
        .join(".local/state/hat/browser-profiles/chrome");
    let cases: [(&[&str], Option<&str>, &str); 4] = [
        (&["console", "a"], None, "Work"),
        (&["console", "personal"], Some("Shared"), "Personal"),
        (&["console", "a"], Some("Shared"), "Shared"),
        (
            &["console", "personal", "--browser-profile", "Flag"],
            None,
            "Flag",
        ),
    ];
    for (n, (args, variable, dir)) in cases.iter().enumerate() {
        let mut run = c.hat(args);
        if let Some(v) = variable {
            run = run.env("GRANTED_BROWSER_PROFILE", v);
        }
        run.run().success();
        let calls = c.opened(n + 1);
        let call = &calls[n];
        assert_eq!(
            call[0],
            format!("--user-data-dir={}", state.join(dir).display()),
            "{args:?}"
        );
        destination(&c.fed, call.last().unwrap());
    }

    settings("firefox", &firefox);
    c.hat(&["console", "a"]).run().success();
    let calls = c.opened(5);
    let call = &calls[4];
    assert_eq!(call[..3], ["-P", "Work", "--new-tab"], "{call:?}");
    destination(&c.fed, &call[3]);
}

#[test]
fn a_mistyped_browser_in_the_settings_file_fails_before_signing_in() {
    let c = Console::new();
    c.sandbox.write(
        "home/.config/hat/config.toml",
        "[console]\nbrowser = \"chrom\"\n",
    );
    c.hat(&["console", "a"])
        .run()
        .failure()
        .stderr_has("config.toml")
        .stderr_has("chromium");
    assert!(c.fed.requests().is_empty());
}

#[test]
fn list_services_matches_the_docs() {
    let c = Console::new();
    let out = c.hat(&["console", "--list-services"]).run();
    out.success().stdout_has("dynamodb").stdout_has("ddb");
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/console.md")).unwrap();
    assert!(
        docs.contains(&format!("```text\n{}```\n", out.stdout)),
        "docs/console.md's service list differs from `hat console --list-services`:\n{}",
        out.stdout
    );
}

#[test]
fn assume_dash_c_works_through_every_shell_function() {
    let c = Console::new();
    for sh in ALL {
        let report = match sh {
            Sh::Fish => {
                "if set -q AWS_PROFILE; echo \"profile=$AWS_PROFILE\"; else; echo profile=none; end"
            }
            _ => "echo \"profile=${AWS_PROFILE:-none}\"",
        };
        let script = format!(
            "{init}\nassume -c c --url -s sm\n{report}\nassume -c c\n{report}\nassume -c -t c\n{report}\nassume -c base --url -s iam\n",
            init = sh.init_line()
        );
        let out = c.setup(sh.run(&c.sandbox, &script)).run();
        out.success();
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(lines.len(), 5, "{}: {}", sh.name(), out.stdout);
        assert_eq!(
            destination(&c.fed, lines[0]),
            "https://us-west-2.console.aws.amazon.com/secretsmanager/home?region=us-west-2",
            "{}",
            sh.name()
        );
        assert_eq!(
            lines[1..4],
            ["profile=none", "profile=none", "profile=c"],
            "{}",
            sh.name()
        );
        // A static-key profile: through GetFederationToken (moto), to a global service.
        assert_eq!(
            destination(&c.fed, lines[4]),
            "https://console.aws.amazon.com/iam/home",
            "{}",
            sh.name()
        );
    }
    // Two opened per shell: `assume -c c` and `assume -c -t c`; none for --url.
    assert_eq!(c.opened(2 * ALL.len()).len(), 2 * ALL.len());
}

#[test]
fn a_text_browser_never_draws_into_what_the_shell_function_evaluates() {
    let c = Console::new();
    let w3m = c.recorder_as("bin/w3m");
    let out = c
        .hat(&["console", "a"])
        .env("BROWSER", w3m.to_str().unwrap())
        .run();
    out.success()
        .stderr_has("text browser (w3m)")
        .stderr_has(TOKEN_PREFIX);
    assert_eq!(out.stdout, "");
    assert!(c.opened(0).is_empty());
}

/// Issue 15: Granted's `-u` is `--url` and `-cd` its console destination, through
/// every shell function; nothing is opened.
#[test]
fn granted_url_and_console_destination_spellings_work_in_every_shell() {
    let c = Console::new();
    let want = "https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1";
    for sh in ALL {
        let script = format!(
            "{init}\nassume c -c -u\nassume c -u -cd '{want}'\nassume c -u -cd='{want}'\n",
            init = sh.init_line()
        );
        let out = c.setup(sh.run(&c.sandbox, &script)).run();
        out.success();
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{}: {}", sh.name(), out.stdout);
        assert_eq!(
            destination(&c.fed, lines[0]),
            "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2",
            "{}",
            sh.name()
        );
        assert_eq!(destination(&c.fed, lines[1]), want, "{}", sh.name());
        assert_eq!(destination(&c.fed, lines[2]), want, "{}", sh.name());
    }
    assert!(c.opened(0).is_empty(), "-u opened a browser");
}
