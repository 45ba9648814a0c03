//! Where MFA codes come from: `--mfa-token` (used once), else asked on the terminal,
//! where a mistyped code is asked for again (three tries).

use anyhow::{Result, anyhow, bail};

/// Hands out MFA codes for one run.
pub struct Codes {
    /// `--mfa-token`, until the first code is needed.
    token: Option<String>,
}

impl Codes {
    pub fn new(token: Option<String>) -> Codes {
        Codes { token }
    }

    /// A code for `serial`, which `profile` needs.
    pub fn code(&mut self, serial: &str, profile: &str) -> Result<String> {
        if let Some(code) = self.token.take() {
            return check(&code);
        }
        let mut tries = 0;
        loop {
            let answer = crate::tty::ask(&format!("MFA code for {serial}: ")).map_err(|e| {
                anyhow!(
                    "profile `{profile}` needs an MFA code from {serial}, but hat could not ask for one ({e}); pass it with --mfa-token CODE"
                )
            })?;
            tries += 1;
            match check(&answer) {
                Ok(code) => return Ok(code),
                Err(e) if tries < 3 => crate::tty::tell(&format!("{e}\n")),
                Err(e) => return Err(e),
            }
        }
    }
}

/// A code is six digits (surrounding white space dropped).
pub fn check(code: &str) -> Result<String> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        bail!(
            "an MFA code is 6 digits; got {} characters. Type the code your MFA device shows now",
            code.chars().count()
        );
    }
    Ok(code.to_string())
}
