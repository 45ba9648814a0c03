//! Issue 13: where hat's calls go at the edges of AWS (FIPS, dual-stack, partitions),
//! checked on the wire: a recording proxy sees the CONNECT target hat asked for.

use crate::support::{CHAIN_CONFIG, Sandbox};

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
