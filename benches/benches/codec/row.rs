//! A row of the comparison (one packet kind and operation) and its implementations, defined
//! once and run either by criterion (a benchmark group per row, a function per implementation)
//! or by the paired runner (`paired.rs`), which times the same closures in alternating order.

use criterion::measurement::Measurement;
use criterion::{BatchSize, Bencher};
use std::hint::black_box;

/// Inputs built per batch for the fresh-input rows: one clock reading pair per batch (each a
/// system call for the thread's CPU time) while the batch's attachments stay within L2.
pub const FRESH_BATCH: u64 = 8;

/// One row: criterion's group `"{packet}/{op}"`.
pub struct Row<M: Measurement> {
    /// The packet kind (`small`, `1KiB`, …, `polling50`).
    pub packet: &'static str,
    /// The operation (`encode`, `decode`, …).
    pub op: &'static str,
    /// Wire bytes (text + attachments) per iteration: criterion's throughput.
    pub wire: u64,
    /// Volley, socketioxide and the serde_json floor, in this order, when the row has them.
    pub impls: Vec<Impl<M>>,
}

impl<M: Measurement> Row<M> {
    /// criterion's group name.
    pub fn name(&self) -> String {
        format!("{}/{}", self.packet, self.op)
    }
}

/// One implementation of a row.
pub struct Impl<M: Measurement> {
    /// criterion's function name: `volley`, `socketioxide` or `serde_json`.
    pub name: &'static str,
    /// Whether criterion measures it in this row's group. The comparisons of the
    /// `decode_untyped` rows are the `decode` rows' socketioxide and serde_json (which is where
    /// `codec_report.py` reads them); only the paired runner runs them again, next to Volley.
    pub in_group: bool,
    /// The measured code.
    pub routine: Box<dyn Routine<M>>,
}

impl<M: Measurement + 'static> Impl<M> {
    /// `f` run `iters` times in a row; its result is dropped within the measurement (criterion's
    /// `iter`).
    pub fn iter<F, R>(name: &'static str, f: F) -> Impl<M>
    where
        F: FnMut() -> R + 'static,
    {
        Impl {
            name,
            in_group: true,
            routine: Box::new(Iter(f)),
        }
    }

    /// `routine` on inputs built by `setup` outside the measurement, [`FRESH_BATCH`] at a time;
    /// results are dropped outside it too (criterion's `iter_batched`).
    pub fn batched<S, I, F, R>(name: &'static str, setup: S, routine: F) -> Impl<M>
    where
        S: FnMut() -> I + 'static,
        F: FnMut(I) -> R + 'static,
    {
        Impl {
            name,
            in_group: true,
            routine: Box::new(Batched { setup, routine }),
        }
    }

    /// Run by the paired runner only (see [`Impl::in_group`]).
    pub fn paired_only(self) -> Impl<M> {
        Impl {
            in_group: false,
            ..self
        }
    }
}

/// The measured code of one implementation, as criterion and the paired runner drive it.
pub trait Routine<M: Measurement> {
    /// Measured by criterion.
    fn criterion(&mut self, b: &mut Bencher<'_, M>);
    /// `iters` iterations timed by `m` (setup excluded), in `m`'s units.
    fn timed(&mut self, m: &M, iters: u64) -> f64;
    /// `iters` iterations without a clock, the measured part inside a function whose name
    /// contains `volley_bench_measured` (callgrind's `--toggle-collect`).
    fn untimed(&mut self, iters: u64);
    /// Batch sizes are multiples of this.
    fn granularity(&self) -> u64 {
        1
    }
}

struct Iter<F>(F);

#[inline(never)]
fn volley_bench_measured_iter<F: FnMut() -> R, R>(f: &mut F, iters: u64) {
    for _ in 0..iters {
        black_box(f());
    }
}

impl<M: Measurement, F: FnMut() -> R, R> Routine<M> for Iter<F> {
    fn criterion(&mut self, b: &mut Bencher<'_, M>) {
        b.iter(&mut self.0);
    }

    fn timed(&mut self, m: &M, iters: u64) -> f64 {
        let start = m.start();
        volley_bench_measured_iter(&mut self.0, iters);
        m.to_f64(&m.end(start))
    }

    fn untimed(&mut self, iters: u64) {
        volley_bench_measured_iter(&mut self.0, iters);
    }
}

struct Batched<S, F> {
    setup: S,
    routine: F,
}

#[inline(never)]
fn volley_bench_measured_batch<I, F: FnMut(I) -> R, R>(
    f: &mut F,
    inputs: Vec<I>,
    out: &mut Vec<R>,
) {
    out.extend(inputs.into_iter().map(f));
}

impl<S: FnMut() -> I, I, F: FnMut(I) -> R, R> Batched<S, F> {
    /// criterion's `iter_batched` with [`FRESH_BATCH`], timed by `m` when there is one.
    fn run<M: Measurement>(&mut self, m: Option<&M>, iters: u64) -> f64 {
        let mut total = 0.0;
        let mut left = iters;
        while left > 0 {
            let n = left.min(FRESH_BATCH);
            let inputs = black_box((0..n).map(|_| (self.setup)()).collect::<Vec<_>>());
            let mut outputs = Vec::with_capacity(n as usize);
            match m {
                Some(m) => {
                    let start = m.start();
                    volley_bench_measured_batch(&mut self.routine, inputs, &mut outputs);
                    total += m.to_f64(&m.end(start));
                }
                None => volley_bench_measured_batch(&mut self.routine, inputs, &mut outputs),
            }
            black_box(outputs);
            left -= n;
        }
        total
    }
}

impl<M: Measurement, S: FnMut() -> I, I, F: FnMut(I) -> R, R> Routine<M> for Batched<S, F> {
    fn criterion(&mut self, b: &mut Bencher<'_, M>) {
        b.iter_batched(
            &mut self.setup,
            &mut self.routine,
            BatchSize::NumIterations(FRESH_BATCH),
        );
    }

    fn timed(&mut self, m: &M, iters: u64) -> f64 {
        self.run(Some(m), iters)
    }

    fn untimed(&mut self, iters: u64) {
        self.run(None::<&M>, iters);
    }

    fn granularity(&self) -> u64 {
        FRESH_BATCH
    }
}
