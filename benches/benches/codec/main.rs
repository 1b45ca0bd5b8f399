//! Codec benchmarks: Volley vs socketioxide's parser (crates.io) vs bare serde_json, on the
//! same packets, in the same run. See benches/README.md for what each row measures.
//!
//! The rows (`scenarios.rs`, each implementation a closure, `row.rs`) run under criterion by
//! default (`cargo bench -p volley-benches --bench codec [-- FILTER]`), or under the paired
//! runner with `-- --paired` (`paired.rs`): the implementations of a row interleaved, ratios
//! per round.

mod cpu_time;
mod impls;
mod paired;
mod row;
mod scenarios;

use criterion::measurement::Measurement;
use criterion::{Criterion, Throughput};
use std::time::Duration;

fn run<M: Measurement + 'static>(c: Criterion<M>) {
    let mut c = c
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    for (_, build) in scenarios::all::<M>() {
        for mut row in build() {
            let mut g = c.benchmark_group(row.name());
            g.throughput(Throughput::Bytes(row.wire));
            for imp in row.impls.iter_mut().filter(|imp| imp.in_group) {
                g.bench_function(imp.name, |b| imp.routine.criterion(b));
            }
            g.finish();
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--paired") {
        if let Err(e) = paired::main(&args) {
            eprintln!("codec --paired: {e}");
            std::process::exit(2);
        }
        return;
    }
    if std::env::var("VOLLEY_BENCH_CLOCK").as_deref() == Ok("wall") {
        run(Criterion::default());
    } else {
        run(Criterion::default().with_measurement(cpu_time::ThreadCpuTime));
    }
    Criterion::default().configure_from_args().final_summary();
}
