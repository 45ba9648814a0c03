//! Bringing another tool's files across to hat (`hat migrate`): each peer's formats
//! are read and rewritten here, byte for byte outside the lines that change, and
//! `cmd::migrate` only presents the result.

pub mod granted;
