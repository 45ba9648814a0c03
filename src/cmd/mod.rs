//! One module per subcommand: each takes its parsed arguments and the [`Env`], and
//! returns the text for stdout, so nothing reaches stdout unless the whole command
//! succeeded.

pub mod assume;
pub mod cache;
pub mod completions;
pub mod config;
pub mod console;
pub mod credential_process;
pub mod doctor;
pub mod eks;
pub mod exec;
pub mod export;
pub mod init;
pub mod keys;
pub mod list;
pub mod migrate;
pub mod prompt;
pub mod registry;
pub mod sso;
