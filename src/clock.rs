//! Wall-clock time as epoch seconds, and the RFC 3339 form (UTC, `Z`) that AWS,
//! credential_process and prompts such as starship exchange.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `2026-08-22T17:30:00Z`: whole seconds, always UTC with a `Z` offset.
pub fn to_rfc3339(epoch: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(epoch).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Accepts any RFC 3339 time (any offset, fractional seconds).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// `1h05m`, `12m`, `40s`: how long is left, for people.
pub fn human(seconds: i64) -> String {
    let s = seconds.max(0);
    match (s / 3600, (s % 3600) / 60) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_with_z() {
        assert_eq!(to_rfc3339(1_787_419_800), "2026-08-22T17:30:00Z");
        assert_eq!(parse_rfc3339("2026-08-22T17:30:00Z"), Some(1_787_419_800));
        assert_eq!(
            parse_rfc3339("2026-08-22T19:30:00.123+02:00"),
            Some(1_787_419_800)
        );
        assert_eq!(parse_rfc3339("2026-08-22 17:30"), None);
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(3900), "1h05m");
        assert_eq!(human(720), "12m");
        assert_eq!(human(40), "40s");
    }
}
