//! `provenant`: the ledger's one binary. Argument parsing and dispatch only.

mod key;
mod serve;
mod settings;

use std::io::Write as _;
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
    /// Run the ledger's HTTP service on its embedded RocksDB store.
    Serve(Box<serve::ServeArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Key(args) => key::run(&args).map_err(|e| e.to_string()),
        Command::Serve(args) => serve::run(*args),
    };
    match result {
        Ok(out) => {
            // A closed stdout (a script that stopped reading) is not a failure.
            let _ = writeln!(std::io::stdout(), "{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
