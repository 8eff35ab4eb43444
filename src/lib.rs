//! kms-grants: a terminal UI for exploring and cleaning up AWS KMS grants.
//!
//! Layers, from the inside out: [`domain`] (plain data), [`fixture`] (the snapshot file format),
//! [`source`] (the `KmsSource` seam), [`app`] (state and the synchronous `update`), [`ui`] (pure
//! rendering), [`runtime`] (the event loop that runs commands as tasks) and [`cli`] (flags,
//! subcommands, start-up errors). [`writer`] sends every write through the audit log, for the
//! runtime and `kms-grants restore` alike. `main.rs` only calls [`cli::main`].

pub mod app;
pub mod atomic;
pub mod audit;
pub mod aws_cli;
pub mod cli;
pub mod config;
pub mod connect;
pub mod domain;
pub mod fixture;
pub mod io_reason;
pub mod logging;
pub mod places;
pub mod record;
pub mod redact;
pub mod region;
pub mod runtime;
pub mod secrets;
pub mod source;
pub mod synth;
pub mod ui;
pub mod writer;
