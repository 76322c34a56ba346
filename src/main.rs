//! `provenant`: the ledger's one binary. Argument parsing and dispatch only.

mod key;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Provenant: a provenance and licensing ledger for co-created designs.
#[derive(Debug, Parser)]
#[command(name = "provenant", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create and inspect Ed25519 signing keys.
    Key(key::KeyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Key(args) => key::run(args),
    };
    match result {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
