//! What the load generator reads about a server process from `/proc`, and the file-descriptor
//! limit it raises for itself.

use std::io;
use std::time::Duration;

/// Resident set size of process `pid` in bytes (`VmRSS` in `/proc/<pid>/status`).
pub fn rss_bytes(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_vm_rss(&status).ok_or_else(|| io::Error::other(format!("no VmRSS for pid {pid}")))
}

/// The `VmRSS:` line of a `/proc/<pid>/status` text, in bytes.
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let mut parts = line["VmRSS:".len()..].split_whitespace();
    let value: u64 = parts.next()?.parse().ok()?;
    let unit = match parts.next() {
        Some("kB") | None => 1024,
        Some(_) => return None,
    };
    Some(value * unit)
}

/// CPU time (user + system, all threads) that process `pid` has used so far.
pub fn cpu_time(pid: u32) -> io::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let ticks = parse_stat_ticks(&stat)
        .ok_or_else(|| io::Error::other(format!("unreadable /proc/{pid}/stat")))?;
    let per_second = rustix::param::clock_ticks_per_second().max(1);
    Ok(Duration::from_nanos(
        ticks.saturating_mul(1_000_000_000) / per_second,
    ))
}

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line, in clock ticks.
///
/// The command name (field 2) is in parentheses and may itself contain spaces or `)`, so the
/// fields are counted from the last `)`.
pub fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let after_comm = &stat[stat.rfind(')')? + 1..];
    // Field 3 (state) is the first one after the command name.
    let mut fields = after_comm.split_whitespace().skip(14 - 3);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Raises this process's soft `RLIMIT_NOFILE` to its hard limit (children inherit it) and
/// returns the new soft limit.
pub fn raise_nofile_limit() -> io::Result<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    setrlimit(Resource::Nofile, raised)?;
    Ok(getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_in_bytes() {
        let status = "Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   51200 kB\nThreads:\t7\n";
        assert_eq!(parse_vm_rss(status), Some(51200 * 1024));
    }

    #[test]
    fn status_without_vm_rss_gives_none() {
        assert_eq!(parse_vm_rss("Name:\tzombie\nState:\tZ\n"), None);
    }

    #[test]
    fn stat_ticks_skip_a_command_name_with_spaces_and_parens() {
        let stat = "4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 1 0 0 0 \
                    120 35 0 0 20 0 3 0 100 1000 50 18446744073709551615";
        assert_eq!(parse_stat_ticks(stat), Some(155));
    }

    #[test]
    fn own_process_has_rss_and_cpu_time_that_grows() {
        let pid = std::process::id();
        assert!(rss_bytes(pid).unwrap() > 0);
        // Busy-loop until the reading moves past a few clock ticks (a loaded machine may give
        // this thread little CPU, so wait on CPU time, bounded by wall time).
        let before = cpu_time(pid).unwrap();
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while cpu_time(pid).unwrap() < before + Duration::from_millis(30)
            && start.elapsed() < Duration::from_secs(20)
        {
            for _ in 0..100_000 {
                x = x.wrapping_mul(31).wrapping_add(7);
            }
        }
        std::hint::black_box(x);
        assert!(cpu_time(pid).unwrap() >= before + Duration::from_millis(30));
    }
}
