//! The prompt segment: the active profile and how long its credentials have left
//! (`prod 42m`, `prod expired`), from `HAT_PROFILE` and `HAT_EXPIRES` alone. No files,
//! no network, no failure: a prompt must never break or slow the shell. The shell
//! wrappers' `__hat_prompt` computes the same text with the shell's own clock.

use crate::clock;
use crate::env::Env;

/// The segment for the role in `env` at `now`; empty when no role is active.
pub fn segment(env: &Env, now: i64) -> String {
    let Some(profile) = env.get("HAT_PROFILE") else {
        return String::new();
    };
    match env
        .get("HAT_EXPIRES")
        .and_then(|e| e.trim().parse::<i64>().ok())
    {
        None => profile.to_string(),
        Some(expires) if expires <= now => format!("{profile} expired"),
        Some(expires) => format!("{profile} {}", clock::human(expires - now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(profile: Option<&str>, expires: Option<&str>, now: i64) -> String {
        let mut pairs = Vec::new();
        if let Some(p) = profile {
            pairs.push(("HAT_PROFILE", p));
        }
        if let Some(e) = expires {
            pairs.push(("HAT_EXPIRES", e));
        }
        segment(&Env::from_pairs(pairs), now)
    }

    #[test]
    fn shows_time_left_or_expired_and_nothing_without_a_role() {
        assert_eq!(at(Some("prod"), Some("3900"), 0), "prod 1h05m");
        assert_eq!(at(Some("prod"), Some("2520"), 0), "prod 42m");
        assert_eq!(at(Some("prod"), Some("40"), 0), "prod 40s");
        assert_eq!(at(Some("prod"), Some("100"), 100), "prod expired");
        assert_eq!(at(Some("prod"), Some("5"), 100), "prod expired");
        assert_eq!(at(Some("keys"), None, 100), "keys");
        assert_eq!(at(Some("odd"), Some("soon"), 100), "odd");
        assert_eq!(at(None, Some("100"), 0), "");
    }

    /// starship's aws module reads AWS_CREDENTIAL_EXPIRATION only when it is RFC 3339
    /// with an offset (chrono's `parse_from_rfc3339`); what `assume` exports must pass
    /// that rule, so starship shows the time left with no setup.
    #[test]
    fn exported_expiration_is_rfc3339_with_an_offset_as_starship_requires() {
        use time::OffsetDateTime;
        use time::format_description::well_known::Rfc3339;
        let creds = crate::creds::Credentials {
            access_key_id: "A".into(),
            secret_access_key: "S".into(),
            session_token: Some("T".into()),
            expiration: Some(1_787_419_800),
        };
        let exports =
            crate::emit::Exports::role("prod", None, &creds).render(crate::emit::Shell::Sh);
        let value = exports
            .lines()
            .find_map(|l| l.strip_prefix("export AWS_CREDENTIAL_EXPIRATION="))
            .expect("exported")
            .trim_matches('\'');
        assert_eq!(value, "2026-08-22T17:30:00Z");
        // The rule: RFC 3339 needs the offset; the same time without one is refused.
        assert!(OffsetDateTime::parse(value, &Rfc3339).is_ok());
        assert!(OffsetDateTime::parse("2026-08-22T17:30:00", &Rfc3339).is_err());
    }
}
