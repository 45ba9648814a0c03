//! `hat list`: every profile with what it is (type, account, role, region) and whether
//! hat holds good cached credentials for it ([`crate::listing`], the rows the picker
//! shows too), as aligned columns; `--names` for scripts and completions.

use crate::cli::ListArgs;
use crate::clock;
use crate::env::Env;
use crate::listing::{Row, cache_has_entries, row};
use anyhow::Result;
use std::fmt::Write as _;

pub fn run(args: &ListArgs, env: &Env) -> Result<String> {
    // Never freed: the process exits right after (see `assume`).
    let config = std::mem::ManuallyDrop::new(crate::config::load(env)?);
    let mut out = String::new();
    if args.names {
        for name in config.profile_names() {
            out.push_str(name);
            out.push('\n');
        }
        return Ok(out);
    }
    config.read_whole();
    let peek = cache_has_entries(env);
    let now = clock::now();
    let rows: Vec<Row> = config
        .profile_names()
        .map(|name| row(&config, env, name, peek, now))
        .collect();
    Ok(table(&rows))
}

/// Aligned columns for people; the cached column says how long is left.
fn table(rows: &[Row]) -> String {
    let header = Row {
        name: "PROFILE".into(),
        kind: "TYPE",
        account: "ACCOUNT".into(),
        role: "ROLE".into(),
        region: "REGION".into(),
        cached: None,
    };
    let all = || std::iter::once(&header).chain(rows);
    let width = |f: fn(&Row) -> usize| all().map(f).max().unwrap_or(0);
    let (wn, wk, wa, wr, wg) = (
        width(|r| r.name.chars().count()),
        width(|r| r.kind.len()),
        width(|r| r.account.chars().count()),
        width(|r| r.role.chars().count()),
        width(|r| r.region.chars().count()),
    );
    let mut out = String::new();
    for (i, r) in all().enumerate() {
        let cached = match (i, r.cached) {
            (0, _) => "CACHED".to_string(),
            (_, Some(left)) => format!("✓ {}", clock::human(left)),
            (_, None) => String::new(),
        };
        let line = format!(
            "{:wn$}  {:wk$}  {:wa$}  {:wr$}  {:wg$}  {cached}",
            r.name, r.kind, r.account, r.role, r.region
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigSet;
    use crate::listing::row;
    use std::path::Path;

    #[test]
    fn the_table_aligns_its_columns() {
        let config = ConfigSet::from_texts(
            Path::new("c"),
            "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/team/Admin\nsource_profile = k\nregion = eu-west-1\n",
            Path::new("k"),
            "[k]\naws_access_key_id = A\naws_secret_access_key = B\n",
        )
        .unwrap();
        let text = table(&[row(&config, &Env::default(), "r", false, 0)]);
        assert!(
            text.starts_with("PROFILE  TYPE  ACCOUNT       ROLE   REGION     CACHED\n"),
            "{text}"
        );
    }
}
