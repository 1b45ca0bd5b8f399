//! A criterion measurement of the benchmark thread's CPU time.
//!
//! The benchmark machine is shared (load often several times the core count), so wall-clock
//! samples include time the thread spent preempted. `CLOCK_THREAD_CPUTIME_ID` counts only the
//! time this thread actually ran, which keeps ratios between implementations meaningful.
//! Set `VOLLEY_BENCH_CLOCK=wall` to use criterion's wall clock instead.

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::Throughput;

/// Thread CPU time in nanoseconds.
pub struct ThreadCpuTime;

fn now_ns() -> u64 {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        now_ns()
    }
    fn end(&self, start: u64) -> u64 {
        now_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

struct NanosFormatter;

impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = match typical {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e3, "µs"),
            t if t < 1e9 => (1e6, "ms"),
            _ => (1e9, "s"),
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }

    fn scale_throughputs(&self, typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let (per_iter, bytes) = match *t {
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => (n as f64, true),
            Throughput::Bits(n) => (n as f64 / 8.0, true),
            Throughput::Elements(n) | Throughput::ElementsAndBytes { elements: n, .. } => {
                (n as f64, false)
            }
        };
        let typical_rate = per_iter * 1e9 / typical;
        let (div, unit) = if bytes {
            match typical_rate {
                r if r < 1024.0 * 1024.0 => (1024.0, "KiB/s"),
                r if r < 1024.0 * 1024.0 * 1024.0 => (1024.0 * 1024.0, "MiB/s"),
                _ => (1024.0 * 1024.0 * 1024.0, "GiB/s"),
            }
        } else {
            match typical_rate {
                r if r < 1e6 => (1e3, "Kelem/s"),
                _ => (1e6, "Melem/s"),
            }
        };
        values
            .iter_mut()
            .for_each(|v| *v = per_iter * 1e9 / *v / div);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}
