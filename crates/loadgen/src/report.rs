//! Printing what a run measured.

use provenant_model::Receipt;
use provenant_tlog::NoteVerifier;

use crate::drive::Outcome;

/// Requests per second of a run, counting successes only.
#[allow(clippy::cast_precision_loss)] // Figures for people.
pub fn throughput(o: &Outcome) -> f64 {
    o.latency.len() as f64 / o.elapsed.as_secs_f64().max(1e-9)
}

/// Prints a run's throughput, latency percentiles and statuses.
#[allow(clippy::cast_precision_loss)] // Figures for people.
pub fn print(name: &str, o: &Outcome) {
    let ms = |q: f64| o.latency.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{name}: {} ok of {} sent in {:.2} s = {:.0}/s; latency ms p50 {:.2} p90 {:.2} p99 {:.2} p99.9 {:.2} max {:.2}",
        o.latency.len(),
        o.sent,
        o.elapsed.as_secs_f64(),
        throughput(o),
        ms(0.5),
        ms(0.9),
        ms(0.99),
        ms(0.999),
        o.latency.max() as f64 / 1000.0
    );
    let statuses: Vec<String> = o
        .statuses
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect();
    println!(
        "  statuses {{{}}}, transport errors {}",
        statuses.join(", "),
        o.transport_errors
    );
}

/// Verifies the sampled receipts offline; prints and returns how many
/// verified out of how many.
pub fn verify_receipts(o: &Outcome, log_key: &NoteVerifier) -> (usize, usize) {
    let verified = o
        .samples
        .iter()
        .filter(|body| {
            serde_json::from_slice::<Receipt>(body)
                .ok()
                .is_some_and(|r| provenant_api::verify_receipt(&r, log_key).is_ok())
        })
        .count();
    println!(
        "  receipts verified offline: {verified} of {} sampled",
        o.samples.len()
    );
    (verified, o.samples.len())
}
