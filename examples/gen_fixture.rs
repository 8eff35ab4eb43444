//! Writes a large synthetic fixture, for benchmarks and scale tests.
//!
//! ```text
//! cargo run --release --example gen_fixture -- -o /tmp/large.json
//! cargo run --release --example gen_fixture -- -o /tmp/hot.json --keys 1 --grants 100000 --hot-keys 1 --hot-share 1
//! ```
//!
//! The defaults are the benchmarks' large fixture: 2,000 keys and 100,000 grants, half of them on
//! two hot keys. The output is deterministic for a given set of flags.

use clap::Parser;
use kms_grants::synth::{self, Spec};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(about = "Write a large synthetic kms-grants fixture")]
struct Args {
    /// The fixture file to write (replaced atomically).
    #[arg(short, long)]
    output: PathBuf,
    /// Keys in the account.
    #[arg(long, default_value_t = Spec::default().keys)]
    keys: usize,
    /// Grants over all keys.
    #[arg(long, default_value_t = Spec::default().grants)]
    grants: usize,
    /// Keys that hold `--hot-share` of the grants between them.
    #[arg(long, default_value_t = Spec::default().hot_keys)]
    hot_keys: usize,
    /// The share of grants on the hot keys (0 to 1).
    #[arg(long, default_value_t = Spec::default().hot_share)]
    hot_share: f64,
    /// A different seed gives different ids and names.
    #[arg(long, default_value_t = Spec::default().seed)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let snapshot = synth::snapshot(Spec {
        keys: args.keys,
        grants: args.grants,
        hot_keys: args.hot_keys,
        hot_share: args.hot_share,
        seed: args.seed,
    });
    let mut text = kms_grants::fixture::to_json(&snapshot);
    text.push('\n');
    match kms_grants::atomic::write(&args.output, text.as_bytes()) {
        Ok(()) => {
            eprintln!(
                "wrote {} ({} keys, {} grants, {} bytes)",
                args.output.display(),
                snapshot.keys.len(),
                snapshot.keys.iter().map(|k| k.grants.len()).sum::<usize>(),
                text.len()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cannot write {}: {err}", args.output.display());
            ExitCode::FAILURE
        }
    }
}
