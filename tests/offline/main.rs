//! The tests that need nothing but the crate and its binary, as one test binary: the start-up
//! contract (`cli`), the demo's stories (`demo`), whole-app flows (`flows`), bad input in bulk
//! (`inputs`) and every screen as an `insta` snapshot (`screens`, kept in `snapshots/`). One
//! binary links once and compiles the shared helpers (`tests/common/`) once.
//!
//! Not here: the live source against `wiremock` and `moto_server` (tests/live/), and the real
//! binary in a pseudo-terminal (tests/terminal.rs, tests/bulk_terminal.rs), whose timing must
//! not share the cores with the CPU-bound tests of this binary (cargo runs test binaries one
//! after another).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests state what must hold

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod demo;
mod flows;
mod inputs;
mod screens;
