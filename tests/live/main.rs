//! The live source over real HTTP, as one test binary: its wire edges against `wiremock`
//! (`wire`), the app when live calls fail (`app`), end to end against `moto_server` (`moto`),
//! and several accounts and regions, two `moto_server`s standing in for two accounts
//! (`accounts`). One binary links once and compiles the shared helpers (`tests/common/`) once.
//!
//! Not here: the real binary in a pseudo-terminal over these servers (tests/terminal.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests state what must hold

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod app;
mod moto;
mod wire;
