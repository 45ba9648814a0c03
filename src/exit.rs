//! How a command ends other than with its answer or a printed error: [`Exit`] is an
//! error that carries hat's exit status and says nothing more (whatever there was to
//! say is on stderr already), as zoxide's `SilentExit` does. Commands return it;
//! `main` turns every command's result into the status in one `match`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit(pub u8);

impl Exit {
    /// The person left the picker (Esc or Ctrl-C): 130, as for Ctrl-C in a shell.
    pub const CANCELLED: Exit = Exit(130);
    /// `hat assume` with stdout on a terminal: the shell function is not set up.
    pub const NOT_SET_UP: Exit = Exit(2);
    /// `hat exec`: the command was not found, as a shell reports it.
    pub const NOT_FOUND: Exit = Exit(127);
    /// `hat exec`: the command was found but could not be run.
    pub const NOT_RUNNABLE: Exit = Exit(126);

    /// A finished child's status as hat's own: nothing on stdout either way.
    pub fn status(code: u8) -> anyhow::Result<String> {
        match code {
            0 => Ok(String::new()),
            code => Err(Exit(code).into()),
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for Exit {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_status_is_success_and_any_other_is_an_exit() {
        assert_eq!(Exit::status(0).unwrap(), "");
        let error = Exit::status(3).unwrap_err();
        assert_eq!(error.downcast_ref::<Exit>(), Some(&Exit(3)));
    }
}
