//! The profile picker: a fuzzy finder over every profile, drawn on /dev/tty (stdout
//! belongs to the shell function's eval). nucleo-picker rather than dialoguer: both draw
//! a first frame fast, but at 50,000 profiles dialoguer re-ranks everything on each key
//! (0.25 to 0.5 s a key here) while nucleo stays under 50 ms (docs/performance.md).
//!
//! Rows stream in from a second thread in frecency order, so the first frame does not
//! wait for 50,000 rows to be built.

use crate::clock;
use crate::config::ConfigSet;
use crate::env::Env;
use crate::exit::Exit;
use crate::frecency::Frecency;
use crate::listing::{self, Row};
use anyhow::{Result, anyhow};
use nucleo_picker::error::PickError;
use nucleo_picker::event::StdinReader;
use nucleo_picker::{PickerOptions, Render};
use std::borrow::Cow;
use std::fs::OpenOptions;
use std::io::BufWriter;
use std::sync::atomic::{AtomicBool, Ordering};

struct Item {
    name: String,
    line: String,
}

/// Shows (and matches on) an item's whole line: name, account, role, region.
struct Lines;

impl Render<Item> for Lines {
    type Str<'a> = &'a str;

    fn render<'a>(&self, item: &'a Item) -> &'a str {
        &item.line
    }
}

/// Column widths: names as wide as the widest (up to a limit), the rest fixed.
struct Columns {
    name: usize,
}

impl Columns {
    fn line(&self, row: &Row) -> String {
        let mark = match row.cached {
            Some(left) => format!("✓ {}", clock::human(left)),
            None => String::new(),
        };
        let line = format!(
            "{:name$}  {:12}  {:24}  {:14}  {mark}",
            row.name,
            row.account,
            truncate(&row.role, 24),
            row.region,
            name = self.name
        );
        line.trim_end().to_string()
    }
}

fn truncate(s: &str, width: usize) -> Cow<'_, str> {
    if s.chars().count() <= width {
        Cow::Borrowed(s)
    } else {
        let mut cut: String = s.chars().take(width - 1).collect();
        cut.push('…');
        Cow::Owned(cut)
    }
}

/// Lets the person pick a profile, starting with `query` typed in. Errors with
/// [`Exit::CANCELLED`] when they leave; the caller has checked that a terminal exists.
pub fn pick(config: &ConfigSet, env: &Env, query: &str) -> Result<String> {
    let tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| anyhow!("there is no terminal for the profile picker ({e})"))?;
    config.read_whole();
    let now = clock::now();
    let names: Vec<&str> = Frecency::load(env).order(config.profile_names(), now);
    let columns = Columns {
        name: names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .min(48),
    };
    let peek = listing::cache_has_entries(env);

    let mut picker = PickerOptions::new().query(query).picker(Lines);
    let injector = picker.injector();
    let stop = AtomicBool::new(false);

    let picked = std::thread::scope(|scope| {
        scope.spawn(|| {
            for name in &names {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let row = listing::row(config, env, name, peek, now);
                injector.push(Item {
                    name: row.name.clone(),
                    line: columns.line(&row),
                });
            }
        });
        let mut writer = BufWriter::new(tty);
        let result = picker
            .pick_with_io(
                StdinReader::<std::convert::Infallible>::default(),
                &mut writer,
            )
            .map(|item| item.map(|i| i.name.clone()));
        stop.store(true, Ordering::Relaxed);
        result
    });
    match picked {
        Ok(Some(name)) => Ok(name),
        Ok(None) | Err(PickError::UserInterrupted) => Err(Exit::CANCELLED.into()),
        Err(e) => Err(anyhow!("the profile picker failed: {e}")),
    }
}
