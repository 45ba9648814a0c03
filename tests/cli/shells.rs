//! The shell functions in real bash, zsh and fish: strict flags, the AWS CLI reading
//! what was exported, `--unset`, exit statuses, and hostile values that must come back
//! byte for byte without anything being executed.

use crate::support::shells::{ALL, Sh, awsume_expiration};
use crate::support::{CHAIN_CONFIG, HAT, Sandbox, moto, require};
use hat::emit::{Exports, MANAGED, Shell};

fn managed_list() -> String {
    MANAGED.join(" ")
}

/// Prints `NAME=set` or `NAME=unset` for every managed variable.
fn report(sh: Sh) -> String {
    match sh {
        Sh::Fish => format!(
            "for v in {}; if set -q $v; echo \"$v=set\"; else; echo \"$v=unset\"; end; end",
            managed_list()
        ),
        _ => format!(
            "for v in {}; do if [ -n \"$(eval \"printf %s \\\"\\${{$v+x}}\\\"\")\" ]; then echo \"$v=set\"; else echo \"$v=unset\"; fi; done",
            managed_list()
        ),
    }
}

#[test]
fn init_scripts_load_silently_under_strict_flags() {
    let sandbox = Sandbox::new();
    for sh in ALL {
        // Loading twice is harmless.
        let script = format!("{0}\n{0}\n", sh.init_line());
        let out = sh.run(&sandbox, &script).run();
        out.success();
        assert_eq!(out.stdout, "", "{} printed on init", sh.name());
        assert_eq!(out.stderr, "", "{} printed on init", sh.name());
    }
}

#[test]
fn assume_in_every_shell_gives_the_aws_cli_the_role_and_unset_removes_it() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for sh in ALL {
        let script = format!(
            "{init}\nassume c\naws sts get-caller-identity --query Arn --output text\necho \"region=$AWS_REGION profile=$AWS_PROFILE\"\n{report}\nassume --unset\necho ---\n{report}\n",
            init = sh.init_line(),
            report = report(sh)
        );
        let out = sh
            .run(&sandbox, &script)
            .sts(moto::url())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .run();
        out.success();
        let (before, after) = out.stdout.split_once("---\n").expect("marker");
        assert!(
            // fish sets $USER itself, so the session name is hat-<whoever runs the tests>.
            before.contains("arn:aws:sts::333333333333:assumed-role/c/hat-"),
            "{}: {}",
            sh.name(),
            out.stdout
        );
        assert!(
            before.contains("region=us-west-2 profile=c"),
            "{}: {before}",
            sh.name()
        );
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "HAT_EXPIRES"] {
            assert!(
                before.contains(&format!("{name}=set")),
                "{}: {name}",
                sh.name()
            );
        }
        for name in MANAGED {
            assert!(
                after.contains(&format!("{name}=unset")),
                "{}: {name} survived --unset:\n{after}",
                sh.name()
            );
        }
    }
}

#[test]
fn a_failed_assume_returns_its_status_and_changes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for sh in ALL {
        let script = match sh {
            Sh::Fish => format!(
                "{}\nset -gx AWS_PROFILE keep\nassume nope; echo \"status=$status\"; echo \"profile=$AWS_PROFILE\"",
                sh.init_line()
            ),
            _ => format!(
                "{}\nexport AWS_PROFILE=keep\nst=0; assume nope || st=$?; echo \"status=$st\"; echo \"profile=$AWS_PROFILE\"",
                sh.init_line()
            ),
        };
        let out = sh.run(&sandbox, &script).run();
        out.success().stderr_has("no profile named `nope`");
        assert!(
            out.stdout.contains("status=1\n"),
            "{}: {}",
            sh.name(),
            out.stdout
        );
        assert!(
            out.stdout.contains("profile=keep"),
            "{}: {}",
            sh.name(),
            out.stdout
        );
    }
}

#[test]
fn an_alias_with_the_same_name_does_not_break_the_function() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for sh in [Sh::Bash, Sh::Zsh] {
        let script = format!(
            "shopt -s expand_aliases 2>/dev/null || true\nalias assume='echo aliased'\n{}\nassume base\necho \"p=$AWS_PROFILE\"",
            sh.init_line()
        );
        let out = sh.run(&sandbox, &script).run();
        out.success().stdout_has("p=base");
        assert!(
            !out.stdout.contains("aliased"),
            "{}: {}",
            sh.name(),
            out.stdout
        );
    }
}

#[test]
fn custom_command_name_works() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for sh in ALL {
        let init = match sh {
            Sh::Fish => format!("'{HAT}' init fish --cmd wear | source"),
            _ => format!("eval \"$('{HAT}' init {} --cmd wear)\"", sh.name()),
        };
        let out = sh
            .run(
                &sandbox,
                &format!("{init}\nwear base\necho \"p=$AWS_PROFILE\""),
            )
            .run();
        out.success().stdout_has("p=base");
    }
}

const HOSTILE: &[&str] = &[
    "",
    "x$(touch pwned)",
    "a'b",
    "a\"b",
    "`touch pwned`",
    "back\\slash\\",
    "two\nlines\n",
    " spaced  out ",
    "ünïcødé ☃ 🎩",
    "$HOME ${HOME} %s \\n ; & | > < * ? [ ] # ~",
    "'; touch pwned; echo '",
    "\\'",
];

/// Every hostile value through each escaper, evaluated by the real shell, read back byte
/// for byte, and nothing executed.
#[test]
fn hostile_values_round_trip_through_every_shell() {
    let sandbox = Sandbox::new();
    for sh in ALL {
        for (index, value) in HOSTILE.iter().enumerate() {
            let mut exports = Exports::cleared();
            exports
                .set("AWS_SESSION_TOKEN", *value)
                .set("AWS_PROFILE", *value);
            let shell = match sh {
                Sh::Bash => Shell::Bash,
                Sh::Zsh => Shell::Zsh,
                Sh::Fish => Shell::Fish,
                Sh::Nu => Shell::Nu,
            };
            let code = sandbox.write(
                &format!("code-{}-{index}", sh.name()),
                &exports.render(shell),
            );
            let out_file = sandbox.path(&format!("out-{}-{index}", sh.name()));
            let script = match sh {
                Sh::Fish => format!(
                    "source '{}'; printf '%s' \"$AWS_SESSION_TOKEN\" > '{}'",
                    code.display(),
                    out_file.display()
                ),
                _ => format!(
                    ". '{}'; printf '%s' \"$AWS_SESSION_TOKEN\" > '{}'",
                    code.display(),
                    out_file.display()
                ),
            };
            sh.run(&sandbox, &script).run().success();
            let back = std::fs::read_to_string(&out_file).unwrap();
            assert_eq!(back, *value, "{} mangled {value:?}", sh.name());
        }
        assert!(
            !sandbox.path("pwned").exists(),
            "{} executed a value",
            sh.name()
        );
    }
}

/// The same, end to end: a credential_process and a config that hand hat hostile
/// values, and `assume` in each shell.
#[test]
fn hostile_values_from_profiles_reach_the_shell_intact() {
    let sandbox = Sandbox::new();
    let key = "AKIA$(touch pwned)`touch pwned`'\"";
    let secret = "sec ret\nline2 \\ ünï";
    let token = "'; touch pwned; echo '";
    let json = serde_json::json!({"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret, "SessionToken": token});
    let json_file = sandbox.write("creds.json", &json.to_string());
    sandbox.config(&format!(
        "[profile odd.name@x:y+z/w%]\ncredential_process = cat {}\nregion = eu$(touch pwned)'x\n",
        json_file.display()
    ));
    for sh in ALL {
        let dump = |var: &str| {
            format!(
                "printf '%s' \"${var}\" > '{}'",
                sandbox.path(&format!("{}-{var}", sh.name())).display()
            )
        };
        let script = format!(
            "{}\nassume 'odd.name@x:y+z/w%'\n{}\n{}\n{}\n{}\n{}",
            sh.init_line(),
            dump("AWS_ACCESS_KEY_ID"),
            dump("AWS_SECRET_ACCESS_KEY"),
            dump("AWS_SESSION_TOKEN"),
            dump("AWS_REGION"),
            dump("AWS_PROFILE"),
        );
        sh.run(&sandbox, &script).run().success();
        let read = |var: &str| {
            std::fs::read_to_string(sandbox.path(&format!("{}-{var}", sh.name()))).unwrap()
        };
        assert_eq!(read("AWS_ACCESS_KEY_ID"), key, "{}", sh.name());
        assert_eq!(read("AWS_SECRET_ACCESS_KEY"), secret, "{}", sh.name());
        assert_eq!(read("AWS_SESSION_TOKEN"), token, "{}", sh.name());
        assert_eq!(read("AWS_REGION"), "eu$(touch pwned)'x", "{}", sh.name());
        assert_eq!(read("AWS_PROFILE"), "odd.name@x:y+z/w%", "{}", sh.name());
    }
    assert!(!sandbox.path("pwned").exists());
}

#[test]
fn help_through_the_function_is_not_evaluated() {
    let sandbox = Sandbox::new();
    for sh in ALL {
        let out = sh
            .run(&sandbox, &format!("{}\nassume --help", sh.init_line()))
            .run();
        out.success().stderr_has("Usage:");
        assert_eq!(out.stdout, "", "{}", sh.name());
    }
}

#[test]
fn init_refuses_shells_it_has_no_function_for() {
    Sandbox::new()
        .hat(&["init", "sh"])
        .run()
        .failure()
        .code(2)
        .stderr_has("[possible values: bash, zsh, fish, nu]");
}

/// Every way `hat init SHELL` can render: the default and custom `--cmd` names (one
/// with the `_` and `-` a name may hold), each with `--auto-reassume` off and on (and
/// [`lint_every_rendering`] renders each with `[shell] awsume_variables` off and on).
/// Checking each keeps a substitution from breaking one rendering unseen.
fn renderings(shell: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for cmd in ["assume", "wear", "_hat-2"] {
        for auto in [false, true] {
            let mut args: Vec<String> = ["init", shell, "--cmd", cmd]
                .iter()
                .map(|s| s.to_string())
                .collect();
            if auto {
                args.push("--auto-reassume".into());
            }
            out.push(args);
        }
    }
    out
}

/// Renders each of [`renderings`] into a file and runs `lint` on it; a missing linter
/// fails the test (scripts/test installs them all).
#[track_caller]
fn lint_every_rendering(shell: &str, linter: &str, lint_args: &[&str]) {
    let linter = require(linter);
    let sandbox = Sandbox::new();
    let all = renderings(shell);
    // Each again with `[shell] awsume_variables = true`, which `hat init` reads.
    let settings = [None, Some("[shell]\nawsume_variables = true\n")];
    for (i, (args, toml)) in settings
        .iter()
        .flat_map(|toml| all.iter().map(move |args| (args, toml)))
        .enumerate()
    {
        match toml {
            Some(text) => drop(sandbox.write("home/.config/hat/config.toml", text)),
            None => drop(std::fs::remove_file(
                sandbox.path("home/.config/hat/config.toml"),
            )),
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = sandbox.hat(&args).run();
        out.success();
        assert_eq!(
            out.stdout.contains("--awsume-variables"),
            toml.is_some(),
            "{}",
            out.stdout
        );
        let file = sandbox.write(&format!("hat-{i}.{shell}"), &out.stdout);
        let lint = std::process::Command::new(&linter)
            .args(lint_args)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            lint.status.success(),
            "`{}` on `hat {}` failed:\n{}{}",
            linter.display(),
            args.join(" "),
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        );
    }
}

#[test]
fn every_bash_rendering_passes_shellcheck() {
    lint_every_rendering("bash", "shellcheck", &["--shell=bash", "--severity=style"]);
}

// shellcheck has no zsh mode ("Unknown shell: zsh"); zsh's own parser is the lint.
#[test]
fn every_zsh_rendering_parses_in_zsh() {
    lint_every_rendering("zsh", "zsh", &["--no-rcs", "--no-exec"]);
}

#[test]
fn every_fish_rendering_is_formatted_as_fish_indent_wants() {
    lint_every_rendering("fish", "fish_indent", &["--check"]);
}

#[test]
fn every_fish_rendering_parses_in_fish() {
    lint_every_rendering("fish", "fish", &["--no-config", "--no-execute"]);
}

/// Issue 15: Granted's `-un` unsets, through the real wrapper in each shell (the
/// multi-letter flags are rewritten before clap). `-ar`, which opens the console in
/// Granted, is in tests/cli/granted.rs with the other console spellings.
#[test]
fn granted_unset_spelling_works_in_every_shell() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for sh in ALL {
        let script = format!(
            "{init}\nassume c\necho \"profile=$HAT_PROFILE\"\nassume -un\necho ---\n{report}\n",
            init = sh.init_line(),
            report = report(sh)
        );
        let out = sh
            .run(&sandbox, &script)
            .sts(moto::url())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .run();
        out.success();
        let (before, after) = out.stdout.split_once("---\n").expect("marker");
        assert!(before.contains("profile=c\n"), "{}: {before}", sh.name());
        for name in MANAGED {
            assert!(
                after.contains(&format!("{name}=unset")),
                "{}: {name} survived -un:\n{after}",
                sh.name()
            );
        }
    }
}

/// Issue 15: Granted's `--exec` runs the command with the role's credentials and
/// leaves the shell as it was; `-e` writes ./.env and still assumes, in every shell
/// through the real wrapper.
#[test]
fn granted_exec_and_env_do_their_work_in_every_shell() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let dotenv = sandbox.path(".env");
    for sh in ALL {
        let _ = std::fs::remove_file(&dotenv);
        let script = format!(
            "{init}\nassume c --exec 'aws sts get-caller-identity --query Arn --output text; echo \"in exec: profile=$AWS_PROFILE region=$AWS_REGION\"'\necho ---\n{report}\necho ---\nassume c -e\necho \"profile=$HAT_PROFILE\"\n",
            init = sh.init_line(),
            report = report(sh)
        );
        let out = sh
            .run(&sandbox, &script)
            .sts(moto::url())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .run();
        out.success();
        let parts: Vec<&str> = out.stdout.split("---\n").collect();
        let [exec, after_exec, after_env] = parts[..] else {
            panic!("{}: {}", sh.name(), out.stdout);
        };
        assert!(
            exec.contains("arn:aws:sts::333333333333:assumed-role/c/hat-")
                && exec.contains("in exec: profile=c region=us-west-2\n"),
            "{}: {exec}",
            sh.name()
        );
        for name in MANAGED {
            assert!(
                after_exec.contains(&format!("{name}=unset")),
                "{}: --exec left {name} in the shell:\n{after_exec}",
                sh.name()
            );
        }
        assert_eq!(after_env, "profile=c\n", "{}", sh.name());
        let text = std::fs::read_to_string(&dotenv).expect(".env written");
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ] {
            assert!(
                text.contains(&format!("{name}=")),
                "{}: {name} not in .env:\n{text}",
                sh.name()
            );
        }
        assert!(text.contains("AWS_PROFILE=c\n"), "{}: {text}", sh.name());
    }
}

/// Issue 15: Granted's `-ex` writes the profile into ~/.aws/credentials under its own
/// name, or PROFILE-hat where the SDKs would ignore keys written there (the AWS CLI
/// reads them back), in place, and leaves a profile that holds keys of its own as it
/// is; `-es` without an SSO sign-in says there is nothing to export, `-pt` has no hat
/// meaning and says why.
#[test]
fn granted_export_writes_the_credentials_file_where_the_sdks_would_use_it() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    // `c` has role_arn, so the keys go under `c-hat`; again, in place.
    let file = sandbox.home().join(".aws/credentials");
    sandbox.credentials(
        "# mine\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n",
    );
    for _ in 0..2 {
        let out = sandbox.assume(&["c", "-ex"]).sts(moto::url()).run();
        out.success()
            .stderr_has("wrote profile `c-hat` to")
            .stdout_has("AWS_PROFILE=");
    }
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(
        first.starts_with(
            "# mine\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n"
        ),
        "{first}"
    );
    assert_eq!(first.matches("[c-hat]").count(), 1, "{first}");
    assert!(first.contains("expiration = "), "{first}");
    let arn = moto::profile_arn(&sandbox, "c-hat");
    assert!(arn.contains("assumed-role/c/"), "{arn}");

    // `c-hat` holds keys of its own: left as it is (hat does not carry their expiry).
    let out = sandbox.assume(&["c-hat", "-ex"]).run();
    out.success()
        .stderr_has("profile `c-hat` holds keys of its own");
    assert_eq!(first, std::fs::read_to_string(&file).unwrap());

    // Nor are long-term keys copied anywhere.
    let out = sandbox.assume(&["other", "-ex"]).run();
    out.success()
        .stderr_has("profile `other` holds keys of its own");
    assert_eq!(first, std::fs::read_to_string(&file).unwrap());

    // -es: no SSO sign-in behind `c`, so nothing to do, and the assume goes on.
    let out = sandbox.assume(&["c", "-es"]).sts(moto::url()).run();
    out.success().stderr_has("no SSO token to export");
    let out = sandbox.assume(&["c", "-pt", "x"]).run();
    out.failure().stderr_has("hat has none");
    let out = sandbox.assume(&["-ar"]).run();
    out.failure().stderr_has("AWS_PROFILE is not set");
}

/// Issue 15: `assume -` goes back to the profile before the current one, like `cd -`,
/// across three assumes; before any second profile it fails and changes nothing.
#[test]
fn assume_dash_returns_to_the_previous_profile_in_every_shell() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    for sh in ALL {
        let (show, try_dash) = match sh {
            Sh::Fish => (
                "echo \"now=$HAT_PROFILE\"",
                "assume -; echo \"status=$status\"",
            ),
            _ => (
                "echo \"now=${HAT_PROFILE:-none}\"",
                "st=0; assume - || st=$?; echo \"status=$st\"",
            ),
        };
        let script = format!(
            "{init}\n{try_dash}\nassume a\n{try_dash}\nassume b\nassume c\nassume -\n{show}\nassume -\n{show}\nassume -\n{show}\n",
            init = sh.init_line()
        );
        let out = sh
            .run(&sandbox, &script)
            .sts(moto::url())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .run();
        out.success()
            .stderr_has("no previous profile in this shell");
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(
            lines,
            ["status=1", "status=1", "now=b", "now=c", "now=b"],
            "{}: {}",
            sh.name(),
            out.stderr
        );
    }
}

/// Issue 15: with `[shell] awsume_variables = true`, `assume` also exports awsume's
/// AWSUME_PROFILE and AWSUME_EXPIRATION, in awsume's own format (local time, no
/// offset), in every shell through the function `hat init` prints; `--unset` clears
/// them. Off (the default) they are never set, and a value awsume left is cleared.
#[test]
fn awsume_variables_come_in_awsumes_format_when_the_setting_is_on() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let show = |sh: Sh, var: &str| match sh {
        Sh::Fish => format!("echo \"{var}=\"(printenv {var}; or echo unset)"),
        _ => format!("echo \"{var}=$(printenv {var} || echo unset)\""),
    };
    let stale = |sh: Sh| match sh {
        Sh::Fish => "set -gx AWSUME_PROFILE old; set -gx AWSUME_EXPIRATION 2020-01-01T00:00:00",
        _ => "export AWSUME_PROFILE=old AWSUME_EXPIRATION=2020-01-01T00:00:00",
    };
    let tz = "Asia/Kolkata";
    for setting in [false, true] {
        if setting {
            sandbox.write(
                "home/.config/hat/config.toml",
                "[shell]\nawsume_variables = true\n",
            );
        }
        for sh in ALL {
            let script = [
                stale(sh).to_string(),
                sh.init_line(),
                "assume a".into(),
                show(sh, "AWSUME_PROFILE"),
                show(sh, "AWSUME_EXPIRATION"),
                show(sh, "HAT_EXPIRES"),
                "assume --unset".into(),
                show(sh, "AWSUME_PROFILE"),
                show(sh, "AWSUME_EXPIRATION"),
            ]
            .join("\n");
            let out = sh
                .run(&sandbox, &script)
                .sts(moto::url())
                .env("TZ", tz)
                .run();
            out.success();
            let lines: Vec<&str> = out.stdout.lines().collect();
            let value = |i: usize, var: &str| {
                lines[i]
                    .strip_prefix(&format!("{var}="))
                    .unwrap_or_else(|| panic!("{}: {}", sh.name(), out.stdout))
                    .to_string()
            };
            let expires = value(2, "HAT_EXPIRES");
            if setting {
                assert_eq!(value(0, "AWSUME_PROFILE"), "a", "{}", sh.name());
                let want = awsume_expiration(&sandbox, &expires, tz);
                assert_eq!(value(1, "AWSUME_EXPIRATION"), want, "{}", sh.name());
                // Not UTC: the zone was applied (India is 5h30 ahead, all year).
                let utc = awsume_expiration(&sandbox, &expires, "UTC");
                assert_ne!(want, utc);
            } else {
                assert_eq!(value(0, "AWSUME_PROFILE"), "unset", "{}", sh.name());
                assert_eq!(value(1, "AWSUME_EXPIRATION"), "unset", "{}", sh.name());
            }
            assert_eq!(value(3, "AWSUME_PROFILE"), "unset", "{}", sh.name());
            assert_eq!(value(4, "AWSUME_EXPIRATION"), "unset", "{}", sh.name());
        }
    }
}

/// A settings file hat cannot read must not leave new shells without the function:
/// `hat init` says so and prints the function with the defaults.
#[test]
fn init_with_a_broken_settings_file_still_prints_the_function() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "home/.config/hat/config.toml",
        "[shell]\nawsume_variables = \"yes\"\n",
    );
    for sh in ALL {
        let out = sandbox.hat(&["init", sh.name()]).run();
        out.success()
            .stderr_has("config.toml, line 2")
            .stderr_has("the shell function uses the defaults");
        assert!(out.stdout.contains("assume"), "{}", out.stdout);
        assert!(!out.stdout.contains("--awsume-variables"), "{}", out.stdout);
    }
}
