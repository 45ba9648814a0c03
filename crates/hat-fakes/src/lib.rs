//! Loopback fakes of the AWS endpoints hat talks to that have no emulator, or whose
//! emulator (moto) cannot fail on purpose: SSO OIDC and the SSO portal ([`sso`]), the
//! console's federation endpoint ([`federation`]), IMDSv2 ([`imds`]), the Sign-In
//! service's token refresh for `aws login` sessions ([`signin`]), both sides of EKS
//! authentication (an STS that verifies presigned URLs and a Kubernetes API: [`eks`]),
//! an STS that
//! injects faults ([`sts`]), a front for moto that fails one action ([`fault`]), a
//! forwarding proxy ([`proxy`]) and endpoints that never finish answering ([`stall`]). Each speaks the real wire format, records what it is
//! sent, and runs on the one HTTP server in [`server`]. hat's integration tests use
//! them as a library; `scripts/demo` serves them with the `hat-fakes` binary.

pub mod eks;
pub mod fault;
pub mod federation;
pub mod imds;
pub mod proxy;
pub mod server;
pub mod signin;
pub mod sso;
pub mod stall;
pub mod sts;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `2026-08-22T17:30:00Z`, as AWS writes expirations.
pub fn rfc3339(epoch: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
