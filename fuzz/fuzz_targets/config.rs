//! The AWS profile-file parser on arbitrary bytes (see hat::fuzzing::config).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hat::fuzzing::config(data));
