//! hat's integration tests: one binary, the real `hat` executable, real peers (moto,
//! the AWS CLI, botocore, bash, zsh, fish, nushell) and the project's fake STS for faults.

#[path = "../support/mod.rs"]
mod support;

mod architecture;
mod assume;
mod aws_vault;
mod bounded;
mod cache;
mod completions;
mod config;
mod console;
mod credential_process;
mod daily;
mod docs;
mod doctor;
mod edges;
mod eks;
mod errors;
mod exec;
mod export;
mod granted;
mod hardening;
mod index;
mod keys;
mod login;
mod man;
mod mfa;
mod migrate;
mod modes;
mod nushell;
mod picker;
mod properties;
mod registry;
mod shells;
mod sources;
mod sso;
