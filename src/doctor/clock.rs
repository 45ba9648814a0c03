//! This machine's clock against STS's: one unsigned request to the STS endpoint hat
//! would use, and its `Date` header. A clock minutes off makes every signed request
//! fail (SignatureDoesNotMatch, RequestExpired) and cached credentials look good for
//! longer than they are.

use super::Finding;
use crate::config::ConfigSet;
use crate::endpoint::{Endpoints, Service};
use crate::env::Env;
use crate::sdk::Sdk;
use std::time::Duration;
use time::PrimitiveDateTime;
use time::macros::format_description;

const CHECK: &str = "clock";

/// Off by this much or more, signed requests are refused (SigV4 allows 5 minutes).
const FAIL_AFTER: i64 = 5 * 60;
/// Off by more than this, it is worth fixing before it grows.
const WARN_AFTER: i64 = 30;
const TIMEOUT: Duration = Duration::from_secs(5);

pub fn check(env: &Env, config: Option<&ConfigSet>) -> Finding {
    let empty = ConfigSet::default();
    let profile = env.get("AWS_PROFILE");
    let endpoints = Endpoints::new(env, config.unwrap_or(&empty), profile);
    let url = endpoints
        .get(Service::Sts)
        .map(str::to_string)
        .unwrap_or_else(|| "https://sts.amazonaws.com/".to_string());
    let shown = shown_url(&url);
    let date = match server_date(&url) {
        Ok(date) => date,
        Err(reason) => {
            return Finding::warn(
                CHECK,
                format!("could not compare the clock with STS at {shown}: {reason}"),
                "check the network connection and proxy settings, or run hat doctor --offline",
            );
        }
    };
    let skew = crate::clock::now() - date;
    let how = if skew > 0 { "ahead of" } else { "behind" };
    let off = crate::clock::human(skew.abs());
    let fix =
        "turn on time synchronisation (timedatectl set-ntp true, or your system's clock settings)";
    if skew.abs() >= FAIL_AFTER {
        Finding::fail(
            CHECK,
            format!(
                "this machine's clock is {off} {how} STS's ({shown}): AWS refuses requests signed with it (SignatureDoesNotMatch or RequestExpired)"
            ),
            fix,
        )
    } else if skew.abs() > WARN_AFTER {
        Finding::warn(
            CHECK,
            format!("this machine's clock is {off} {how} STS's"),
            fix,
        )
    } else {
        Finding::ok(CHECK, format!("within {}s of STS's clock", skew.abs()))
    }
}

/// The endpoint without credentials in its userinfo, path or query.
fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => "the configured STS endpoint".to_string(),
    }
}

/// STS's `Date`, as epoch seconds; an error is one short sentence.
fn server_date(url: &str) -> Result<i64, String> {
    let sdk = Sdk::new().map_err(|e| format!("{e:#}"))?;
    // The project's one HTTP client, with the doctor's own short limit.
    let limits = crate::sdk::Limits {
        connect: TIMEOUT,
        total: TIMEOUT,
        ..crate::sdk::Limits::default()
    };
    let client = crate::net::client(&limits, sdk.ca_bundle())
        .map_err(|_| "could not set up HTTPS".to_string())?;
    let answer = sdk.block_on(async { client.get(url).send().await });
    let response = answer.map_err(|e| {
        if e.is_timeout() {
            format!("no answer within {}s", TIMEOUT.as_secs())
        } else if e.is_connect() {
            "could not connect".to_string()
        } else {
            "the request failed".to_string()
        }
    })?;
    let header = response
        .headers()
        .get("date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| "its answer has no Date header".to_string())?;
    parse_http_date(header).ok_or_else(|| "its Date header is not an HTTP date".to_string())
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110's IMF-fixdate).
fn parse_http_date(text: &str) -> Option<i64> {
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    PrimitiveDateTime::parse(text.trim(), format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_read() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn endpoints_are_shown_without_userinfo_or_query() {
        assert_eq!(
            shown_url("https://u:secret@sts.example.com:8443/x?token=t"),
            "https://sts.example.com:8443"
        );
    }
}
