//! `hat-fakes`: serves the fakes on 127.0.0.1 for `scripts/demo`, the same code hat's
//! tests use. It prints one `NAME=URL` line per fake on stdout once every one is
//! listening, then serves until it is killed.

use clap::Parser;
use hat_fakes::{federation, imds, sso, sts};
use std::io::Write;
use std::time::Duration;

/// Serve hat's fakes of IAM Identity Center (SSO OIDC and the portal), the console's
/// federation endpoint, IMDSv2 and STS on 127.0.0.1, for a local demo. Nothing here is
/// AWS: credentials it hands out work only against these fakes.
#[derive(Parser)]
#[command(name = "hat-fakes", version)]
struct Args {
    /// Port for SSO OIDC and the SSO portal (0: any free port).
    #[arg(long, default_value_t = 0)]
    sso_port: u16,
    /// Port for the federation endpoint (0: any free port).
    #[arg(long, default_value_t = 0)]
    federation_port: u16,
    /// Approve a device code this many seconds after it was handed out, as a person
    /// at the verification page would.
    #[arg(long, value_name = "SECONDS", default_value_t = 3)]
    approve_after: u64,
    /// An account in the SSO portal, as ID:NAME:ROLE[,ROLE...]; repeat for more.
    #[arg(long = "account", value_name = "ID:NAME:ROLES", value_parser = parse_account)]
    accounts: Vec<(String, String, Vec<String>)>,
}

fn parse_account(text: &str) -> Result<(String, String, Vec<String>), String> {
    let mut parts = text.splitn(3, ':');
    let (Some(id), Some(name), Some(roles)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected ID:NAME:ROLE[,ROLE...]".into());
    };
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{id:?} is not a 12-digit account id"));
    }
    let roles: Vec<String> = roles.split(',').map(str::to_string).collect();
    if roles.iter().any(String::is_empty) {
        return Err("a role name is empty".into());
    }
    Ok((id.into(), name.into(), roles))
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(args) {
        eprintln!("hat-fakes: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> std::io::Result<()> {
    let mut options = sso::Options {
        pending_polls: 0,
        approve_after: Some(Duration::from_secs(args.approve_after)),
        ..sso::Options::default()
    };
    if !args.accounts.is_empty() {
        options.accounts = args.accounts;
    }
    // The device page is the fake's own, so the URL hat prints can be opened.
    let sso = sso::FakeSso::bind(args.sso_port, options)?;
    sso.set(|o| o.verification_uri = format!("{}/device", sso.url));
    let federation =
        federation::FakeFederation::bind(args.federation_port, federation::Reply::Token)?;
    let imds = imds::FakeImds::start();
    let sts = sts::FakeSts::start(vec![sts::Reply::Ok]);
    let mut out = std::io::stdout().lock();
    writeln!(out, "sso={}", sso.url)?;
    writeln!(out, "federation={}", federation.url)?;
    writeln!(out, "imds={}", imds.url)?;
    writeln!(out, "sts={}", sts.url)?;
    out.flush()?;
    drop(out);
    loop {
        std::thread::park();
    }
}
