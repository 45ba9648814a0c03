//! "Did you mean ...?": the names closest to one that was mistyped (profiles,
//! sso-sessions), and the one way hat words the suggestion.

/// `did you mean `prod`?`, `did you mean `a`, `b` or `c`?` for the (at most three)
/// names closest to `wanted`; `None` when nothing is close.
pub fn did_you_mean<'a>(names: impl Iterator<Item = &'a str>, wanted: &str) -> Option<String> {
    let close = closest(names, wanted, 3);
    let quoted: Vec<String> = close.iter().map(|n| format!("`{n}`")).collect();
    let (last, rest) = quoted.split_last()?;
    Some(if rest.is_empty() {
        format!("did you mean {last}?")
    } else {
        format!("did you mean {} or {last}?", rest.join(", "))
    })
}

/// [`did_you_mean`] as a sentence of its own: `Did you mean `prod`?`.
pub fn sentence<'a>(names: impl Iterator<Item = &'a str>, wanted: &str) -> Option<String> {
    did_you_mean(names, wanted).map(|s| format!("D{}", &s[1..]))
}

/// The names most like `wanted`, best first: near spellings, names that start with a
/// near spelling of it (`prdo` → `production`), and names containing it.
pub fn closest<'a>(
    names: impl Iterator<Item = &'a str>,
    wanted: &str,
    limit: usize,
) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let wanted_len = wanted.chars().count();
    let mut scored: Vec<(f64, &str)> = names
        .filter_map(|n| {
            let lower = n.to_lowercase();
            let mut score = strsim::jaro_winkler(&lower, &wanted);
            if wanted_len >= 3 {
                let prefix: String = lower.chars().take(wanted_len).collect();
                if strsim::osa_distance(&prefix, &wanted) <= 1 + wanted_len / 5 {
                    score = score.max(0.85);
                }
                if lower.contains(&wanted) {
                    score = score.max(0.9);
                }
            }
            (score >= 0.8).then_some((score, n))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(limit).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_cover_typos_prefixes_and_substrings() {
        let names = ["production", "prod-admin", "base", "staging", "dev"];
        assert_eq!(
            closest(names.iter().copied(), "prdo", 3),
            ["prod-admin", "production"]
        );
        assert_eq!(closest(names.iter().copied(), "stagign", 3), ["staging"]);
        assert_eq!(closest(names.iter().copied(), "admin", 3), ["prod-admin"]);
        assert!(closest(names.iter().copied(), "zzz", 3).is_empty());
    }

    #[test]
    fn suggestions_are_worded_once() {
        let names = ["prod", "prod-admin", "prod-ro", "dev"];
        assert_eq!(
            sentence(names.iter().copied(), "prd").as_deref(),
            Some("Did you mean `prod`, `prod-admin` or `prod-ro`?")
        );
        assert_eq!(
            did_you_mean(["corp"].into_iter(), "crop").as_deref(),
            Some("did you mean `corp`?")
        );
        assert_eq!(did_you_mean(names.iter().copied(), "zzzzzz"), None);
    }
}
