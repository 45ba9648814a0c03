//! `hat eks token` and `hat eks kubeconfig`: tokens that an STS verifier accepts for
//! their cluster only, real kubectl against a Kubernetes API that authenticates as EKS
//! does, the shape of the AWS CLI's own `aws eks get-token`, DescribeCluster against
//! moto's EKS, and kubeconfig merges and rewrites that keep everything else.

use crate::support::{BASE_KEY_ID, BASE_SECRET, HAT, Sandbox, moto, ok};
use hat_fakes::eks::{self as fake_eks, BASE_ARN, FakeKubeApi, StsVerifier};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG: &str = "
[profile base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
region = eu-west-1

[profile prod]
role_arn = arn:aws:iam::111111111111:role/eks-admin
source_profile = base
region = eu-west-1

[profile mfa]
role_arn = arn:aws:iam::111111111111:role/eks-admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/tester
region = eu-west-1

[profile session]
aws_access_key_id = ASIASESSIONEXAMPLE01
aws_secret_access_key = sessionSecret/With+Signs=
aws_session_token = sessionToken/With+Signs==
region = eu-west-1
";

const PROD_ARN: &str = "arn:aws:sts::111111111111:assumed-role/eks-admin/hat-tester";

/// A cluster name no other test on the shared moto uses.
fn unique(sandbox: &Sandbox, prefix: &str) -> String {
    let tail: String = sandbox
        .root()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("{prefix}-{tail}")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn token_of(credential: &Value) -> String {
    credential["status"]["token"].as_str().unwrap().to_string()
}

/// Keys of every object in `v`, as `a.b.c` paths, sorted.
fn shape(v: &Value, at: &str, out: &mut Vec<String>) {
    if let Value::Object(map) = v {
        for (k, child) in map {
            let path = format!("{at}{k}");
            out.push(path.clone());
            shape(child, &format!("{path}."), out);
        }
    }
    out.sort();
}

fn params(url: &str) -> Vec<(String, String)> {
    url.split_once('?')
        .unwrap()
        .1
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn hat_dir() -> PathBuf {
    Path::new(HAT).parent().unwrap().to_path_buf()
}

/// A real peer (`kubectl`, `aws`) that finds hat on PATH and talks to these endpoints.
fn peer(sandbox: &Sandbox, program: &str, kubeconfig: &Path, sts: &str) -> Command {
    let mut cmd = sandbox.peer(program);
    let path = format!(
        "{}:{}",
        hat_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path)
        .env("KUBECONFIG", kubeconfig)
        .env("AWS_ENDPOINT_URL_STS", sts)
        .env("AWS_ENDPOINT_URL_EKS", moto::url());
    crate::support::detach_from_terminal(&mut cmd);
    cmd
}

/// `seen` is not empty and every item in it is `expected`.
#[track_caller]
fn only<T: PartialEq + std::fmt::Debug, U: Into<T>>(seen: &[T], expected: U) {
    let expected = expected.into();
    assert!(
        !seen.is_empty() && seen.iter().all(|s| *s == expected),
        "{seen:?}, expected only {expected:?}"
    );
}

/// Creates `name` in moto's EKS (eu-west-1) with the AWS CLI; returns its ARN.
fn create_cluster(sandbox: &Sandbox, name: &str) -> String {
    let out = ok(sandbox
        .peer("aws")
        .args([
            "eks",
            "create-cluster",
            "--name",
            name,
            "--role-arn",
            "arn:aws:iam::123456789012:role/eks",
            "--resources-vpc-config",
            "subnetIds=subnet-1",
            "--region",
            "eu-west-1",
            "--endpoint-url",
            moto::url(),
        ])
        .env("AWS_PROFILE", "base"));
    json(&out)["cluster"]["arn"].as_str().unwrap().to_string()
}

/// Points the kubeconfig's cluster at the fake API server and its CA (DescribeCluster
/// gave moto's made-up endpoint and CA), through kubectl itself.
fn point_at(sandbox: &Sandbox, kubeconfig: &Path, arn: &str, api: &FakeKubeApi) {
    let ca = sandbox.write("kube/ca.pem", fake_eks::CA_PEM);
    ok(sandbox.peer("kubectl").env("KUBECONFIG", kubeconfig).args([
        "config",
        "set-cluster",
        arn,
        &format!("--server={}", api.url),
        &format!("--certificate-authority={}", ca.display()),
        "--embed-certs",
    ]));
}

#[test]
fn a_token_is_accepted_by_sts_for_its_own_cluster_only() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    let sts = StsVerifier::start(BASE_KEY_ID, BASE_SECRET);
    let out = sandbox
        .hat(&["eks", "token", "--cluster", "prod-eks", "--profile", "prod"])
        .sts(&sts.url)
        .run();
    out.success();
    let credential = json(&out.stdout);
    assert_eq!(credential["kind"], "ExecCredential");
    assert_eq!(
        credential["apiVersion"],
        "client.authentication.k8s.io/v1beta1"
    );
    let expires = hat::clock::parse_rfc3339(
        credential["status"]["expirationTimestamp"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert!(
        (expires - hat::clock::now() - 14 * 60).abs() <= 5,
        "{credential}"
    );
    let token = token_of(&credential);

    let prod = FakeKubeApi::start("prod-eks", &sts.url);
    let bearer = format!("Bearer {token}");
    assert!(
        prod.admits(&bearer),
        "{:?} {:?}",
        prod.refusals(),
        sts.refused()
    );
    assert_eq!(prod.users(), [PROD_ARN]);
    assert_eq!(
        sts.verified(),
        [("prod-eks".to_string(), PROD_ARN.to_string())]
    );

    // The cluster name is signed: another cluster's API server cannot replay the token.
    let other = FakeKubeApi::start("other-eks", &sts.url);
    assert!(!other.admits(&bearer));
    assert!(
        sts.refused()
            .iter()
            .any(|r| r.contains("SignatureDoesNotMatch")),
        "{:?}",
        sts.refused()
    );

    // One changed character of the signature, and STS refuses it.
    let url = fake_eks::url_of(&token);
    let last = url.chars().last().unwrap();
    let tampered = format!(
        "{}{}",
        &url[..url.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let tampered = format!("Bearer {}", fake_eks::token_for(&tampered));
    assert!(!prod.admits(&tampered));

    // The verifier refuses what is out of date, so its "yes" above means something.
    let stale = fake_eks::presign(
        &sts.url,
        BASE_KEY_ID,
        BASE_SECRET,
        "eu-west-1",
        "prod-eks",
        hat::clock::now() - 120,
    );
    let stale = format!("Bearer {}", fake_eks::token_for(&stale));
    assert!(!prod.admits(&stale));
    assert!(
        sts.refused().iter().any(|r| r.contains("expired")),
        "{:?}",
        sts.refused()
    );
    let fresh = fake_eks::presign(
        &sts.url,
        BASE_KEY_ID,
        BASE_SECRET,
        "eu-west-1",
        "prod-eks",
        hat::clock::now(),
    );
    let fresh = format!("Bearer {}", fake_eks::token_for(&fresh));
    assert!(prod.admits(&fresh));

    // A second token is signed from the cache: no second AssumeRole.
    sandbox
        .hat(&["eks", "token", "--cluster", "prod-eks", "--profile", "prod"])
        .sts(&sts.url)
        .run()
        .success();
    assert_eq!(sts.assumed().len(), 1);
}

#[test]
fn the_token_has_the_shape_of_aws_eks_get_token() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    let sts = StsVerifier::start(BASE_KEY_ID, BASE_SECRET);
    sts.add_key(
        "ASIASESSIONEXAMPLE01",
        "sessionSecret/With+Signs=",
        Some("sessionToken/With+Signs=="),
        "arn:aws:sts::123456789012:assumed-role/s/session",
    );
    let api = FakeKubeApi::start("shape-eks", &sts.url);
    for exec_info in [
        None,
        Some(
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#,
        ),
    ] {
        for profile in ["base", "session"] {
            let mut aws = sandbox.peer("aws");
            aws.args([
                "eks",
                "get-token",
                "--cluster-name",
                "shape-eks",
                "--profile",
                profile,
            ])
            .env("AWS_ENDPOINT_URL_STS", &sts.url);
            let mut run = sandbox
                .hat(&[
                    "eks",
                    "token",
                    "--cluster",
                    "shape-eks",
                    "--profile",
                    profile,
                ])
                .sts(&sts.url);
            if let Some(info) = exec_info {
                aws.env("KUBERNETES_EXEC_INFO", info);
                run = run.env("KUBERNETES_EXEC_INFO", info);
            }
            let theirs = json(&ok(&mut aws));
            let out = run.run();
            out.success();
            let ours = json(&out.stdout);

            let (mut a, mut b) = (Vec::new(), Vec::new());
            shape(&theirs, "", &mut a);
            shape(&ours, "", &mut b);
            assert_eq!(a, b, "JSON keys");
            assert_eq!(ours["kind"], theirs["kind"]);
            assert_eq!(ours["apiVersion"], theirs["apiVersion"], "{exec_info:?}");
            let at = |v: &Value| {
                hat::clock::parse_rfc3339(v["status"]["expirationTimestamp"].as_str().unwrap())
                    .unwrap()
            };
            assert!((at(&ours) - at(&theirs)).abs() <= 60);

            let (their_url, our_url) = (
                fake_eks::url_of(&token_of(&theirs)),
                fake_eks::url_of(&token_of(&ours)),
            );
            assert_eq!(
                our_url.split_once('?').unwrap().0,
                their_url.split_once('?').unwrap().0
            );
            let (tp, op) = (params(&their_url), params(&our_url));
            let names =
                |p: &[(String, String)]| p.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
            assert_eq!(names(&op), names(&tp), "parameters, in order");
            for ((name, ours), (_, theirs)) in op.iter().zip(&tp) {
                if name != "X-Amz-Date" && name != "X-Amz-Signature" {
                    assert_eq!(ours, theirs, "{name}");
                }
            }
            // Both are good tokens for the cluster.
            for token in [token_of(&theirs), token_of(&ours)] {
                let bearer = format!("Bearer {token}");
                assert!(
                    api.admits(&bearer),
                    "{:?} {:?}",
                    api.refusals(),
                    sts.refused()
                );
            }
        }
    }
}

#[test]
fn kubectl_reaches_the_cluster_through_a_kubeconfig_hat_wrote() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    let sts = StsVerifier::start(BASE_KEY_ID, BASE_SECRET);
    let name = unique(&sandbox, "kubectl");
    let arn = create_cluster(&sandbox, &name);
    let kubeconfig = sandbox.path("kube/config");
    sandbox
        .hat(&["eks", "kubeconfig", "--cluster", &name, "--profile", "prod"])
        .sts(&sts.url)
        .env("AWS_ENDPOINT_URL_EKS", moto::url())
        .env("KUBECONFIG", kubeconfig.to_str().unwrap())
        .run()
        .success()
        .stderr_has(&format!("added context `{arn}`"));
    let api = FakeKubeApi::start(&name, &sts.url);
    point_at(&sandbox, &kubeconfig, &arn, &api);

    let answer =
        ok(peer(&sandbox, "kubectl", &kubeconfig, &sts.url).args(["get", "--raw", "/api"]));
    assert_eq!(json(&answer)["kind"], "APIVersions");
    // kubectl may ask more than once (each request carries the token); every one is prod.
    only(&api.users(), PROD_ARN);
    only(&sts.verified(), (name.clone(), PROD_ARN.to_string()));

    // A user that asks for ExecCredential v1 (kubectl refuses an answer in another version).
    let v1_user = format!(
        "users:\n- name: v1\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: hat\n      args: [eks, token, --cluster, {name}, --profile, prod]\n      interactiveMode: Never\n"
    );
    let v1_config = sandbox.write("kube/v1", &v1_user);
    let both = format!("{}:{}", kubeconfig.display(), v1_config.display());
    let answer = ok(peer(&sandbox, "kubectl", &kubeconfig, &sts.url)
        .env("KUBECONFIG", &both)
        .args(["get", "--raw", "/api", "--user", "v1"]));
    assert_eq!(json(&answer)["kind"], "APIVersions");
    assert_eq!(
        sts.assumed().len(),
        1,
        "the second token came from the cache"
    );

    // A tampered token gets kubectl nowhere.
    let token = token_of(&json(
        &sandbox
            .hat(&["eks", "token", "--cluster", &name, "--profile", "prod"])
            .sts(&sts.url)
            .run()
            .stdout,
    ));
    // As a plain token in the kubeconfig it works; with one character of its signature
    // changed, STS refuses it and so does the API server.
    let url = fake_eks::url_of(&token);
    let flipped = if url.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{flipped}", &url[..url.len() - 1]);
    let users = sandbox.write(
        "kube/tokens",
        &format!(
            "users:\n- name: plain\n  user:\n    token: {token}\n- name: tampered\n  user:\n    token: {}\n",
            fake_eks::token_for(&tampered)
        ),
    );
    let both = format!("{}:{}", kubeconfig.display(), users.display());
    ok(peer(&sandbox, "kubectl", &kubeconfig, &sts.url)
        .env("KUBECONFIG", &both)
        .args(["get", "--raw", "/api", "--user", "plain"]));
    let out = peer(&sandbox, "kubectl", &kubeconfig, &sts.url)
        .env("KUBECONFIG", &both)
        .args(["get", "--raw", "/api", "--user", "tampered"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Unauthorized"),
        "{out:?}"
    );
    assert!(
        sts.refused()
            .iter()
            .any(|r| r.starts_with("SignatureDoesNotMatch")),
        "{:?}",
        sts.refused()
    );
}

#[test]
fn describe_cluster_fills_the_kubeconfig_and_everything_else_is_kept() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    let name = unique(&sandbox, "merge");
    let arn = create_cluster(&sandbox, &name);
    let described = json(&ok(sandbox.peer("aws").env("AWS_PROFILE", "base").args([
        "eks",
        "describe-cluster",
        "--name",
        &name,
        "--region",
        "eu-west-1",
        "--endpoint-url",
        moto::url(),
    ])));
    let existing = "\
# kind's cluster, and a GKE user: neither is hat's business
apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
  name: kind-dev
contexts:
- context: {cluster: kind-dev, user: kind-dev, namespace: web}
  name: kind-dev
current-context: kind-dev
preferences: {}
users:
- name: kind-dev
  user: {token: abc}
- name: gke
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: gke-gcloud-auth-plugin, provideClusterInfo: true}
";
    let kubeconfig = sandbox.write("home/.kube/config", existing);
    let dry = sandbox
        .hat(&[
            "eks",
            "kubeconfig",
            "--cluster",
            &name,
            "--profile",
            "base",
            "--alias",
            "dev",
            "--dry-run",
        ])
        .env("AWS_ENDPOINT_URL_EKS", moto::url())
        .run();
    dry.success()
        .stdout_has("+- name: dev")
        .stdout_has("-current-context: kind-dev");
    assert_eq!(
        std::fs::read_to_string(&kubeconfig).unwrap(),
        existing,
        "--dry-run wrote"
    );

    sandbox
        .hat(&[
            "eks",
            "kubeconfig",
            "--cluster",
            &name,
            "--profile",
            "base",
            "--alias",
            "dev",
        ])
        .env("AWS_ENDPOINT_URL_EKS", moto::url())
        .run()
        .success()
        .stderr_has("added context `dev`");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&kubeconfig).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let before: serde_yaml_ng::Value = serde_yaml_ng::from_str(existing).unwrap();
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    let after: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    for (section, kept) in [("clusters", 1), ("users", 2), ("contexts", 1)] {
        let list = after[section].as_sequence().unwrap();
        assert_eq!(
            list[..kept],
            before[section].as_sequence().unwrap()[..],
            "{section}"
        );
        assert_eq!(list.len(), kept + 1, "{section}");
    }
    assert_eq!(after["current-context"], "dev");
    let cluster = &after["clusters"][1];
    assert_eq!(cluster["name"].as_str(), Some(arn.as_str()));
    assert_eq!(
        cluster["cluster"]["server"].as_str(),
        described["cluster"]["endpoint"].as_str()
    );
    assert_eq!(
        cluster["cluster"]["certificate-authority-data"].as_str(),
        described["cluster"]["certificateAuthority"]["data"].as_str()
    );
    let exec = &after["users"][2]["user"]["exec"];
    assert_eq!(after["users"][2]["name"], "dev");
    assert_eq!(exec["command"], "hat");
    let args: Vec<&str> = exec["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "eks",
            "token",
            "--cluster",
            &name,
            "--region",
            "eu-west-1",
            "--profile",
            "base"
        ]
    );

    // kubectl reads the merged file: both contexts, the new one current.
    let contexts = ok(sandbox
        .peer("kubectl")
        .env("KUBECONFIG", &kubeconfig)
        .args(["config", "get-contexts", "-o", "name"]));
    assert_eq!(contexts.lines().collect::<Vec<_>>(), ["dev", "kind-dev"]);
    let current = ok(sandbox
        .peer("kubectl")
        .env("KUBECONFIG", &kubeconfig)
        .args(["config", "current-context"]));
    assert_eq!(current.trim(), "dev");

    // Again: nothing changes.
    sandbox
        .hat(&[
            "eks",
            "kubeconfig",
            "--cluster",
            &name,
            "--profile",
            "base",
            "--alias",
            "dev",
        ])
        .env("AWS_ENDPOINT_URL_EKS", moto::url())
        .run()
        .success();
    assert_eq!(std::fs::read_to_string(&kubeconfig).unwrap(), text);

    sandbox
        .hat(&[
            "eks",
            "kubeconfig",
            "--cluster",
            "no-such-cluster",
            "--profile",
            "base",
        ])
        .env("AWS_ENDPOINT_URL_EKS", moto::url())
        .run()
        .failure()
        .stderr_has("there is no EKS cluster `no-such-cluster` in eu-west-1");
}

#[test]
fn rewrite_takes_over_what_aws_eks_update_kubeconfig_wrote() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    let sts = StsVerifier::start(BASE_KEY_ID, BASE_SECRET);
    let name = unique(&sandbox, "rewrite");
    let arn = create_cluster(&sandbox, &name);
    let kubeconfig = sandbox.write(
        "kube/config",
        "apiVersion: v1\nkind: Config\nusers:\n- name: other\n  user:\n    exec: {command: aws, args: [sts, get-caller-identity]}\n",
    );
    let role = "arn:aws:iam::222222222222:role/eks-viewer";
    ok(peer(&sandbox, "aws", &kubeconfig, &sts.url)
        .env("AWS_PROFILE", "base")
        .args([
            "eks",
            "update-kubeconfig",
            "--name",
            &name,
            "--region",
            "eu-west-1",
            "--role-arn",
            role,
        ]));
    let written = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(written.contains("get-token"), "{written}");

    let dry = sandbox
        .hat(&[
            "eks",
            "kubeconfig",
            "--rewrite",
            "--dry-run",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ])
        .run();
    dry.success().stdout_has("+      command: hat");
    assert_eq!(std::fs::read_to_string(&kubeconfig).unwrap(), written);

    sandbox
        .hat(&["eks", "kubeconfig", "--rewrite"])
        .env("KUBECONFIG", kubeconfig.to_str().unwrap())
        .run()
        .success()
        .stderr_has(&format!("pointed user `{arn}` at `hat eks token`"));
    let before: serde_yaml_ng::Value = serde_yaml_ng::from_str(&written).unwrap();
    let after: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&kubeconfig).unwrap()).unwrap();
    for section in [
        "clusters",
        "contexts",
        "current-context",
        "apiVersion",
        "kind",
        "preferences",
    ] {
        assert_eq!(after[section], before[section], "{section}");
    }
    assert_eq!(after["users"][0], before["users"][0], "the other user");
    let exec = &after["users"][1]["user"]["exec"];
    let args: Vec<&str> = exec["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "eks",
            "token",
            "--cluster",
            &name,
            "--region",
            "eu-west-1",
            "--profile",
            "base",
            "--role-arn",
            role
        ]
    );
    assert!(exec.get("env").is_none(), "AWS_PROFILE became --profile");

    // kubectl now runs hat, which assumes the role as the AWS CLI would have.
    let api = FakeKubeApi::start(&name, &sts.url);
    point_at(&sandbox, &kubeconfig, &arn, &api);
    let answer =
        ok(peer(&sandbox, "kubectl", &kubeconfig, &sts.url).args(["get", "--raw", "/api"]));
    assert_eq!(json(&answer)["kind"], "APIVersions");
    assert_eq!(
        sts.assumed(),
        [(role.to_string(), "EKSGetTokenAuth".to_string())]
    );
    only(
        &api.users(),
        "arn:aws:sts::222222222222:assumed-role/eks-viewer/EKSGetTokenAuth".to_string(),
    );

    sandbox
        .hat(&[
            "eks",
            "kubeconfig",
            "--rewrite",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ])
        .run()
        .success()
        .stderr_has("nothing to change");
}

#[test]
fn without_a_terminal_hat_never_prompts_and_names_the_command_to_run() {
    let sandbox = Sandbox::new();
    sandbox.config(CONFIG);
    let sts = StsVerifier::start(BASE_KEY_ID, BASE_SECRET);
    sandbox
        .hat(&["eks", "token", "--cluster", "prod-eks", "--profile", "mfa"])
        .sts(&sts.url)
        .run()
        .failure()
        .stderr_has("run `hat eks token --cluster prod-eks --profile mfa` (or `assume mfa`) once in a terminal");
    assert!(sts.assumed().is_empty());
}

#[test]
fn with_no_profile_the_environment_keys_sign() {
    let sandbox = Sandbox::new();
    let sts = StsVerifier::start(BASE_KEY_ID, BASE_SECRET);
    let out = sandbox
        .hat(&["eks", "token", "--cluster", "env-eks", "--region", "euw1"])
        .sts(&sts.url)
        .env("AWS_ACCESS_KEY_ID", BASE_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", BASE_SECRET)
        .run();
    out.success();
    let url = fake_eks::url_of(&token_of(&json(&out.stdout)));
    assert!(url.contains("%2Feu-west-1%2Fsts%2Faws4_request"), "{url}");
    let api = FakeKubeApi::start("env-eks", &sts.url);
    let bearer = format!("Bearer {}", token_of(&json(&out.stdout)));
    assert!(api.admits(&bearer), "{:?}", api.refusals());
    assert_eq!(api.users(), [BASE_ARN]);

    sandbox
        .hat(&["eks", "token", "--cluster", "env-eks"])
        .run()
        .failure()
        .stderr_has("pass --profile PROFILE");
}
