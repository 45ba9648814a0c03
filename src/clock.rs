//! Wall-clock time as epoch seconds, the RFC 3339 form (UTC, `Z`) that AWS,
//! credential_process and prompts such as starship exchange, and the local wall-clock
//! form awsume's prompt variable uses ([`LocalZone`]).

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

/// The local time zone as libc's `localtime` finds it: the `TZ` variable (a zone name
/// such as `Europe/Berlin`, `:` and a file, an absolute path, or a POSIX rule such as
/// `IST-5:30`), else `/etc/localtime`; UTC when neither can be read.
pub struct LocalZone(Option<tz::TimeZone>);

impl LocalZone {
    /// The zone for the value of `TZ` (None when unset). Reads at most one small file.
    pub fn from_tz(tz: Option<&str>) -> LocalZone {
        LocalZone(tz::TimeZone::from_posix_tz(tz.unwrap_or("localtime")).ok())
    }

    /// Seconds east of UTC at the instant `epoch`.
    pub fn offset_at(&self, epoch: i64) -> i64 {
        self.0
            .as_ref()
            .and_then(|zone| zone.find_local_time_type(epoch).ok())
            .map_or(0, |t| i64::from(t.ut_offset()))
    }

    /// `2026-08-22T19:30:00`: the local wall-clock time at `epoch`, whole seconds and no
    /// offset, as awsume writes `AWSUME_EXPIRATION` (Python's `strftime` of a local time).
    pub fn wall_clock(&self, epoch: i64) -> String {
        let local = OffsetDateTime::from_unix_timestamp(epoch + self.offset_at(epoch))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        local
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]"
            ))
            .unwrap_or_default()
    }
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
    fn wall_clock_follows_the_zone_and_its_daylight_saving_rules() {
        // 2026-08-22T17:30:00Z, and the same time of day in January.
        let summer = 1_787_419_800;
        let winter = summer - 212 * 86_400;
        let india = LocalZone::from_tz(Some("IST-5:30"));
        assert_eq!(india.wall_clock(summer), "2026-08-22T23:00:00");
        let berlin = LocalZone::from_tz(Some("CET-1CEST,M3.5.0,M10.5.0/3"));
        assert_eq!(berlin.wall_clock(summer), "2026-08-22T19:30:00");
        assert_eq!(berlin.wall_clock(winter), "2026-01-22T18:30:00");
        let utc = LocalZone::from_tz(Some("UTC0"));
        assert_eq!(utc.wall_clock(summer), "2026-08-22T17:30:00");
        // A zone that cannot be read is UTC, as for libc.
        let unknown = LocalZone::from_tz(Some(":/nonexistent/zone"));
        assert_eq!(unknown.wall_clock(summer), "2026-08-22T17:30:00");
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(3900), "1h05m");
        assert_eq!(human(720), "12m");
        assert_eq!(human(40), "40s");
    }
}
