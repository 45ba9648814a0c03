//! Which profiles a person uses, how often and how lately: a small text file under
//! hat's state directory that orders the picker (frecency, as zoxide and firefox do).
//! Written whole to a temporary file and renamed, so a reader never sees half of it.

use crate::env::Env;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Entries kept at most; the least used go first when there are more.
const MAX_ENTRIES: usize = 1_000;
const FILE: &str = "frecency";

#[derive(Debug, Clone, PartialEq)]
struct Use {
    count: u64,
    last: i64,
}

/// Profile uses, by name.
#[derive(Debug, Default)]
pub struct Frecency {
    uses: HashMap<String, Use>,
}

impl Frecency {
    pub fn path(env: &Env) -> PathBuf {
        env.state_dir().join(FILE)
    }

    /// The recorded uses; a missing or unreadable file is no history (lines that do not
    /// parse are skipped: the file is a convenience, never a reason to fail).
    pub fn load(env: &Env) -> Frecency {
        let text = std::fs::read_to_string(Self::path(env)).unwrap_or_default();
        Frecency::parse(&text)
    }

    fn parse(text: &str) -> Frecency {
        let mut uses = HashMap::new();
        for line in text.lines() {
            let mut fields = line.split('\t');
            let (Some(name), Some(count), Some(last)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if let (Ok(count), Ok(last)) = (count.parse(), last.parse()) {
                uses.insert(name.to_string(), Use { count, last });
            }
        }
        Frecency { uses }
    }

    /// Counts one use of `profile` at `now`.
    pub fn record(&mut self, profile: &str, now: i64) {
        let entry = self.uses.entry(profile.to_string()).or_insert(Use {
            count: 0,
            last: now,
        });
        entry.count += 1;
        entry.last = now;
        if self.uses.len() > MAX_ENTRIES {
            let mut scored: Vec<(f64, String)> = self
                .uses
                .iter()
                .map(|(name, u)| (score(u, now), name.clone()))
                .collect();
            scored.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (_, name) in scored.iter().take(self.uses.len() - MAX_ENTRIES) {
                self.uses.remove(name);
            }
        }
    }

    /// Writes the file atomically (temporary file in the same directory, then rename).
    pub fn save(&self, env: &Env) -> Result<()> {
        let path = Self::path(env);
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
        let mut names: Vec<(&String, &Use)> = self.uses.iter().collect();
        names.sort_by(|a, b| a.0.cmp(b.0));
        let mut text = String::new();
        for (name, u) in names {
            text.push_str(&format!("{name}\t{}\t{}\n", u.count, u.last));
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".frecency-")
            .tempfile_in(dir)
            .with_context(|| format!("could not write to {}", dir.display()))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())?;
        tmp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("could not write {}", path.display()))?;
        Ok(())
    }

    /// Records a use and saves, best effort: history must never fail an assume.
    pub fn remember(env: &Env, profile: &str, now: i64) {
        let mut frecency = Frecency::load(env);
        frecency.record(profile, now);
        if let Err(e) = frecency.save(env) {
            crate::verbose!("could not record the use of {profile}: {e:#}");
        }
    }

    /// `names` (sorted) reordered: used profiles first, most frecent first; the never-used
    /// ones after, in their given (alphabetical) order.
    pub fn order<'a>(&self, names: impl Iterator<Item = &'a str>, now: i64) -> Vec<&'a str> {
        let mut used: Vec<(f64, &'a str)> = Vec::new();
        let mut unused = Vec::new();
        for name in names {
            match self.uses.get(name) {
                Some(u) => used.push((score(u, now), name)),
                None => unused.push(name),
            }
        }
        used.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        used.into_iter().map(|(_, n)| n).chain(unused).collect()
    }
}

/// Uses weighted by how recent the last one was (zoxide's weights).
fn score(u: &Use, now: i64) -> f64 {
    let age = now.saturating_sub(u.last);
    let weight = if age < 3_600 {
        4.0
    } else if age < 86_400 {
        2.0
    } else if age < 604_800 {
        0.5
    } else {
        0.25
    };
    u.count as f64 * weight
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn used_profiles_come_first_then_the_rest_alphabetically() {
        let mut f = Frecency::default();
        let now = 1_000_000;
        f.record("old-often", now - 700_000);
        for _ in 0..3 {
            f.record("old-often", now - 700_000);
        }
        f.record("recent", now - 10);
        let names = ["a", "old-often", "recent", "z"];
        assert_eq!(
            f.order(names.into_iter(), now),
            ["recent", "old-often", "a", "z"]
        );
    }

    #[test]
    fn saved_history_loads_back_and_junk_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([("XDG_STATE_HOME", dir.path().to_str().unwrap())]);
        Frecency::remember(&env, "prod", 5);
        Frecency::remember(&env, "prod", 6);
        let text = std::fs::read_to_string(Frecency::path(&env)).unwrap();
        assert_eq!(text, "prod\t2\t6\n");
        let f = Frecency::parse("prod\t2\t6\ngarbage\nx\tnot-a-number\t1\n");
        assert_eq!(f.uses.len(), 1);
    }

    #[test]
    fn history_is_capped() {
        let mut f = Frecency::default();
        for i in 0..(MAX_ENTRIES + 5) {
            f.record(&format!("p{i}"), i as i64);
        }
        assert_eq!(f.uses.len(), MAX_ENTRIES);
        assert!(f.uses.contains_key(&format!("p{}", MAX_ENTRIES + 4)));
    }
}
