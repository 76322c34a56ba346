//! What a run costs in CPU: the server's (its `process_cpu_seconds_total`
//! from `/metrics`) and the load tool's own (`/proc/self/stat`), read
//! before and after, per operation. On 2 cores shared by both, throughput
//! alone hides which side ran out: CPU per operation does not.

use provenant_api::Endpoint as _;
use provenant_api::routes::Metrics;

/// CPU seconds used so far.
#[derive(Clone, Copy, Debug)]
pub struct Cpu {
    /// The server's, when its `/metrics` says.
    pub server: Option<f64>,
    /// This process's.
    pub own: f64,
}

/// CPU microseconds per operation between two readings.
#[derive(Clone, Copy, Debug)]
pub struct PerOp {
    /// The server's.
    pub server: Option<f64>,
    /// The load tool's.
    pub own: f64,
}

impl std::fmt::Display for PerOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.server {
            Some(s) => write!(f, "server CPU {s:.1} µs/op")?,
            None => f.write_str("server CPU n/a (no process_cpu_seconds_total)")?,
        }
        write!(f, ", load tool CPU {:.1} µs/op", self.own)
    }
}

/// Reads both clocks now.
pub async fn now(server: &str) -> Cpu {
    Cpu {
        server: server_cpu(server).await,
        own: own_cpu().unwrap_or(0.0),
    }
}

/// CPU per operation for `ops` operations between `before` and `after`.
#[must_use]
#[allow(clippy::cast_precision_loss)] // Figures for people.
pub fn per_op(before: Cpu, after: Cpu, ops: u64) -> PerOp {
    let ops = ops.max(1) as f64;
    PerOp {
        server: before
            .server
            .zip(after.server)
            .map(|(b, a)| (a - b) * 1e6 / ops),
        own: (after.own - before.own) * 1e6 / ops,
    }
}

async fn server_cpu(server: &str) -> Option<f64> {
    let url = format!("{}{}", server.trim_end_matches('/'), Metrics::ROUTE.path);
    let text = reqwest::get(&url).await.ok()?.text().await.ok()?;
    metric(&text, "process_cpu_seconds_total")
}

/// The value of an unlabelled sample `name` in a Prometheus exposition.
#[must_use]
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// This process's user and system CPU seconds (fields 14 and 15 of
/// `/proc/self/stat`, counted after the command name's last `)`).
fn own_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    let mut fields = after.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    #[allow(clippy::cast_precision_loss)] // Seconds for people.
    Some((utime + stime) as f64 / rustix::param::clock_ticks_per_second() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_unlabelled_sample() {
        let text = "# HELP process_cpu_seconds_total CPU.\n\
                    # TYPE process_cpu_seconds_total counter\n\
                    process_cpu_seconds_total_extra 9\n\
                    process_cpu_seconds_total 12.5\n";
        assert_eq!(metric(text, "process_cpu_seconds_total"), Some(12.5));
        assert_eq!(metric(text, "process_open_fds"), None);
    }

    #[test]
    fn per_op_is_the_difference_over_the_count() {
        let before = Cpu {
            server: Some(1.0),
            own: 0.5,
        };
        let after = Cpu {
            server: Some(1.5),
            own: 0.6,
        };
        let p = per_op(before, after, 1000);
        assert!((p.server.unwrap() - 500.0).abs() < 1e-6);
        assert!((p.own - 100.0).abs() < 1e-6);
        assert_eq!(
            per_op(
                Cpu {
                    server: None,
                    ..before
                },
                after,
                10
            )
            .server,
            None
        );
    }

    #[test]
    fn this_process_has_cpu_time() {
        assert!(own_cpu().is_some_and(|s| s >= 0.0));
    }
}
