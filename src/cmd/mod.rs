//! One module per subcommand: each takes its parsed arguments and the [`Env`], and
//! returns the text for stdout, so nothing reaches stdout unless the whole command
//! succeeded.

pub mod assume;
pub mod completions;
pub mod config;
pub mod credential_process;
pub mod init;
pub mod list;
pub mod prompt;
