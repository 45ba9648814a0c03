//! hat: wear any AWS role in your terminal.
//!
//! Data flows one way: arguments ([`cli`]) → profile files ([`config`]) → the chain of
//! credential sources ([`resolve`]) → the cache or provider calls ([`cache`],
//! [`providers`]) → credentials ([`creds`]) → exports for the user's shell ([`emit`]).
//! Nothing below `providers` knows about shells; nothing in `emit` knows about AWS.

pub mod argv;
// The one platform statement: hat uses Unix files, modes, signals and exec throughout,
// so nothing else is guarded by cfg(unix).
#[cfg(not(unix))]
compile_error!("hat runs on Unix (Linux, macOS and the BSDs) only");

pub mod cache;
pub mod chain;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod creds;
pub mod diff;
pub mod doctor;
pub mod duration;
pub mod eks;
pub mod emit;
pub mod endpoint;
pub mod env;
pub mod exit;
pub mod export_file;
pub mod failure;
pub mod frecency;
pub mod fs;
pub mod fuzzing;
pub mod keys;
pub mod listing;
pub mod log;
pub mod migrate;
pub mod net;
pub mod picker;
pub mod process_line;
pub mod prompt;
pub mod providers;
pub mod region;
pub mod registry;
pub mod resolve;
pub mod sdk;
pub mod server;
pub mod session;
pub mod settings;
pub mod sso;
pub mod suggest;
pub mod tty;
pub mod web_console;
