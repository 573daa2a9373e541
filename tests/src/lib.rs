//! End-to-end tests of the assembled platform live in `tests/tests/`; this
//! crate has no library code of its own.
