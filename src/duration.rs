//! Session durations as people write them (`1h`, `90m`, `1h30m`, `3600`) and the
//! limits STS puts on them, checked before any call is made.

use anyhow::{Result, bail};

pub const MIN: u32 = 900;
/// AssumeRole and AssumeRoleWithWebIdentity: at most 12 hours (and the role's own maximum).
pub const ASSUME_ROLE_MAX: u32 = 43_200;
/// Role chaining (role credentials assuming a role) is capped by STS at one hour.
pub const CHAINED_MAX: u32 = 3_600;
/// GetSessionToken: at most 36 hours.
pub const SESSION_TOKEN_MAX: u32 = 129_600;

/// Parses `3600`, `3600s`, `90m`, `1h`, `1h30m`, `2h5m10s` into seconds, and Go's
/// decimal forms (`1.5h`, `0.25h`), which Granted's `-d` takes (time.ParseDuration),
/// when they come to whole seconds.
pub fn parse(input: &str) -> Result<u32> {
    let text = input.trim().to_ascii_lowercase();
    if text.is_empty() {
        bail!("empty duration; write it like 1h, 90m or 3600");
    }
    if let Ok(seconds) = text.parse::<u32>() {
        return Ok(seconds);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut last_unit = u64::MAX;
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '.' && !digits.contains('.')) {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => bail!("`{input}` is not a duration; write it like 1h, 90m, 1h30m or 3600"),
        };
        if digits.is_empty() || digits == "." || unit >= last_unit {
            bail!("`{input}` is not a duration; write it like 1h, 90m, 1h30m or 3600");
        }
        total += match digits.split_once('.') {
            None => digits.parse::<u64>()? * unit,
            Some((whole, fraction)) => {
                // Exact decimal arithmetic: `0.1h` is 360 s, not 359.99...
                let scale = 10u64
                    .checked_pow(u32::try_from(fraction.len())?)
                    .ok_or_else(|| anyhow::anyhow!("`{input}` has too many decimals"))?;
                let whole: u64 = if whole.is_empty() { 0 } else { whole.parse()? };
                let fraction: u64 = if fraction.is_empty() {
                    0
                } else {
                    fraction.parse()?
                };
                let scaled = whole
                    .checked_mul(scale)
                    .and_then(|w| w.checked_add(fraction))
                    .and_then(|w| w.checked_mul(unit))
                    .ok_or_else(|| anyhow::anyhow!("`{input}` is too long a duration"))?;
                if scaled % scale != 0 {
                    bail!("`{input}` is not a whole number of seconds");
                }
                scaled / scale
            }
        };
        digits.clear();
        last_unit = unit;
    }
    if !digits.is_empty() {
        bail!("`{input}` is not a duration: the last number has no unit (h, m or s)");
    }
    u32::try_from(total).map_err(|_| anyhow::anyhow!("`{input}` is too long a duration"))
}

/// Checks a requested duration against STS's limits for `operation`.
pub fn check(seconds: u32, max: u32, operation: &str) -> Result<()> {
    if !(MIN..=max).contains(&seconds) {
        bail!(
            "a duration of {} is outside what {operation} allows ({} to {}); ask for something in between, e.g. -d 1h",
            describe(seconds),
            describe(MIN),
            describe(max)
        );
    }
    Ok(())
}

/// `1h`, `15m`, `1h30m`, `45s`.
pub fn describe(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    let mut out = String::new();
    if h > 0 {
        out += &format!("{h}h");
    }
    if m > 0 {
        out += &format!("{m}m");
    }
    if s > 0 || out.is_empty() {
        out += &format!("{s}s");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(parse("3600").unwrap(), 3600);
        assert_eq!(parse("3600s").unwrap(), 3600);
        assert_eq!(parse("90m").unwrap(), 5400);
        assert_eq!(parse("1h").unwrap(), 3600);
        assert_eq!(parse("1H30m").unwrap(), 5400);
        assert_eq!(parse("2h5m10s").unwrap(), 7510);
        // Go's decimals, as Granted's -d takes them.
        assert_eq!(parse("1.5h").unwrap(), 5400);
        assert_eq!(parse("0.1h").unwrap(), 360);
        assert_eq!(parse(".5h").unwrap(), 1800);
        assert_eq!(parse("1h0.5m").unwrap(), 3630);
    }

    #[test]
    fn refuses_nonsense() {
        for bad in [
            "", "h", "1x", "1m1h", "1h1h", "-5", "5 m", ".h", "1.2.3h", "0.5s", "1.5",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_are_enforced_with_advice() {
        assert!(check(900, ASSUME_ROLE_MAX, "AssumeRole").is_ok());
        assert!(check(43_200, ASSUME_ROLE_MAX, "AssumeRole").is_ok());
        let e = check(60, ASSUME_ROLE_MAX, "AssumeRole")
            .unwrap_err()
            .to_string();
        assert!(e.contains("15m to 12h"), "{e}");
        assert!(check(50_000, ASSUME_ROLE_MAX, "AssumeRole").is_err());
    }

    #[test]
    fn describes_durations() {
        assert_eq!(describe(5400), "1h30m");
        assert_eq!(describe(900), "15m");
        assert_eq!(describe(43_200), "12h");
    }
}
