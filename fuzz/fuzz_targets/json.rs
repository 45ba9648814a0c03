//! The cache, SSO token and credential JSON readers on arbitrary bytes (see
//! hat::fuzzing::json).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hat::fuzzing::json(data));
