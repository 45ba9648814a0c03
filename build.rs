//! Link-time settings for the `hat` binary only (dependencies are not rebuilt, and
//! `cargo install` gets the same binary).
//!
//! Packed relative relocations (DT_RELR): hat's start-up was two thirds the dynamic
//! loader applying 32,000 relative relocations one by one; RELR stores them as bitmaps
//! that ld.so applies in a few thousand instructions, and keeps PIE and ASLR
//! (docs/performance.md has the instruction counts). It needs GNU ld 2.38+ or lld and
//! glibc 2.36+; the linker is asked once here, and without support nothing changes.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && target_env == "gnu" && linker_packs_relocs() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Links an empty C program with the flag; an old linker warns about an unknown `-z`
/// option, which `--fatal-warnings` turns into a failure.
fn linker_packs_relocs() -> bool {
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    // The same C compiler driver rustc links with, unless the target says otherwise.
    let target = env::var("TARGET").unwrap_or_default();
    let host = env::var("HOST").unwrap_or_default();
    let key = format!(
        "CARGO_TARGET_{}_LINKER",
        target.to_uppercase().replace('-', "_")
    );
    let cc = env::var(&key).unwrap_or_else(|_| {
        if target == host {
            "cc".into()
        } else {
            String::new()
        }
    });
    if cc.is_empty() {
        return false;
    }
    let src = out.join("relr-probe.c");
    if std::fs::write(&src, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    Command::new(cc)
        .arg("-pie")
        .arg("-fPIE")
        .arg("-Wl,-z,pack-relative-relocs")
        .arg("-Wl,--fatal-warnings")
        .arg("-o")
        .arg(out.join("relr-probe"))
        .arg(&src)
        .output()
        .is_ok_and(|o| o.status.success())
}
