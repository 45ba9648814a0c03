//! Which profiles a person uses, how often and how lately: a small text file under
//! hat's state directory that orders the picker (frecency, as zoxide and firefox do).
//! Each `assume` appends one short line (`name<TAB>count<TAB>last`) with O_APPEND: one
//! open and one write on the cached path, and parallel shells do not lose each other's
//! uses (but for one that lands while another shell compacts the file). Lines for the
//! same name add up. When the file grows past [`COMPACT_AT`], it is rewritten whole
//! (temporary file + rename) with one line per name. Both through [`crate::fs`].

use crate::env::Env;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::PathBuf;

/// Entries kept at most; the least used go first when there are more.
const MAX_ENTRIES: usize = 1_000;
const FILE: &str = "frecency";
/// Bytes of appended lines before the file is compacted (about 2,000 uses).
const COMPACT_AT: u64 = 64 * 1024;
/// The temporary files' prefix before [`crate::fs`].
const OLD_TEMP_PREFIX: &str = ".frecency-";

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
            if let (Ok(count), Ok(last)) = (count.parse::<u64>(), last.parse::<i64>()) {
                let entry = uses
                    .entry(name.to_string())
                    .or_insert(Use { count: 0, last });
                entry.count += count;
                entry.last = entry.last.max(last);
            }
        }
        Frecency { uses }
    }

    /// How many uses of `profile` are recorded.
    pub fn count(&self, profile: &str) -> u64 {
        self.uses.get(profile).map_or(0, |u| u.count)
    }

    /// Counts one use of `profile` at `now`.
    pub fn record(&mut self, profile: &str, now: i64) {
        let entry = self.uses.entry(profile.to_string()).or_insert(Use {
            count: 0,
            last: now,
        });
        entry.count += 1;
        entry.last = now;
        self.cap(now);
    }

    /// Keeps the [`MAX_ENTRIES`] best-scored names.
    fn cap(&mut self, now: i64) {
        if self.uses.len() <= MAX_ENTRIES {
            return;
        }
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

    /// Writes the file atomically and privately ([`crate::fs::write`]). Saving is rare
    /// (a compaction), so it also tightens a state directory that an earlier version
    /// created with the umask's mode, and removes temporary files a killed save left.
    pub fn save(&self, env: &Env) -> Result<()> {
        let dir = env.state_dir();
        crate::fs::create_dir(&dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
        let mut names: Vec<(&String, &Use)> = self.uses.iter().collect();
        names.sort_by(|a, b| a.0.cmp(b.0));
        let mut text = String::new();
        for (name, u) in names {
            text.push_str(&format!("{name}\t{}\t{}\n", u.count, u.last));
        }
        crate::fs::write(&Self::path(env), text)?;
        crate::fs::remove_stale_temps(&dir, &[OLD_TEMP_PREFIX]);
        Ok(())
    }

    /// Records a use, best effort: history must never fail (or slow) an assume.
    pub fn remember(env: &Env, profile: &str, now: i64) {
        if let Err(e) = Self::append(env, profile, now) {
            crate::verbose!("could not record the use of {profile}: {e:#}");
        }
    }

    fn append(env: &Env, profile: &str, now: i64) -> Result<()> {
        // One write of a short line: appends from parallel shells do not interleave.
        let len = crate::fs::append(&Self::path(env), format!("{profile}\t1\t{now}\n"))?;
        if len > COMPACT_AT {
            let mut all = Frecency::load(env);
            all.cap(now);
            all.save(env)?;
        }
        Ok(())
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
        let mut f = Frecency::default();
        f.record("prod", 5);
        f.record("prod", 6);
        f.save(&env).unwrap();
        let text = std::fs::read_to_string(Frecency::path(&env)).unwrap();
        assert_eq!(text, "prod\t2\t6\n");
        assert_eq!(Frecency::load(&env).uses["prod"], Use { count: 2, last: 6 });
        let f = Frecency::parse("prod\t2\t6\ngarbage\nx\tnot-a-number\t1\n");
        assert_eq!(f.uses.len(), 1);
    }

    #[test]
    fn appended_uses_add_up_and_the_file_is_compacted_when_large() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([("XDG_STATE_HOME", dir.path().to_str().unwrap())]);
        Frecency::remember(&env, "a", 5);
        Frecency::remember(&env, "b", 6);
        Frecency::remember(&env, "a", 7);
        let text = std::fs::read_to_string(Frecency::path(&env)).unwrap();
        assert_eq!(text, "a\t1\t5\nb\t1\t6\na\t1\t7\n");
        let f = Frecency::load(&env);
        assert_eq!(f.uses["a"], Use { count: 2, last: 7 });
        for i in 0..3_000 {
            Frecency::remember(&env, "a", 10 + i);
        }
        let text = std::fs::read_to_string(Frecency::path(&env)).unwrap();
        assert!(text.len() as u64 <= COMPACT_AT, "{} bytes", text.len());
        let f = Frecency::load(&env);
        assert_eq!(f.uses["a"].count, 3_002);
        assert_eq!(f.uses["a"].last, 3_009);
        assert_eq!(f.uses["b"], Use { count: 1, last: 6 });
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
