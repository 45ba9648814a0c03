//! `hat assume` against moto's STS and the fake: chains, the cache, MFA sessions,
//! credential_process, the environment, web identity, regions and durations.

use crate::support::fake_sts::{FakeSts, Reply, param};
use crate::support::{BASE_KEY_ID, BASE_SECRET, CHAIN_CONFIG, Sandbox, moto};

use crate::support::moto::caller_arn;

#[test]
fn single_role_is_assumed_and_the_aws_cli_sees_it() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let out = sandbox.assume(&["a"]).sts(moto::url()).run();
    out.success().stderr_has("assumed a;");
    let exports = out.exports();
    assert_eq!(
        caller_arn(&sandbox, &exports),
        "arn:aws:sts::111111111111:assumed-role/a/hat-tester"
    );
    assert_eq!(exports["AWS_PROFILE"].as_deref(), Some("a"));
    assert_eq!(exports["HAT_PROFILE"].as_deref(), Some("a"));
}

#[test]
fn three_hop_chain_reaches_the_last_role() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let out = sandbox.assume(&["c", "-v"]).sts(moto::url()).run();
    out.success()
        .stderr_has("base -> a -> b -> c")
        .stderr_has("AssumeRole arn:aws:iam::222222222222:role/b");
    let exports = out.exports();
    assert_eq!(
        caller_arn(&sandbox, &exports),
        "arn:aws:sts::333333333333:assumed-role/c/hat-tester"
    );
    assert_eq!(exports["AWS_REGION"].as_deref(), Some("us-west-2"));
    assert_eq!(exports["AWS_DEFAULT_REGION"].as_deref(), Some("us-west-2"));
    // Every hop is cached, so a sibling chain reuses the shared part.
    assert_eq!(sandbox.cached().len(), 3);
}

#[test]
fn exports_carry_expiry_for_prompts() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let out = sandbox.assume(&["a"]).sts(moto::url()).run();
    let exports = out.success().exports();
    let expiry = exports["AWS_CREDENTIAL_EXPIRATION"].clone().unwrap();
    assert_eq!(
        exports["AWS_SESSION_EXPIRATION"].as_deref(),
        Some(expiry.as_str())
    );
    // RFC 3339 with an offset (`Z`), which starship requires.
    assert!(expiry.ends_with('Z') && expiry.len() == 20, "{expiry}");
    let epoch: i64 = exports["HAT_EXPIRES"].clone().unwrap().parse().unwrap();
    assert_eq!(hat::clock::parse_rfc3339(&expiry), Some(epoch));
    assert!(epoch > hat::clock::now() + 3000);
}

#[test]
fn cached_reassume_makes_no_network_call() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let fake = FakeSts::start(vec![Reply::Ok]);
    let first = sandbox.assume(&["c"]).sts(&fake.url).run();
    first.success();
    assert_eq!(fake.actions(), ["AssumeRole", "AssumeRole", "AssumeRole"]);

    let second = sandbox.assume(&["c", "-v"]).sts(&fake.url).run();
    second.success().stderr_has("profile c: cached credentials");
    assert_eq!(fake.requests().len(), 3, "the cached assume called STS");
    assert_eq!(first.exports(), second.exports());

    // A sibling profile that shares the first two hops makes one call.
    sandbox.config(&format!(
        "{CHAIN_CONFIG}\n[profile c2]\nrole_arn = arn:aws:iam::444444444444:role/c2\nsource_profile = b\n"
    ));
    sandbox.assume(&["c2"]).sts(&fake.url).run().success();
    assert_eq!(fake.requests().len(), 4);

    // --no-cache asks again, for every hop.
    sandbox
        .assume(&["c", "--no-cache"])
        .sts(&fake.url)
        .run()
        .success();
    assert_eq!(fake.requests().len(), 7);
}

#[test]
fn cache_files_are_private_and_complete() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    sandbox.assume(&["b"]).sts(moto::url()).run().success();
    let dir_mode = std::fs::metadata(sandbox.cache_dir())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    for file in sandbox.cached() {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        // What botocore/credential_process readers expect, and nothing partial.
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        for field in [
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration",
        ] {
            assert!(v[field].is_string(), "{field} in {}", file.display());
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn killed_assume_leaves_the_cache_usable() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let slow = FakeSts::start(vec![
        Reply::Ok,
        Reply::Slow(std::time::Duration::from_secs(30), Box::new(Reply::Ok)),
        Reply::Ok,
    ]);
    let mut child = sandbox
        .assume(&["b"])
        .sts(&slow.url)
        .command()
        .spawn()
        .unwrap();
    // Wait until the second hop is in flight, then kill hat mid-call.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while slow.requests().len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(slow.requests().len(), 2);
    child.kill().unwrap();
    child.wait().unwrap();
    // The first hop was cached whole; the killed one left nothing behind.
    assert_eq!(sandbox.cached().len(), 1);
    // The next run starts from the cached first hop and makes one call.
    sandbox.assume(&["b"]).sts(&slow.url).run().success();
    assert_eq!(slow.requests().len(), 3);
    assert_eq!(sandbox.cached().len(), 2);
}

#[test]
fn unset_clears_everything_hat_exports() {
    let sandbox = Sandbox::new();
    let out = sandbox.assume(&["--unset"]).run();
    out.success();
    let exports = out.exports();
    for name in hat::emit::MANAGED {
        assert_eq!(exports.get(*name), Some(&None), "{name} not unset");
    }
}

#[test]
fn static_keys_are_exported_without_token_or_expiry() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let out = sandbox.assume(&["base"]).run();
    out.success().stderr_has("long-term keys");
    let e = out.exports();
    assert_eq!(e["AWS_ACCESS_KEY_ID"].as_deref(), Some(BASE_KEY_ID));
    assert_eq!(e["AWS_SECRET_ACCESS_KEY"].as_deref(), Some(BASE_SECRET));
    for gone in [
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_SESSION_EXPIRATION",
        "HAT_EXPIRES",
    ] {
        assert_eq!(e[gone], None, "{gone}");
    }
    assert!(
        sandbox.cached().is_empty(),
        "long-term keys must not be copied into the cache"
    );
}

#[test]
fn region_flag_takes_shorthands_and_falls_back_to_the_environment() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let e = sandbox
        .assume(&["base", "-r", "apse2"])
        .run()
        .success()
        .exports();
    assert_eq!(e["AWS_REGION"].as_deref(), Some("ap-southeast-2"));
    sandbox.config("[profile noregion]\naws_access_key_id = A\naws_secret_access_key = S\n");
    let e = sandbox
        .assume(&["noregion"])
        .env("AWS_DEFAULT_REGION", "ca-central-1")
        .run()
        .success()
        .exports();
    assert_eq!(e["AWS_REGION"].as_deref(), Some("ca-central-1"));
    let e = sandbox.assume(&["noregion"]).run().success().exports();
    assert_eq!(e["AWS_REGION"], None);
    sandbox
        .assume(&["noregion", "-r", "as1"])
        .run()
        .failure()
        .stderr_has("could mean af-south-1 or ap-south-1");
}

#[test]
fn durations_are_checked_before_calling_sts_and_capped_when_chaining() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["a", "-d", "10m"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("outside what AssumeRole allows (15m to 12h)");
    sandbox
        .assume(&["a", "-d", "13h"])
        .sts(&fake.url)
        .run()
        .failure();
    sandbox
        .assume(&["a", "-d", "soon"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("not a duration");
    assert!(
        fake.requests().is_empty(),
        "STS was called for an invalid duration"
    );

    // One hop from long-term keys may last 2h.
    sandbox
        .assume(&["a", "-d", "2h"])
        .sts(&fake.url)
        .run()
        .success();
    assert_eq!(
        param(&fake.requests()[0], "DurationSeconds").as_deref(),
        Some("7200")
    );

    // The last hop of a chain is capped at 1h, with a warning.
    sandbox
        .assume(&["c", "-d", "90m", "--no-cache"])
        .sts(&fake.url)
        .run()
        .success()
        .stderr_has("role chaining, which STS limits to 1h; asking for 1h instead of 1h30m");
    let last = fake.requests().last().cloned().unwrap();
    assert_eq!(param(&last, "DurationSeconds").as_deref(), Some("3600"));
    assert_eq!(
        param(&last, "RoleArn").as_deref(),
        Some("arn:aws:iam::333333333333:role/c")
    );
}

#[test]
fn profile_settings_reach_sts() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!(
        "{CHAIN_CONFIG}\n[profile x]\nrole_arn = arn:aws:iam::555555555555:role/x\nsource_profile = base\nexternal_id = ext-123\nrole_session_name = alice\nduration_seconds = 1800\n"
    ));
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox.assume(&["x"]).sts(&fake.url).run().success();
    let body = &fake.requests()[0];
    assert_eq!(param(body, "ExternalId").as_deref(), Some("ext-123"));
    assert_eq!(param(body, "RoleSessionName").as_deref(), Some("alice"));
    assert_eq!(param(body, "DurationSeconds").as_deref(), Some("1800"));
}

const MFA_CONFIG: &str = "
[profile user]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

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
fn mfa_session_is_reused_across_roles_behind_the_same_device() {
    let sandbox = Sandbox::new();
    sandbox.config(MFA_CONFIG);
    let out = sandbox
        .assume(&["prod", "--mfa-token", "123456"])
        .sts(moto::url())
        .run();
    out.success();
    assert_eq!(
        caller_arn(&sandbox, &out.exports()),
        "arn:aws:sts::111111111111:assumed-role/prod/hat-tester"
    );
    // No code and no terminal: only the cached MFA session can make this work.
    let out = sandbox.assume(&["staging", "-v"]).sts(moto::url()).run();
    out.success()
        .stderr_has("MFA session for arn:aws:iam::000000000000:mfa/tester: cached");
    assert_eq!(
        caller_arn(&sandbox, &out.exports()),
        "arn:aws:sts::222222222222:assumed-role/staging/hat-tester"
    );
}

#[test]
fn mfa_code_goes_to_get_session_token_once() {
    let sandbox = Sandbox::new();
    sandbox.config(MFA_CONFIG);
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["prod", "--mfa-token", "123456"])
        .sts(&fake.url)
        .run()
        .success();
    sandbox.assume(&["staging"]).sts(&fake.url).run().success();
    assert_eq!(
        fake.actions(),
        ["GetSessionToken", "AssumeRole", "AssumeRole"]
    );
    let first = &fake.requests()[0];
    assert_eq!(param(first, "TokenCode").as_deref(), Some("123456"));
    assert_eq!(
        param(first, "SerialNumber").as_deref(),
        Some("arn:aws:iam::000000000000:mfa/tester")
    );
    // The role calls ride on the MFA session; they carry no code of their own.
    assert_eq!(param(&fake.requests()[1], "TokenCode"), None);
}

#[test]
fn missing_mfa_code_without_a_terminal_says_how_to_pass_one() {
    let sandbox = Sandbox::new();
    sandbox.config(MFA_CONFIG);
    let fake = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["prod"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("needs an MFA code from arn:aws:iam::000000000000:mfa/tester")
        .stderr_has("--mfa-token");
    sandbox
        .assume(&["prod", "--mfa-token", "12345x"])
        .sts(&fake.url)
        .run()
        .failure()
        .stderr_has("an MFA code is 6 digits");
    assert!(fake.requests().is_empty());
}

#[test]
fn credential_process_output_is_used_and_chained() {
    let sandbox = Sandbox::new();
    let expiry = hat::clock::to_rfc3339(hat::clock::now() + 1800);
    let script = sandbox.write(
        "bin/creds",
        &format!(
            "#!/bin/sh\necho 'working...' >&2\nprintf '%s' '{{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", \"SecretAccessKey\": \"procsecret\", \"SessionToken\": \"proctoken\", \"Expiration\": \"{expiry}\"}}'\n"
        ),
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sandbox.config(&format!(
        "[profile proc]\ncredential_process = {}\n[profile onproc]\nrole_arn = arn:aws:iam::666666666666:role/r\nsource_profile = proc\n",
        script.display()
    ));
    let out = sandbox.assume(&["proc"]).run();
    let e = out.success().exports();
    assert_eq!(e["AWS_ACCESS_KEY_ID"].as_deref(), Some("ASIAPROCESS"));
    assert_eq!(e["AWS_SESSION_TOKEN"].as_deref(), Some("proctoken"));
    assert_eq!(
        e["AWS_CREDENTIAL_EXPIRATION"].as_deref(),
        Some(expiry.as_str())
    );
    out.stderr_has("working...");

    let out = sandbox.assume(&["onproc"]).sts(moto::url()).run();
    assert_eq!(
        caller_arn(&sandbox, &out.success().exports()),
        "arn:aws:sts::666666666666:assumed-role/r/hat-tester"
    );
}

#[test]
fn failing_or_garbled_credential_process_is_reported_without_its_output() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile bad]\ncredential_process = sh -c 'echo oops >&2; exit 3'\n[profile garbled]\ncredential_process = printf '%s' '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": 42, \"SessionToken\": \"SECRETTOKEN\"}'\n");
    sandbox
        .assume(&["bad"])
        .run()
        .failure()
        .stderr_has("the credential_process of profile `bad` failed (exit status: 3)")
        .stderr_has("oops");
    sandbox
        .assume(&["garbled"])
        .run()
        .failure()
        .stderr_has("\"SecretAccessKey\" must be a non-empty string")
        .stderr_lacks("SECRETTOKEN");
}

#[test]
fn credential_source_environment_assumes_from_env_keys() {
    let sandbox = Sandbox::new();
    sandbox.config("[profile fromenv]\nrole_arn = arn:aws:iam::777777777777:role/e\ncredential_source = Environment\n");
    let out = sandbox
        .assume(&["fromenv"])
        .sts(moto::url())
        .env("AWS_ACCESS_KEY_ID", BASE_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", BASE_SECRET)
        .run();
    assert_eq!(
        caller_arn(&sandbox, &out.success().exports()),
        "arn:aws:sts::777777777777:assumed-role/e/hat-tester"
    );
    sandbox
        .assume(&["fromenv"])
        .sts(moto::url())
        .run()
        .failure()
        .stderr_has("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set");
}

#[test]
fn web_identity_token_is_exchanged_for_the_role() {
    let sandbox = Sandbox::new();
    let token = sandbox.write("token.jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.\n");
    sandbox.config(&format!(
        "[profile web]\nrole_arn = arn:aws:iam::888888888888:role/web\nweb_identity_token_file = {}\nrole_session_name = ci\n",
        token.display()
    ));
    let out = sandbox.assume(&["web"]).sts(moto::url()).run();
    let arn = caller_arn(&sandbox, &out.success().exports());
    assert!(
        arn.starts_with("arn:aws:sts::888888888888:assumed-role/web/"),
        "{arn}"
    );
    sandbox.config("[profile web]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = /nonexistent/token\n");
    sandbox
        .assume(&["web"])
        .sts(moto::url())
        .run()
        .failure()
        .stderr_has("could not read the web identity token file /nonexistent/token");
}

#[test]
fn run_in_a_terminal_without_the_function_prints_setup_not_secrets() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let hat = crate::support::HAT;
    let out = sandbox
        .peer("script")
        .args(["-qec", &format!("{hat} assume base"), "/dev/null"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("eval \"$(hat init bash)\""), "{text}");
    assert!(!text.contains(BASE_SECRET), "{text}");
}

#[test]
fn no_profile_lists_the_profiles() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    sandbox
        .assume(&[])
        .run()
        .failure()
        .stderr_has("name a profile: `assume PROFILE`")
        .stderr_has("Profiles: a, b, base, c");
}

#[test]
fn help_under_the_wrapper_goes_to_stderr() {
    let sandbox = Sandbox::new();
    let out = sandbox.assume(&["--help"]).run();
    out.success().stderr_has("--mfa-token");
    assert_eq!(out.stdout, "");
}

#[test]
fn parallel_shells_share_one_sts_call_per_role() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    // Slow answers keep the first process inside its calls while the others start.
    let fake = FakeSts::start(vec![Reply::Slow(
        std::time::Duration::from_millis(400),
        Box::new(Reply::Ok),
    )]);
    let children: Vec<_> = (0..4)
        .map(|_| {
            sandbox
                .assume(&["c"])
                .sts(&fake.url)
                .command()
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(fake.actions(), ["AssumeRole", "AssumeRole", "AssumeRole"]);
    let first = String::from_utf8_lossy(&outputs[0].stdout).into_owned();
    assert!(
        outputs
            .iter()
            .all(|o| String::from_utf8_lossy(&o.stdout) == first)
    );
}

#[test]
fn mfa_code_is_asked_on_the_terminal() {
    let sandbox = Sandbox::new();
    sandbox.config(MFA_CONFIG);
    let fake = FakeSts::start(vec![Reply::Ok]);
    let out_file = sandbox.path("exports.sh");
    // `script` gives hat a terminal; stdout still goes to a file, as under the function.
    let command = format!(
        "{} assume --shell bash prod > {}",
        crate::support::HAT,
        out_file.display()
    );
    let mut child = sandbox
        .peer("script")
        .args(["-qec", &command, "/dev/null"])
        .env("AWS_ENDPOINT_URL_STS", &fake.url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    // A mistyped code is asked for again.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"12345\n123456\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(
        screen.contains("MFA code for arn:aws:iam::000000000000:mfa/tester: "),
        "{screen}"
    );
    assert_eq!(
        param(&fake.requests()[0], "TokenCode").as_deref(),
        Some("123456")
    );
    let exports = crate::support::parse_posix_exports(&std::fs::read_to_string(&out_file).unwrap());
    assert_eq!(exports["AWS_PROFILE"].as_deref(), Some("prod"));
}

#[test]
fn sts_calls_go_through_the_configured_proxy() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let fake = FakeSts::start(vec![Reply::Ok]);
    let proxy = crate::support::proxy::Proxy::start();
    sandbox
        .assume(&["a"])
        .sts(&fake.url)
        .env("HTTP_PROXY", &proxy.url)
        .run()
        .success();
    assert_eq!(fake.actions(), ["AssumeRole"]);
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with(&format!("POST {}/", fake.url)),
        "{seen:?}"
    );

    // NO_PROXY bypasses it.
    let direct = FakeSts::start(vec![Reply::Ok]);
    sandbox
        .assume(&["a"])
        .sts(&direct.url)
        .env("HTTP_PROXY", &proxy.url)
        .env("NO_PROXY", "127.0.0.1")
        .run()
        .success();
    assert_eq!(proxy.requests().len(), 1);
    assert_eq!(direct.actions(), ["AssumeRole"]);
}

#[test]
fn an_unusable_cache_directory_slows_hat_down_but_does_not_stop_it() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    // A file where the cache directory should be: even root cannot create it.
    sandbox.write("home/.cache/hat", "not a directory");
    let fake = FakeSts::start(vec![Reply::Ok]);
    let out = sandbox.assume(&["b"]).sts(&fake.url).run();
    out.success()
        .stderr_has("could not create")
        .stderr_has("continuing without the cache");
    assert_eq!(
        out.stderr.matches("could not create").count(),
        1,
        "said once"
    );
    assert_eq!(out.exports()["AWS_PROFILE"].as_deref(), Some("b"));
    assert_eq!(fake.requests().len(), 2);
}

/// Issue 15: `--chain ARN` (Granted) and `--role-arn ARN --source-profile P` (awsume)
/// assume one more role on top of the profile, cached like any hop, capped at 1h as
/// chaining, with AWS_PROFILE left naming the profile the AWS CLI can read.
#[test]
fn chain_assumes_an_ad_hoc_role_on_top_of_the_profile_and_caches_it() {
    let sandbox = Sandbox::new();
    sandbox.config(CHAIN_CONFIG);
    let fake = FakeSts::start(vec![Reply::Ok]);
    let deploy = "arn:aws:iam::444444444444:role/deploy";
    let first = sandbox
        .assume(&["a", "--chain", deploy, "-d", "2h"])
        .sts(&fake.url)
        .run();
    first
        .success()
        .stderr_has("limits to 1h; asking for 1h instead of 2h");
    assert_eq!(fake.actions(), ["AssumeRole", "AssumeRole"]);
    let last = fake.requests().last().cloned().unwrap();
    assert_eq!(param(&last, "RoleArn").as_deref(), Some(deploy));
    assert_eq!(param(&last, "DurationSeconds").as_deref(), Some("3600"));
    let exports = first.exports();
    assert_eq!(exports["AWS_PROFILE"].as_deref(), Some("a"));

    let second = sandbox
        .assume(&[
            "--role-arn",
            deploy,
            "--source-profile",
            "a",
            "-d",
            "1h",
            "-v",
        ])
        .sts(&fake.url)
        .run();
    second.success().stderr_has("cached");
    assert_eq!(fake.requests().len(), 2, "the cached --chain called STS");
    assert_eq!(first.exports(), second.exports());

    // Against moto, the AWS CLI in the shell sees the chained role, and can still
    // read AWS_PROFILE.
    let sh = crate::support::shells::Sh::Bash;
    let script = format!(
        "{}\nassume b --chain {deploy} -r euw1\naws sts get-caller-identity --query Arn --output text\naws configure get role_arn\n",
        sh.init_line()
    );
    let out = sh
        .run(&sandbox, &script)
        .sts(moto::url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .run();
    out.success();
    assert!(
        out.stdout
            .contains("arn:aws:sts::444444444444:assumed-role/deploy/"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("arn:aws:iam::222222222222:role/b\n"),
        "{}",
        out.stdout
    );

    sandbox
        .assume(&["--chain", deploy])
        .run()
        .failure()
        .stderr_has("name the profile");
    sandbox
        .assume(&["a", "--chain", "deploy"])
        .run()
        .failure()
        .stderr_has("takes a role ARN");
}
