//! `hat sso populate`: placeholder replaced below.
