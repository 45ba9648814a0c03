//! Issue 13: where hat's calls go at the edges of AWS (FIPS, dual-stack, partitions),
//! checked on the wire: a recording proxy sees the CONNECT target hat asked for.

use crate::support::{CHAIN_CONFIG, Sandbox};
use std::path::PathBuf;
use std::process::Command;

const FIPS_CONFIG: &str = "
[profile fips]
role_arn = arn:aws:iam::111111111111:role/a
source_profile = base
region = us-east-1
use_fips_endpoint = true
use_dualstack_endpoint = true
";

/// The host:port of the first CONNECT the proxy saw.
fn connect_target(requests: &[String]) -> String {
    let line = requests
        .iter()
        .find(|l| l.starts_with("CONNECT "))
        .unwrap_or_else(|| panic!("no CONNECT in {requests:?}"));
    line.split(' ').nth(1).unwrap().to_string()
}

#[test]
fn fips_and_dual_stack_in_the_profile_send_sts_to_the_resolvers_host() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!("{CHAIN_CONFIG}{FIPS_CONFIG}"));
    let proxy = crate::support::proxy::Proxy::start();
    // The proxy cannot reach the internet; the CONNECT line is what counts.
    sandbox
        .assume(&["fips"])
        .env("HTTPS_PROXY", &proxy.url)
        .run()
        .failure();
    assert_eq!(
        connect_target(&proxy.requests()),
        "sts-fips.us-east-1.api.aws:443"
    );
}

#[test]
fn the_variables_win_over_the_profile_for_fips() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!("{CHAIN_CONFIG}{FIPS_CONFIG}"));
    let proxy = crate::support::proxy::Proxy::start();
    sandbox
        .assume(&["fips"])
        .env("HTTPS_PROXY", &proxy.url)
        .env("AWS_USE_FIPS_ENDPOINT", "false")
        .env("AWS_USE_DUALSTACK_ENDPOINT", "false")
        .run()
        .failure();
    assert_eq!(
        connect_target(&proxy.requests()),
        "sts.us-east-1.amazonaws.com:443"
    );

    // Only the variable: FIPS in GovCloud.
    let proxy = crate::support::proxy::Proxy::start();
    sandbox
        .assume(&["a"])
        .env("HTTPS_PROXY", &proxy.url)
        .env("AWS_USE_FIPS_ENDPOINT", "true")
        .env("AWS_REGION", "us-gov-west-1")
        .run()
        .failure()
        .stderr_has("sts");
}

#[test]
fn an_endpoint_url_wins_over_fips() {
    let sandbox = Sandbox::new();
    sandbox.config(&format!("{CHAIN_CONFIG}{FIPS_CONFIG}"));
    let fake = crate::support::fake_sts::FakeSts::start(vec![crate::support::fake_sts::Reply::Ok]);
    sandbox.assume(&["fips"]).sts(&fake.url).run().success();
    assert_eq!(fake.actions(), ["AssumeRole"]);
}

/// A throwaway CA and a certificate it signed for 127.0.0.1, made with the openssl CLI:
/// (CA certificate, server certificate, server key).
fn throwaway_ca(sandbox: &Sandbox) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = crate::support::require("openssl");
    let dir = sandbox.path("tls");
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(&openssl)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=hat test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    ]
    .concat());
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

#[test]
fn aws_ca_bundle_trusts_a_tls_inspecting_proxys_ca_and_without_it_the_error_says_so() {
    let sandbox = Sandbox::new();
    let (ca, cert, key) = throwaway_ca(&sandbox);
    let sts = crate::support::moto::start_tls(&cert, &key);
    sandbox.config(CHAIN_CONFIG);

    // Not trusted: the endpoint, the cause and the variable to set.
    sandbox
        .assume(&["a"])
        .sts(&sts)
        .run()
        .failure()
        .stderr_has(&format!("could not reach STS at {sts}"))
        .stderr_has("certificate was not trusted")
        .stderr_has("AWS_CA_BUNDLE");

    // The variable.
    let out = sandbox
        .assume(&["a"])
        .sts(&sts)
        .env("AWS_CA_BUNDLE", ca.to_str().unwrap())
        .run();
    out.success();
    assert_eq!(out.exports()["AWS_PROFILE"].as_deref(), Some("a"));

    // The profile key, for the profile being assumed.
    sandbox.config(&format!("{CHAIN_CONFIG}\n[profile tls]\nrole_arn = arn:aws:iam::111111111111:role/t\nsource_profile = base\nca_bundle = {}\n", ca.display()));
    sandbox.assume(&["tls"]).sts(&sts).run().success();

    // A bundle that is not there is an error before any call.
    sandbox
        .assume(&["b"])
        .sts(&sts)
        .env("AWS_CA_BUNDLE", "/nonexistent/ca.pem")
        .run()
        .failure()
        .stderr_has("could not read the CA bundle /nonexistent/ca.pem");
}
