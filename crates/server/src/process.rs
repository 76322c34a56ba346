//! The standard Prometheus process metrics (`process_cpu_seconds_total`,
//! `process_resident_memory_bytes`, `process_open_fds`, ...), read from
//! Linux's `/proc/self` at each scrape, as the Prometheus clients of other
//! languages export them. On a system without `/proc` they are left out.

use std::time::{SystemTime, UNIX_EPOCH};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// One reading of the process's counters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProcessStats {
    /// User and system CPU time, in seconds, of every thread.
    pub cpu_seconds: f64,
    /// Resident memory, in bytes.
    pub resident_bytes: u64,
    /// Virtual memory, in bytes.
    pub virtual_bytes: u64,
    /// Open file descriptors.
    pub open_fds: u64,
}

impl ProcessStats {
    /// Reads `/proc/self`; `None` where there is none.
    #[must_use]
    pub fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let (cpu_ticks, virtual_bytes, resident_pages) = parse_stat(&stat)?;
        #[allow(clippy::cast_precision_loss)] // Seconds for people and scrapers.
        let cpu_seconds = cpu_ticks as f64 / rustix::param::clock_ticks_per_second() as f64;
        let page = rustix::param::page_size() as u64;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        Some(Self {
            cpu_seconds,
            resident_bytes: resident_pages.saturating_mul(page),
            virtual_bytes,
            open_fds,
        })
    }
}

/// `utime + stime` (clock ticks), `vsize` (bytes) and `rss` (pages) of a
/// `/proc/<pid>/stat` line (proc(5)). The command name, field 2, is in
/// parentheses and may hold spaces and parentheses: fields are counted
/// from the last `)`.
#[must_use]
pub fn parse_stat(stat: &str) -> Option<(u64, u64, u64)> {
    let after = &stat[stat.rfind(')')? + 1..];
    // Fields from 3 (state) on; utime is field 14, stime 15, vsize 23, rss 24.
    let fields: Vec<&str> = after.split_ascii_whitespace().collect();
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    Some((field(14)?.checked_add(field(15)?)?, field(23)?, field(24)?))
}

/// The collector of the process metrics, registered once.
#[derive(Debug)]
pub struct ProcessCollector {
    start_time: f64,
    max_fds: u64,
}

impl ProcessCollector {
    /// A collector for this process, started now.
    #[must_use]
    pub fn new() -> Self {
        let start_time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let max_fds = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .unwrap_or(u64::MAX);
        Self {
            start_time,
            max_fds,
        }
    }
}

impl Default for ProcessCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(s) = ProcessStats::read() else {
            return Ok(());
        };
        let cpu = ConstCounter::new(s.cpu_seconds);
        cpu.encode(encoder.encode_descriptor(
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds.",
            None,
            cpu.metric_type(),
        )?)?;
        let gauges = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                s.resident_bytes,
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes.",
                s.virtual_bytes,
            ),
            (
                "process_open_fds",
                "Number of open file descriptors.",
                s.open_fds,
            ),
            (
                "process_max_fds",
                "Maximum number of open file descriptors.",
                self.max_fds,
            ),
        ];
        for (name, help, value) in gauges {
            let g = ConstGauge::new(value);
            g.encode(encoder.encode_descriptor(name, help, None, g.metric_type())?)?;
        }
        let start = ConstGauge::new(self.start_time);
        start.encode(encoder.encode_descriptor(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            None,
            start.metric_type(),
        )?)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_after_the_command_name() {
        // A command name with spaces and a parenthesis; utime 7, stime 5,
        // vsize 4096000, rss 250 (fields 14, 15, 23, 24).
        let line = "42 (a b) c) S 1 42 42 0 -1 4194560 100 0 0 0 7 5 0 0 20 0 3 0 \
                    1000 4096000 250 18446744073709551615";
        assert_eq!(parse_stat(line), Some((12, 4_096_000, 250)));
        assert_eq!(parse_stat("42 (x) S 1"), None);
        assert_eq!(parse_stat("no parenthesis"), None);
    }

    #[test]
    fn this_process_has_cpu_time_and_memory() {
        let s = ProcessStats::read().expect("Linux has /proc/self");
        assert!(s.resident_bytes > 0 && s.virtual_bytes >= s.resident_bytes);
        assert!(s.open_fds >= 3, "stdin, stdout, stderr at least");
        // Burn CPU until the counter moves (a clock tick, 10 ms), for at
        // most 10 s of it.
        let start = std::time::Instant::now();
        let mut x = 0u64;
        loop {
            for i in 0..1_000_000u64 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
            }
            let later = ProcessStats::read().expect("Linux has /proc/self");
            if later.cpu_seconds > s.cpu_seconds {
                break;
            }
            assert!(start.elapsed().as_secs() < 10, "CPU time never moved ({x})");
        }
    }
}
