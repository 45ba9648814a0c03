//! Questions for the person at the keyboard, asked on /dev/tty: stdout is being
//! captured by the shell function and stderr may be redirected.

use anyhow::{Context, Result};
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};

/// Whether there is a controlling terminal to ask on.
pub fn available() -> bool {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// Says something on the terminal (best effort: there may be none).
pub fn tell(message: &str) {
    if let Ok(mut tty) = OpenOptions::new().write(true).open("/dev/tty") {
        let _ = tty.write_all(message.as_bytes());
    }
}

/// Asks `question` on the terminal and returns the trimmed answer.
pub fn ask(question: &str) -> Result<String> {
    let tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .context("there is no terminal to ask on")?;
    let mut writer = tty.try_clone()?;
    write!(writer, "{question}")?;
    writer.flush()?;
    let mut answer = String::new();
    BufReader::new(tty).read_line(&mut answer)?;
    if answer.is_empty() {
        anyhow::bail!("no answer (end of input)");
    }
    Ok(answer.trim().to_string())
}
