//! The `kms-grants` binary: everything happens in the library; see `kms_grants::cli`.

fn main() -> std::process::ExitCode {
    kms_grants::cli::main()
}
