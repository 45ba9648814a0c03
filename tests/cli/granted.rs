//! Issue 15: Granted's `assume` flags, typed into the real shell function (`hat init
//! SHELL`) of bash, zsh and fish, do what they do in Granted: what the shell gets, what
//! is printed, what the browser (a recording `$BROWSER`) is given, and the status.
//! One table of spellings, run in each shell; then the pieces that need a peer of their
//! own: the `--sso` group against the fake SSO portal, `--exec`'s status, and `--chain`
//! / `--role-arn` against moto with IAM authorization on.

use crate::console::{Console, destination, fake_executable};
use crate::sso::{START_URL, token_path};
use crate::support::shells::{ALL, Sh};
use crate::support::{Sandbox, moto};
use std::collections::BTreeMap;

/// What one spelling should do.
struct Case {
    /// Run first, quietly (`assume b` before `-ar`).
    before: &'static [&'static str],
    /// A variable set for this case only.
    env: Option<(&'static str, &'static str)>,
    words: Vec<String>,
    status: i32,
    /// The shell afterwards: `profile=AWS_PROFILE hat=HAT_PROFILE region=AWS_REGION
    /// key=set|` (`none` for unset variables).
    shell: &'static str,
    printed: Printed,
    /// The console destination the browser is given, if one is opened.
    opened: Option<String>,
    stderr_has: &'static [&'static str],
    stderr_lacks: &'static [&'static str],
    /// Seconds the credentials have left, within this range.
    left: Option<(i64, i64)>,
}

enum Printed {
    Nothing,
    /// The sign-in URL, landing here.
    Url(String),
    Lines(&'static [&'static str]),
}

fn case(words: &[&str], shell: &'static str) -> Case {
    Case {
        before: &[],
        env: None,
        words: words.iter().map(|w| w.to_string()).collect(),
        status: 0,
        shell,
        printed: Printed::Nothing,
        opened: None,
        stderr_has: &[],
        stderr_lacks: &[],
        left: None,
    }
}

impl Case {
    fn before(mut self, words: &'static [&'static str]) -> Case {
        self.before = words;
        self
    }
    fn env(mut self, name: &'static str, value: &'static str) -> Case {
        self.env = Some((name, value));
        self
    }
    fn status(mut self, status: i32) -> Case {
        self.status = status;
        self
    }
    fn url(mut self, to: &str) -> Case {
        self.printed = Printed::Url(to.to_string());
        self
    }
    fn lines(mut self, lines: &'static [&'static str]) -> Case {
        self.printed = Printed::Lines(lines);
        self
    }
    fn opens(mut self, to: &str) -> Case {
        self.opened = Some(to.to_string());
        self
    }
    fn says(mut self, needles: &'static [&'static str]) -> Case {
        self.stderr_has = needles;
        self
    }
    fn never_says(mut self, needles: &'static [&'static str]) -> Case {
        self.stderr_lacks = needles;
        self
    }
    fn left(mut self, low: i64, high: i64) -> Case {
        self.left = Some((low, high));
        self
    }
}

/// A word quoted the same way for bash, zsh and fish (single quotes, nothing inside
/// that fish reads differently).
fn quote(word: &str) -> String {
    assert!(
        !word.contains('\'') && !word.contains("\\\\"),
        "the table's words stay simple: {word}"
    );
    format!("'{word}'")
}

/// Helpers defined in the script: `report` prints the shell's state, `run_case` runs
/// the function and prints its status.
fn prelude(sh: Sh) -> &'static str {
    match sh {
        Sh::Fish => {
            "function report
    set -l p none; set -q AWS_PROFILE; and set p $AWS_PROFILE
    set -l h none; set -q HAT_PROFILE; and set h $HAT_PROFILE
    set -l r none; set -q AWS_REGION; and set r $AWS_REGION
    set -l k ''; set -q AWS_ACCESS_KEY_ID; and set k set
    set -l left 0; set -q HAT_EXPIRES; and set left (math $HAT_EXPIRES - (command date +%s))
    echo \"profile=$p hat=$h region=$r key=$k left=$left\"
end
"
        }
        _ => {
            "report() {
    __left=0
    if [ -n \"${HAT_EXPIRES:-}\" ]; then __left=$((HAT_EXPIRES - $(date +%s))); fi
    echo \"profile=${AWS_PROFILE:-none} hat=${HAT_PROFILE:-none} region=${AWS_REGION:-none} key=${AWS_ACCESS_KEY_ID:+set} left=$__left\"
}
"
        }
    }
}

fn script(sh: Sh, cases: &[Case]) -> String {
    let mut out = format!("{}\n{}", sh.init_line(), prelude(sh));
    for (n, c) in cases.iter().enumerate() {
        let words: Vec<String> = c.words.iter().map(|w| quote(w)).collect();
        let words = words.join(" ");
        if !c.before.is_empty() {
            let before: Vec<String> = c.before.iter().map(|w| quote(w)).collect();
            out.push_str(&format!("assume --quiet {} >/dev/null\n", before.join(" ")));
        }
        if let Some((name, value)) = c.env {
            out.push_str(&match sh {
                Sh::Fish => format!("set -gx {name} {value}\n"),
                _ => format!("export {name}={value}\n"),
            });
        }
        out.push_str(&format!("echo '--case {n}--'; echo '--case {n}--' >&2\n"));
        out.push_str(&match sh {
            Sh::Fish => format!("assume {words}\necho \"status=$status\"\n"),
            _ => format!("st=0; assume {words} || st=$?; echo \"status=$st\"\n"),
        });
        out.push_str("report\n");
        if let Some((name, _)) = c.env {
            out.push_str(&match sh {
                Sh::Fish => format!("set -e {name}\n"),
                _ => format!("unset {name}\n"),
            });
        }
        out.push_str("assume --unset\n");
    }
    out
}

/// The text after each `--case N--` marker line, by N.
fn sections(text: &str) -> BTreeMap<usize, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        if let Some(n) = line
            .strip_prefix("--case ")
            .and_then(|rest| rest.trim_end().strip_suffix("--"))
            .and_then(|n| n.parse().ok())
        {
            current = Some(n);
            out.insert(n, String::new());
        } else if let Some(n) = current {
            out.get_mut(&n).unwrap().push_str(line);
        }
    }
    out
}

const HOME_US_WEST_2: &str =
    "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2";
const HOME_EU_WEST_1: &str =
    "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1";
const LAMBDA: &str = "https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1";
const EC2: &str = "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1";

fn table(elsewhere: &str) -> Vec<Case> {
    let c_in_shell = "profile=c hat=c region=us-west-2 key=set";
    let nothing = "profile=none hat=none region=none key=";
    let b_in_shell = "profile=b hat=b region=eu-west-1 key=set";
    vec![
        // The console: -c, -t, -u, -s, -r, -cd, -bp, -ar; -e wins over -c.
        case(&["c", "-c"], nothing).opens(HOME_US_WEST_2),
        case(&["c", "--console"], nothing).opens(HOME_US_WEST_2),
        case(&["c", "-c", "-t"], c_in_shell).opens(HOME_US_WEST_2),
        case(&["c", "--console", "--terminal"], c_in_shell).opens(HOME_US_WEST_2),
        case(&["c", "-t"], c_in_shell),
        case(&["c", "-u"], nothing).url(HOME_US_WEST_2),
        case(&["c", "--url", "-s", "lambda", "-r", "euw1"], nothing).url(LAMBDA),
        case(&["c", "-s", "ec2", "-r", "euw1"], nothing).opens(EC2),
        case(&["c", "--service", "ec2", "--region", "eu-west-1"], nothing).opens(EC2),
        case(&["c", "-u", "-cd", LAMBDA], nothing).url(LAMBDA),
        case(&["c", &format!("-cd={LAMBDA}"), "-u"], nothing).url(LAMBDA),
        case(&["c", "--url", "--console-destination", LAMBDA], nothing).url(LAMBDA),
        case(&["c", "-bp", "work"], nothing)
            .opens(HOME_US_WEST_2)
            .says(&["--browser-profile needs a browser named in [console]"]),
        case(&["c", "--browser-profile", "work", "-u"], nothing).url(HOME_US_WEST_2),
        // -ar: the console of AWS_PROFILE; the shell keeps what it had, or with -t
        // gets the profile again.
        case(&["-ar"], b_in_shell)
            .before(&["b", "-r", "euw1"])
            .opens(HOME_EU_WEST_1),
        case(&["--active-role", "-t", "-u"], b_in_shell)
            .before(&["b", "-r", "euw1"])
            .url(HOME_EU_WEST_1),
        case(&["c", "-c", "-e"], c_in_shell).says(&["wrote c credentials to .env"]),
        // Into the shell: -r, -d, --mfa-token, -x, --no-cache and GRANTED_NO_CACHE.
        case(
            &["c", "-r", "euw1"],
            "profile=c hat=c region=eu-west-1 key=set",
        ),
        case(
            &["c", "--region", "eu-west-1"],
            "profile=c hat=c region=eu-west-1 key=set",
        ),
        case(&["c", "-d", "30m", "--no-cache"], c_in_shell).left(1700, 1800),
        case(&["c", "--duration", "45m", "--no-cache"], c_in_shell).left(2600, 2700),
        case(&["c", "-d", "0.25h", "--no-cache"], c_in_shell).left(800, 900),
        case(&["mfa", "--no-cache"], nothing)
            .status(1)
            .says(&["needs an MFA code", "pass it with --mfa-token CODE"]),
        case(
            &["mfa", "--mfa-token", "123456", "--no-cache"],
            "profile=mfa hat=mfa region=none key=set",
        ),
        case(&["proc", "-x"], "profile=proc hat=proc region=none key=set"),
        case(
            &["proc", "--export-all-env-vars"],
            "profile=proc hat=proc region=none key=set",
        ),
        case(&["c", "-v"], c_in_shell)
            .before(&["c"])
            .says(&["profile c: cached"])
            .never_says(&["profile c: AssumeRole"]),
        case(&["c", "--no-cache", "-v"], c_in_shell)
            .before(&["c"])
            .says(&["profile c: AssumeRole"]),
        case(&["c", "-v"], c_in_shell)
            .before(&["c"])
            .env("GRANTED_NO_CACHE", "true")
            .says(&["profile c: AssumeRole"]),
        case(&["c"], c_in_shell)
            .env("GRANTED_QUIET", "true")
            .never_says(&["assumed c"]),
        case(&["c"], c_in_shell).says(&["assumed c in us-west-2"]),
        case(&["c"], nothing)
            .env("GRANTED_NO_CACHE", "maybe")
            .status(1)
            .says(&["GRANTED_NO_CACHE is `maybe`"]),
        // Files: -e, -ex, -es (no SSO here), --aws-config-file.
        case(&["c", "-e"], c_in_shell).says(&["wrote c credentials to .env"]),
        case(&["c", "--env"], c_in_shell).says(&["wrote c credentials to .env"]),
        case(&["c", "-ex"], c_in_shell).says(&["wrote profile `c-hat` to"]),
        case(&["c", "--export"], c_in_shell).says(&["wrote profile `c-hat` to"]),
        case(&["c", "-es"], c_in_shell).says(&["no SSO token to export"]),
        case(&["c", "--export-sso-token"], c_in_shell).says(&["no SSO token to export"]),
        case(
            &["elsewhere", "--aws-config-file", elsewhere],
            "profile=none hat=elsewhere region=eu-west-1 key=set",
        )
        .says(&["AWS_PROFILE is not exported: profile `elsewhere` is in"]),
        // Unset.
        case(&["-un"], nothing).before(&["c"]),
        case(&["--unset"], nothing).before(&["c"]),
        // --exec, both of Granted's forms: the command gets the role, the shell not.
        case(
            &["c", "--exec", "echo \"in=$AWS_PROFILE/$AWS_REGION\""],
            nothing,
        )
        .lines(&["in=c/us-west-2"]),
        case(
            &["c", "--exec", "--", "printf", "%s|\\n", "a b", "$HOME"],
            nothing,
        )
        .lines(&["a b|", "$HOME|"]),
        // Taken and harmless, or refused with the reason.
        case(
            &["c", "-y", "--wait", "--skip-profile-registry-sync"],
            c_in_shell,
        ),
        case(&["c", "--confirm"], c_in_shell),
        case(&["c", "-pt", "x"], nothing)
            .status(1)
            .says(&["proxy assumers"]),
        case(&["c", "--pass-through", "x"], nothing)
            .status(1)
            .says(&["proxy assumers"]),
        case(&["c", "--reason", "incident"], nothing)
            .status(1)
            .says(&["Common Fate access request"]),
        case(&["c", "--browser-launch-template-arg", "a=b"], nothing)
            .status(1)
            .says(&["no launch templates"]),
        case(&["--auto-configure-shell"], nothing)
            .status(1)
            .says(&["never edits it"]),
    ]
}

/// Every Granted spelling of the issue, in each shell through the real wrapper.
#[test]
fn every_granted_spelling_does_what_granted_does_in_every_shell() {
    let c = Console::new();
    let creds = fake_executable(
        &c.sandbox,
        "bin/creds",
        "#!/bin/sh\nprintf '%s' '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESSEXAMPLE1\", \"SecretAccessKey\": \"processSecret\"}'\n",
    );
    c.sandbox.config(&format!(
        "{}\n[profile proc]\ncredential_process = {}\n",
        crate::console::config(),
        creds.display()
    ));
    let elsewhere = c.sandbox.write(
        "elsewhere/config",
        "[profile basex]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[profile elsewhere]\nrole_arn = arn:aws:iam::555555555555:role/elsewhere\nsource_profile = basex\nregion = eu-west-1\n",
    );
    let cases = table(elsewhere.to_str().unwrap());
    let mut want_opened: Vec<String> = Vec::new();
    for sh in ALL {
        let out = c.setup(sh.run(&c.sandbox, &script(sh, &cases))).run();
        out.success();
        let stdout = sections(&out.stdout);
        let stderr = sections(&out.stderr);
        for (n, case) in cases.iter().enumerate() {
            let what = format!("{} `assume {}`", sh.name(), case.words.join(" "));
            let text = &stdout[&n];
            let err = &stderr[&n];
            let lines: Vec<&str> = text.lines().collect();
            let at = lines
                .iter()
                .position(|l| l.starts_with("status="))
                .unwrap_or_else(|| panic!("{what}: no status:\n{text}\n{err}"));
            assert_eq!(
                lines[at],
                format!("status={}", case.status),
                "{what}:\n{text}\n{err}"
            );
            let (state, left) = lines[at + 1]
                .rsplit_once(" left=")
                .unwrap_or_else(|| panic!("{what}: {text}"));
            assert_eq!(state, case.shell, "{what}:\n{err}");
            if let Some((low, high)) = case.left {
                let left: i64 = left.parse().unwrap();
                assert!((low..=high).contains(&left), "{what}: {left}s left");
            }
            let printed = &lines[..at];
            match &case.printed {
                Printed::Nothing => assert!(printed.is_empty(), "{what}: printed {printed:?}"),
                Printed::Lines(want) => assert_eq!(printed, *want, "{what}:\n{err}"),
                Printed::Url(to) => {
                    assert_eq!(printed.len(), 1, "{what}: {printed:?}\n{err}");
                    assert_eq!(&destination(&c.fed, printed[0]), to, "{what}");
                }
            }
            for needle in case.stderr_has {
                assert!(err.contains(needle), "{what}: no `{needle}` in:\n{err}");
            }
            for needle in case.stderr_lacks {
                assert!(!err.contains(needle), "{what}: `{needle}` in:\n{err}");
            }
            if case.status != 0 {
                assert!(err.contains("hat: error:"), "{what}: {err}");
            }
            want_opened.extend(case.opened.clone());
        }
    }
    // What the browser was given, across every shell and case.
    let calls = c.opened(want_opened.len());
    let mut got: Vec<String> = calls
        .iter()
        .map(|call| {
            assert_eq!(call.len(), 1, "{call:?}");
            destination(&c.fed, &call[0])
        })
        .collect();
    got.sort();
    want_opened.sort();
    assert_eq!(got, want_opened);
    let dotenv = std::fs::read_to_string(c.sandbox.path(".env")).expect(".env written");
    assert!(dotenv.contains("AWS_PROFILE=c\n"), "{dotenv}");
    let file = std::fs::read_to_string(c.sandbox.home().join(".aws/credentials")).unwrap();
    assert_eq!(file.matches("[c-hat]").count(), 1, "{file}");
}

/// Issue 15: with --exec, the function returns the command's status in every shell;
/// when hat itself fails, the command does not run and hat says why.
#[test]
fn exec_returns_the_commands_status_and_hats_failure_runs_nothing() {
    let sandbox = Sandbox::new();
    sandbox.config(crate::support::CHAIN_CONFIG);
    for sh in ALL {
        let status = match sh {
            Sh::Fish => "echo \"status=$status\"",
            _ => "echo \"status=$?\"",
        };
        let guard = match sh {
            Sh::Fish => "",
            _ => "set +e\n",
        };
        let script = format!(
            "{init}\n{guard}assume c --exec 'exit 7'\n{status}\nassume c --exec -- sh -c 'exit 0'\n{status}\nassume nosuch --exec 'touch ran'\n{status}\nassume c --exec 'true'\n{status}\n",
            init = sh.init_line()
        );
        let out = sh.run(&sandbox, &script).sts(moto::url()).run();
        out.success().stderr_has("hat: error:");
        assert_eq!(
            out.stdout.lines().collect::<Vec<_>>(),
            ["status=7", "status=0", "status=1", "status=0"],
            "{}: {}",
            sh.name(),
            out.stderr
        );
        assert!(
            !sandbox.path("ran").exists(),
            "{}: the command ran",
            sh.name()
        );
    }
}

/// Issue 15: Granted's `--sso` group assumes an SSO role with no profile, and
/// `--save-to NAME` saves it as `[profile NAME]` that the AWS CLI and hat read, in
/// place of a profile of that name and keeping every other byte; `-es` says where the
/// token the AWS CLI reads is.
#[test]
fn sso_flags_assume_a_role_and_save_to_writes_a_profile_the_aws_cli_reads() {
    let sb = Sandbox::new();
    let mine = "# my profiles\n[profile keep]\nregion = eu-west-2 ; mine\n\n[profile saved]\nrole_arn = arn:aws:iam::1:role/old\nsource_profile = keep\n\n[profile after]\nregion = us-east-2\n";
    sb.config(mine);
    let fake = crate::sso::signed_in(&sb, START_URL);
    let token = token_path(&sb, START_URL);
    let config = sb.home().join(".aws/config");
    let mut texts = Vec::new();
    for sh in ALL {
        let report = "report";
        let script = format!(
            "{init}\n{prelude}assume --sso --sso-start-url {START_URL} --sso-region eu-west-1 --account-id 111111111111 --role-name Admin --save-to saved\n{report}\nassume --unset\nassume saved -es\n{report}\nassume --sso-start-url {START_URL} --sso-region eu-west-1 --account-id 111111111111 --role-name Admin\n{report}\n",
            init = sh.init_line(),
            prelude = prelude(sh)
        );
        let out = crate::sso::with_fake(sh.run(&sb, &script), &fake).run();
        out.success()
            .stderr_has("saved [profile saved] in")
            .stderr_has(&format!(
                "-es: the SSO token of {START_URL} is in {}",
                token.display()
            ));
        let states: Vec<&str> = out
            .stdout
            .lines()
            .map(|l| l.rsplit_once(" left=").map_or(l, |(state, _)| state))
            .collect();
        assert_eq!(
            states,
            [
                "profile=saved hat=saved region=eu-west-1 key=set",
                "profile=saved hat=saved region=eu-west-1 key=set",
                "profile=none hat=111111111111/Admin region=eu-west-1 key=set",
            ],
            "{}: {}",
            sh.name(),
            out.stderr
        );
        texts.push(std::fs::read_to_string(&config).unwrap());
    }
    // Saving again changes nothing; the rest of the file is as it was.
    assert!(texts.windows(2).all(|w| w[0] == w[1]), "{texts:?}");
    assert_eq!(
        texts[0],
        "# my profiles\n[profile keep]\nregion = eu-west-2 ; mine\n\n[profile after]\nregion = us-east-2\n\n[profile saved]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\n"
    );
    for (key, want) in [
        ("sso_start_url", START_URL),
        ("sso_account_id", "111111111111"),
        ("sso_role_name", "Admin"),
    ] {
        assert_eq!(sb.aws_get("saved", key), want);
    }
    sb.assume(&[
        "--sso-start-url",
        START_URL,
        "--sso-region",
        "eu-west-1",
        "--account-id",
        "1",
        "--role-name",
        "A",
        "--save-to",
        "no good",
    ])
    .run()
    .failure()
    .stderr_has("is not a name hat saves a profile under");
}

/// moto with IAM authorization on and its recorder writing every request to
/// `record`, and in it user `alice` (keys) and roles `hop1`, which only alice may
/// assume and which may assume roles, and `hop2`, which may not (moto checks an
/// identity policy's actions, not its resources). Returns the URL and alice's keys.
fn iam_world(sandbox: &Sandbox, record: &std::path::Path) -> (String, String, String) {
    // Seven set-up calls are let through unsigned; every call after is checked.
    let url = moto::start_recording_with_auth(7, record);
    let aws = |args: &[&str]| moto::admin(sandbox, &url, args);
    // moto checks trust policies too, matching principals exactly (a role's ARN does
    // not match its sessions): hop1 trusts alice alone, hop2 anyone.
    let trust = |principal: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
        )
    };
    let allow = |actions: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{actions}],"Resource":"*"}}]}}"#
        )
    };
    let chains = allow(r#""sts:AssumeRole","sts:GetCallerIdentity""#);
    let whoami = allow(r#""sts:GetCallerIdentity""#);
    aws(&["iam", "create-user", "--user-name", "alice"]);
    let key = aws(&["iam", "create-access-key", "--user-name", "alice"]);
    for (role, principal) in [
        ("hop1", "arn:aws:iam::123456789012:user/alice"),
        ("hop2", "*"),
    ] {
        aws(&[
            "iam",
            "create-role",
            "--role-name",
            role,
            "--assume-role-policy-document",
            &trust(principal),
        ]);
    }
    aws(&[
        "iam",
        "put-user-policy",
        "--user-name",
        "alice",
        "--policy-name",
        "chains",
        "--policy-document",
        &chains,
    ]);
    for (role, policy) in [("hop1", &chains), ("hop2", &whoami)] {
        aws(&[
            "iam",
            "put-role-policy",
            "--role-name",
            role,
            "--policy-name",
            "p",
            "--policy-document",
            policy,
        ]);
    }
    let id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    (url, id, secret)
}

/// The AssumeRole calls moto recorded from line `from` on: (role ARN, the access key
/// id that signed the request).
fn assume_role_calls(record: &std::path::Path, from: usize) -> Vec<(String, String)> {
    use base64::Engine;
    let text = std::fs::read_to_string(record).unwrap_or_default();
    text.lines()
        .skip(from)
        .filter_map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).unwrap();
            let body = entry["body"].as_str().unwrap_or("");
            let body = if entry["body_encoded"].as_bool() == Some(true) {
                base64::engine::general_purpose::STANDARD
                    .decode(body)
                    .unwrap()
            } else {
                body.as_bytes().to_vec()
            };
            let params: BTreeMap<String, String> =
                url::form_urlencoded::parse(&body).into_owned().collect();
            if params.get("Action").map(String::as_str) != Some("AssumeRole") {
                return None;
            }
            let auth = entry["headers"]["Authorization"].as_str().unwrap();
            let key = auth
                .split("Credential=")
                .nth(1)
                .and_then(|c| c.split('/').next())
                .unwrap()
                .to_string();
            Some((params["RoleArn"].clone(), key))
        })
        .collect()
}

const HOP1: &str = "arn:aws:iam::123456789012:role/hop1";
const HOP2: &str = "arn:aws:iam::123456789012:role/hop2";

/// Issue 15: `--chain ARN` (Granted) and `--role-arn ARN --source-profile P` (awsume)
/// through each shell's function against moto enforcing IAM. moto's recorder shows the
/// key that signed each AssumeRole: hop1 by alice's, hop2 by hop1's session; the
/// awsume spelling of the same role is served from the cache with no STS call; `-d`
/// over an hour is capped to the hour STS allows a chained role; and with no profile
/// the shell's own keys are the base (alice's, then the shell's hop2 session, which
/// may not assume roles and is refused).
#[test]
fn chain_and_role_arn_sign_each_hop_with_the_one_before_against_moto_with_iam() {
    let sandbox = Sandbox::new();
    let record = sandbox.path("moto-record.jsonl");
    let (url, id, secret) = iam_world(&sandbox, &record);
    sandbox.config(&format!(
        "[profile alice]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\nregion = us-east-1\n\n[profile p1]\nrole_arn = {HOP1}\nsource_profile = alice\n"
    ));
    for sh in ALL {
        let seen = std::fs::read_to_string(&record)
            .unwrap_or_default()
            .lines()
            .count();
        // --region: with no profile, the shell has none.
        let whoami = "aws sts get-caller-identity --query Arn --output text --region us-east-1";
        let (key, left, status) = match sh {
            Sh::Fish => (
                "echo key=$AWS_ACCESS_KEY_ID",
                "echo left=(math $HAT_EXPIRES - (command date +%s))",
                "echo status=$status",
            ),
            _ => (
                "echo key=$AWS_ACCESS_KEY_ID",
                "echo left=$((HAT_EXPIRES - $(date +%s)))",
                "echo status=$?",
            ),
        };
        let profile = match sh {
            Sh::Fish => {
                "set -q AWS_PROFILE; and echo profile=$AWS_PROFILE; or echo profile=none; echo hat=$HAT_PROFILE"
            }
            _ => "echo profile=${AWS_PROFILE:-none}; echo hat=$HAT_PROFILE",
        };
        let script = format!(
            "{init}
assume p1 -v
{key}
{whoami}
assume p1 --chain {HOP2} -v
{key}
{whoami}
{profile}
assume --role-arn {HOP2} --source-profile p1 -v
{key}
assume p1 --chain {HOP2} -d 2h
{left}
assume --unset
{export_alice}
assume --chain {HOP1} -v
{key}
{whoami}
{profile}
assume --chain {HOP2} -v
{key}
{whoami}
{profile}
{plus_e}assume --chain {HOP1}
{status}
",
            init = sh.init_line(),
            export_alice = match sh {
                Sh::Fish => format!(
                    "set -gx AWS_ACCESS_KEY_ID {id}; set -gx AWS_SECRET_ACCESS_KEY {secret}"
                ),
                _ => format!("export AWS_ACCESS_KEY_ID={id} AWS_SECRET_ACCESS_KEY={secret}"),
            },
            plus_e = if sh == Sh::Fish { "" } else { "set +e\n" },
        );
        let cache = sandbox.path(&format!("cache-{}", sh.name()));
        let out = sh
            .run(&sandbox, &script)
            .sts(&url)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("HAT_CACHE_DIR", cache.to_str().unwrap())
            .run();
        out.success();
        let what = format!("{}: {}\n{}", sh.name(), out.stdout, out.stderr);
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(lines.len(), 17, "{what}");
        let key_at = |i: usize| lines[i].strip_prefix("key=").unwrap().to_string();
        let (k1, k2, k3, k4) = (key_at(0), key_at(2), key_at(8), key_at(12));
        let role = |i: usize, name: &str| {
            assert!(
                lines[i].starts_with(&format!("arn:aws:sts::123456789012:assumed-role/{name}/")),
                "line {i} is not {name}: {what}"
            );
        };
        role(1, "hop1");
        role(3, "hop2");
        // AWS_PROFILE stays the profile the AWS CLI can read.
        assert_eq!(lines[4..6], ["profile=p1", "hat=p1"], "{what}");
        // The awsume spelling of the same role: the same, cached credentials.
        assert_eq!(key_at(6), k2, "{what}");
        let left: i64 = lines[7].strip_prefix("left=").unwrap().parse().unwrap();
        assert!((3500..=3600).contains(&left), "capped at an hour: {what}");
        role(9, "hop1");
        assert_eq!(
            lines[10..12],
            ["profile=none", &format!("hat={HOP1}")],
            "{what}"
        );
        role(13, "hop2");
        assert_eq!(
            lines[14..16],
            ["profile=none", &format!("hat={HOP2}")],
            "{what}"
        );
        assert_eq!(lines[16], "status=1", "{what}");

        // Who signed each AssumeRole, in order.
        let calls = assume_role_calls(&record, seen);
        let want: Vec<(String, String)> = [
            (HOP1, id.as_str()), // assume p1: alice's keys
            (HOP2, k1.as_str()), // --chain: p1's session, from the cache
            (HOP2, k1.as_str()), // -d 2h (its own cache entry): p1's session again
            (HOP1, id.as_str()), // no profile: alice's keys from the shell
            (HOP2, k3.as_str()), // no profile: the shell's hop1 session
            (HOP1, k4.as_str()), // the shell's hop2 session, refused by IAM
        ]
        .iter()
        .map(|(r, k)| (r.to_string(), k.to_string()))
        .collect();
        assert_eq!(calls, want, "{what}");
        let err = &out.stderr;
        assert!(
            err.contains(&format!("profile p1 --chain {HOP2}: cached")),
            "the --role-arn run is served from the cache: {what}"
        );
        assert!(
            err.contains("limits to 1h; asking for 1h instead of 2h"),
            "{what}"
        );
        assert!(
            err.contains("assumed-role/hop2/")
                && err.contains("is not authorized to perform: sts:AssumeRole"),
            "{what}"
        );
    }
}

/// Issue 15: `-es` on a profile whose SSO token has fewer than 15 minutes left
/// refreshes it where the AWS CLI reads it (what Granted's -es is for: a token the AWS
/// CLI can use), while the role's credentials still come from hat's cache.
#[test]
fn export_sso_token_refreshes_a_token_about_to_expire() {
    let sb = Sandbox::new();
    sb.config(&format!(
        "[profile dev]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
    ));
    let fake = crate::sso::signed_in(&sb, START_URL);
    let sh = Sh::Bash;
    let first = format!("{}\nassume dev\n", sh.init_line());
    crate::sso::with_fake(sh.run(&sb, &first), &fake)
        .run()
        .success();
    // Ten minutes left: inside the AWS CLI's refresh window.
    let (_, refresh) = crate::sso::cli_writes_token(&sb, &fake, START_URL, 600);
    let token = token_path(&sb, START_URL);
    let before = std::fs::read_to_string(&token).unwrap();
    let second = format!("{}\nassume dev -es -v\n", sh.init_line());
    let out = crate::sso::with_fake(sh.run(&sb, &second), &fake).run();
    out.success()
        .stderr_has("profile dev: cached")
        .stderr_has(&format!("-es: the SSO token of {START_URL} is in"))
        .stderr_lacks(&refresh);
    assert_eq!(
        fake.calls("GetRoleCredentials"),
        1,
        "the role came from the cache"
    );
    assert_eq!(fake.calls("CreateToken:refresh_token"), 1);
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&token).unwrap()).unwrap();
    let before: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert_ne!(after["accessToken"], before["accessToken"]);
    assert!(
        after["expiresAt"].as_str().unwrap() > before["expiresAt"].as_str().unwrap(),
        "{after}"
    );
}
