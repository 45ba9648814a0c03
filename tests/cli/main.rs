//! hat's integration tests: one binary, the real `hat` executable, real peers (moto,
//! the AWS CLI, botocore, bash, zsh, fish) and the project's fake STS for faults.

#[path = "../support/mod.rs"]
mod support;

mod assume;
mod completions;
mod config;
mod credential_process;
mod daily;
mod errors;
mod picker;
mod shells;
