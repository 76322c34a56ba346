//! `provenant`: the ledger's one binary. Argument parsing and dispatch only.

mod args;
mod audit;
#[cfg(feature = "c2pa")]
mod credential;
mod draft;
mod error;
mod key;
mod output;
mod page;
mod remote;
mod royalty;
mod serve;
mod settings;
mod similar;
mod submit;
mod trust;
mod verify;
mod witness;

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use error::CliError;
use output::Output;
use remote::ServerArg;

/// Provenant: a provenance and licensing ledger for co-created designs.
///
/// Writes go draft -> sign (each signer, on their own machine) -> submit.
/// A server that answers 503 (busy) is asked again, waiting what its
/// Retry-After says, up to 5 times within 30 seconds.
///
/// Exit codes: 0 success or "yes"; 1 "no" (a denied check, a receipt or
/// log that does not verify); 2 an error here (arguments, files, keys, an
/// answer that does not verify); 3 refused by the server (a 4xx problem,
/// printed with its type, title, detail and field: fix the request); 4
/// unavailable (the server could not be reached, or stayed busy through
/// every retry: try again later).
#[derive(Debug, Parser)]
#[command(name = "provenant", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    server: ServerArg,
    /// Print machine-readable JSON instead of text; a failure is also
    /// printed as JSON on standard output (`error`, `exit`, `message`,
    /// `problem`).
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create and inspect Ed25519 signing keys; draft a key rotation.
    Key(key::KeyArgs),
    /// Run the ledger's HTTP service on its embedded RocksDB store.
    Serve(Box<serve::ServeArgs>),
    /// Run a C2SP tlog-witness that cosigns the checkpoints of the logs it
    /// follows.
    Witness(Box<witness::WitnessArgs>),
    /// Hash, draft and show designs; their near-duplicates and Content
    /// Credentials.
    #[command(subcommand)]
    Design(DesignCommand),
    /// Add your signature to an envelope.
    Sign(draft::SignArgs),
    /// Send signed envelopes to the ledger and save their verified receipts
    /// (several go in batches, each logged or refused on its own).
    Submit(submit::SubmitArgs),
    /// Draft, accept, check and revoke licenses.
    #[command(subcommand)]
    License(LicenseCommand),
    /// Record production runs.
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Split revenue among owners and ancestors.
    #[command(subcommand)]
    Royalty(RoyaltyCommand),
    /// Draft a transfer of ownership shares.
    Transfer(draft::TransferArgs),
    /// Draft a dispute or its resolution.
    #[command(subcommand)]
    Dispute(DisputeCommand),
    /// Verify a receipt, offline with the log key, or held to a witness policy.
    Verify(verify::VerifyArgs),
    /// Follow a log and verify it.
    Audit(audit::AuditArgs),
    /// Write a C2SP tlog-proof bundle for an entry.
    ExportProof(remote::ExportProofArgs),
    /// Print the log's verifier key and size.
    Log(remote::LogArgs),
    /// Write the verification page as one file that asks any server or bucket.
    Page(page::PageArgs),
    /// C2PA signing certificates for Content Credentials.
    #[cfg(feature = "c2pa")]
    #[command(subcommand)]
    C2pa(C2paCommand),
}

#[cfg(feature = "c2pa")]
#[derive(Debug, Subcommand)]
enum C2paCommand {
    /// Write a test CA and a signing certificate it issued, for local use.
    TestCa(credential::TestCaArgs),
}

#[derive(Debug, Subcommand)]
enum DesignCommand {
    /// Print a file's BLAKE3 (the design id), SHA-256 and size.
    Hash(draft::DesignHashArgs),
    /// Draft a design registration (unsigned).
    Draft(Box<draft::DesignDraftArgs>),
    /// Show a registered design, its proofs verified.
    Show(remote::DesignShowArgs),
    /// List registered designs whose image looks like a design's or a file's.
    Similar(similar::DesignSimilarArgs),
    /// Fetch a design's C2PA Content Credential (a .c2pa sidecar) and, given
    /// its file, validate it.
    #[cfg(feature = "c2pa")]
    C2pa(credential::DesignC2paArgs),
}

#[derive(Debug, Subcommand)]
enum LicenseCommand {
    /// Draft a license grant (unsigned); owners and the licensee sign it.
    Grant(Box<draft::GrantArgs>),
    /// Sign a grant draft as its licensee.
    Accept(draft::SignArgs),
    /// Ask whether a licensee may make something (exit 0 allowed, 1 denied).
    Check(remote::CheckArgs),
    /// Draft a revocation (owners) or release (licensee) of a grant.
    Revoke(draft::RevokeArgs),
}

#[derive(Debug, Subcommand)]
enum UsageCommand {
    /// Draft a production run under a grant.
    Record(draft::UsageArgs),
}

#[derive(Debug, Subcommand)]
enum RoyaltyCommand {
    /// Split one sale's revenue.
    Split(royalty::SplitArgs),
    /// Split a CSV of sales lines per payee.
    Statement(royalty::StatementArgs),
}

#[derive(Debug, Subcommand)]
enum DisputeCommand {
    /// Draft a dispute of a design.
    Raise(draft::DisputeRaiseArgs),
    /// Draft an arbiter's resolution of a dispute.
    Resolve(draft::DisputeResolveArgs),
}

fn dispatch(cli: Cli) -> Result<Output, CliError> {
    let server = &cli.server;
    match cli.command {
        Command::Key(args) => key::run(&args),
        Command::Serve(args) => serve::run(*args)
            .map(|text| Output::new(text, serde_json::Value::Null))
            .map_err(CliError::Serve),
        Command::Witness(args) => witness::run(*args)
            .map(|text| Output::new(text, serde_json::Value::Null))
            .map_err(CliError::Serve),
        Command::Design(DesignCommand::Hash(args)) => args.run(),
        Command::Design(DesignCommand::Draft(args)) => args.run(),
        Command::Design(DesignCommand::Show(args)) => args.run(server),
        Command::Design(DesignCommand::Similar(args)) => args.run(server),
        #[cfg(feature = "c2pa")]
        Command::Design(DesignCommand::C2pa(args)) => args.run(server),
        #[cfg(feature = "c2pa")]
        Command::C2pa(C2paCommand::TestCa(args)) => args.run(),
        Command::Sign(args) => args.run(),
        Command::Submit(args) => args.run(server),
        Command::License(LicenseCommand::Grant(args)) => args.run(),
        Command::License(LicenseCommand::Accept(args)) => args.run_as_licensee(),
        Command::License(LicenseCommand::Check(args)) => args.run(server),
        Command::License(LicenseCommand::Revoke(args)) => args.run(),
        Command::Usage(UsageCommand::Record(args)) => args.run(),
        Command::Royalty(RoyaltyCommand::Split(args)) => args.run(server),
        Command::Royalty(RoyaltyCommand::Statement(args)) => args.run(server),
        Command::Transfer(args) => args.run(),
        Command::Dispute(DisputeCommand::Raise(args)) => args.run(),
        Command::Dispute(DisputeCommand::Resolve(args)) => args.run(),
        Command::Verify(args) => args.run(server),
        Command::Audit(args) => args.run(server),
        Command::ExportProof(args) => args.run(server),
        Command::Log(args) => args.run(server),
        Command::Page(args) => args.run(),
    }
}

/// jemalloc for the whole process, RocksDB's C++ included: with the
/// system allocator the server's resident size crept up by about 140 MiB
/// from 1M to 2M entries while everything the ledger holds (block cache,
/// memtables, hash cache) stayed within its bounds, freed memory that its
/// per-thread arenas kept. jemalloc returns freed pages to the system
/// after a few seconds (docs/BENCHMARKS.md, issue 7).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // Before any question is asked (see `trust::STARTED`).
    std::sync::LazyLock::force(&trust::STARTED);
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // The C2PA SDK logs each validation step at info.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,c2pa=warn")),
        )
        .with_writer(std::io::stderr)
        // Colours only for a terminal: a log file gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let json = cli.json;
    match dispatch(cli) {
        Ok(out) => {
            let text = if json {
                serde_json::to_string_pretty(&out.json).unwrap_or_default()
            } else {
                out.text
            };
            // A closed stdout (a script that stopped reading) is not a failure.
            if !text.is_empty() {
                let _ = writeln!(std::io::stdout(), "{text}");
            }
            ExitCode::from(out.exit)
        }
        Err(e) => {
            eprintln!("{}", e.report());
            // With --json, scripts also get the failure on standard output.
            if json {
                let value = serde_json::to_string_pretty(&e.to_json()).unwrap_or_default();
                let _ = writeln!(std::io::stdout(), "{value}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
