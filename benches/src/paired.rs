//! Statistics and scheduling of the paired codec comparison (`cargo bench -p volley-benches
//! --bench codec -- --paired`, see benches/README.md).
//!
//! The host's speed drifts by tens of per cent over seconds, so the paired runner measures the
//! implementations of one row back to back, in alternating order, for many short rounds, and
//! compares them within each round. This module holds what that needs and can be tested without
//! a clock: the order of each round, the batch size of a calibration step, the per-round ratios,
//! their median with a distribution-free confidence interval, and the table's number formats.

/// The order in which the `k` implementations of a row run in round `round`: forward on even
/// rounds, backward on odd ones (A B C, C B A, …), so a drift that is linear over two rounds
/// favours no implementation.
pub fn round_order(round: usize, k: usize) -> Vec<usize> {
    if round % 2 == 0 {
        (0..k).collect()
    } else {
        (0..k).rev().collect()
    }
}

/// The batch size that should take `target_ns`, from a batch of `iters` iterations that took
/// `elapsed_ns`, rounded up to a multiple of `granularity` (at least one granule). The growth of
/// one step is capped at 100×, so a batch that the clock could not resolve (0 ns) does not jump
/// to an absurd size.
pub fn calibrated_iters(iters: u64, elapsed_ns: f64, target_ns: f64, granularity: u64) -> u64 {
    let granularity = granularity.max(1);
    let iters = iters.max(1);
    let scale = if elapsed_ns > 0.0 {
        (target_ns / elapsed_ns).min(100.0)
    } else {
        100.0
    };
    let wanted = (iters as f64 * scale).round().max(1.0) as u64;
    wanted.div_ceil(granularity) * granularity
}

/// `num[i] / den[i]` for every round where both are positive and finite.
pub fn ratios(num: &[f64], den: &[f64]) -> Vec<f64> {
    num.iter()
        .zip(den)
        .filter(|(n, d)| n.is_finite() && d.is_finite() && **n > 0.0 && **d > 0.0)
        .map(|(n, d)| n / d)
        .collect()
}

/// The `q`-quantile (0 ≤ q ≤ 1) of sorted values, interpolating linearly between the two
/// nearest ranks (the usual "type 7" definition: q = 0.5 is the median).
///
/// # Panics
/// If `sorted` is empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    assert!(!sorted.is_empty(), "quantile of no values");
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The 1-based ranks `(j, k)` of the order statistics that bound the median of `n` values with
/// at least 95 % confidence, whatever the distribution: the largest `j` with
/// P(B < j) ≤ 2.5 % for B ~ Binomial(n, ½), and `k = n + 1 − j`. `None` when `n` is too small
/// for any such interval (n < 6).
pub fn median_ci_ranks(n: usize) -> Option<(usize, usize)> {
    if n == 0 {
        return None;
    }
    // P(B = i) in log space (0.5^n underflows beyond n ≈ 1074).
    let ln_half_n = n as f64 * 0.5f64.ln();
    let mut ln_choose = 0.0f64; // ln C(n, 0)
    let mut below = 0.0f64; // P(B < j) for the current j
    let mut j = 0usize;
    for i in 0..n {
        let p = (ln_choose + ln_half_n).exp();
        if below + p > 0.025 {
            break;
        }
        below += p;
        j = i + 1;
        ln_choose += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
    }
    (j >= 1).then(|| (j, n + 1 - j))
}

/// What one row's per-round values (times or ratios) come to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of values (rounds).
    pub n: usize,
    /// The median.
    pub median: f64,
    /// First quartile: a quarter of the rounds are below.
    pub q1: f64,
    /// Third quartile: a quarter of the rounds are above.
    pub q3: f64,
    /// A 95 % confidence interval of the median (order statistics, distribution-free), or the
    /// whole range when there are too few rounds for one.
    pub ci95: (f64, f64),
}

impl Summary {
    /// The summary of the finite values; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let median = crate::stats::median(v.iter().copied())?;
        v.sort_by(f64::total_cmp);
        let ci95 = match median_ci_ranks(v.len()) {
            Some((j, k)) => (v[j - 1], v[k - 1]),
            None => (v[0], v[v.len() - 1]),
        };
        Some(Summary {
            n: v.len(),
            median,
            q1: quantile(&v, 0.25),
            q3: quantile(&v, 0.75),
            ci95,
        })
    }
}

/// A time in the table's units: `57 ns`, `2.51 µs`, `1.20 ms` (as `codec_report.py`).
pub fn fmt_time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// A throughput of `bytes` per `ns`: `488 MiB/s`, `1.3 GiB/s` (as `codec_report.py`).
pub fn fmt_rate(bytes: u64, ns: f64) -> String {
    let mib = bytes as f64 / (ns / 1e9) / (1024.0 * 1024.0);
    if mib >= 1024.0 {
        format!("{:.1} GiB/s", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB/s")
    }
}

/// A ratio with its interval: `2.31× (2.28–2.34)`.
pub fn fmt_ratio(s: &Summary) -> String {
    format!("{:.2}× ({:.2}–{:.2})", s.median, s.ci95.0, s.ci95.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_alternate_direction() {
        assert_eq!(round_order(0, 3), [0, 1, 2]);
        assert_eq!(round_order(1, 3), [2, 1, 0]);
        assert_eq!(round_order(2, 2), [0, 1]);
        assert_eq!(round_order(7, 2), [1, 0]);
        // Over two rounds each implementation runs once in each half: the mean position is the
        // same for all, so a linear drift cancels.
        let k = 3;
        let mut pos_sum = vec![0; k];
        for r in 0..2 {
            for (pos, i) in round_order(r, k).into_iter().enumerate() {
                pos_sum[i] += pos;
            }
        }
        assert!(pos_sum.iter().all(|&s| s == k - 1), "{pos_sum:?}");
    }

    #[test]
    fn calibration_scales_towards_the_target() {
        // 100 iterations took 0.1 ms; 1 ms wants 1000.
        assert_eq!(calibrated_iters(100, 100_000.0, 1_000_000.0, 1), 1000);
        // Too long: shrinks, never below one granule.
        assert_eq!(calibrated_iters(10, 40_000_000.0, 1_000_000.0, 1), 1);
        assert_eq!(calibrated_iters(1, 5_000_000.0, 1_000_000.0, 8), 8);
        // Rounded up to whole granules.
        assert_eq!(calibrated_iters(8, 100_000.0, 1_000_000.0, 8), 80);
        assert_eq!(calibrated_iters(3, 100_000.0, 1_000_000.0, 8), 32);
        // An unresolved clock grows by the cap only.
        assert_eq!(calibrated_iters(4, 0.0, 1_000_000.0, 1), 400);
        assert_eq!(calibrated_iters(4, 1.0, 1_000_000.0, 1), 400);
    }

    #[test]
    fn ratios_are_per_round_and_skip_unusable_rounds() {
        let r = ratios(&[4.0, 9.0, 1.0, f64::NAN, 5.0], &[2.0, 3.0, 0.0, 1.0, 2.5]);
        assert_eq!(r, [2.0, 3.0, 2.0]);
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 0.25), 2.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert_eq!(quantile(&[7.0], 0.75), 7.0);
    }

    #[test]
    fn median_interval_ranks_match_the_binomial_tables() {
        // Published ranks of the distribution-free 95 % interval of the median.
        assert_eq!(median_ci_ranks(5), None);
        assert_eq!(median_ci_ranks(6), Some((1, 6)));
        assert_eq!(median_ci_ranks(10), Some((2, 9)));
        assert_eq!(median_ci_ranks(20), Some((6, 15)));
        assert_eq!(median_ci_ranks(100), Some((40, 61)));
        // Large counts: close to n/2 ∓ 1.96·√n/2, no underflow.
        let (j, k) = median_ci_ranks(10_000).unwrap();
        assert!((4900..=4903).contains(&j), "{j}");
        assert_eq!(j + k, 10_001);
    }

    #[test]
    fn median_interval_covers_the_true_median() {
        // Ratios drawn around 2.0 with a deterministic generator: in most of 200 samples of
        // 100 rounds the interval holds 2.0, and it is much narrower than the spread.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut covered = 0;
        for _ in 0..200 {
            let v: Vec<f64> = (0..100).map(|_| 2.0 + (next() - 0.5) * 0.6).collect();
            let s = Summary::of(&v).unwrap();
            assert!(s.ci95.0 <= s.median && s.median <= s.ci95.1, "{s:?}");
            assert!(s.q1 < s.median && s.median < s.q3, "{s:?}");
            assert!(s.ci95.1 - s.ci95.0 < s.q3 - s.q1, "{s:?}");
            covered += usize::from(s.ci95.0 <= 2.0 && 2.0 <= s.ci95.1);
        }
        // The nominal coverage is ≥ 95 %; 200 trials leave room for chance only.
        assert!(covered >= 180, "{covered}/200");
    }

    #[test]
    fn summary_of_few_or_unusable_values() {
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[f64::NAN]), None);
        let s = Summary::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.n, s.median, s.ci95), (3, 2.0, (1.0, 3.0)));
        let s = Summary::of(&[5.0, 1.0, 4.0, 2.0, 3.0, 6.0, f64::INFINITY]).unwrap();
        assert_eq!((s.n, s.median, s.ci95), (6, 3.5, (1.0, 6.0)));
        assert_eq!((s.q1, s.q3), (2.25, 4.75));
    }

    #[test]
    fn table_formats_match_the_criterion_report() {
        assert_eq!(fmt_time(57.4), "57 ns");
        assert_eq!(fmt_time(2512.0), "2.51 µs");
        assert_eq!(fmt_time(1_204_000.0), "1.20 ms");
        assert_eq!(fmt_rate(29, 57.0), "485 MiB/s");
        assert_eq!(fmt_rate(65593, 1410.0), "43.3 GiB/s");
        let s = Summary {
            n: 10,
            median: 2.314,
            q1: 2.2,
            q3: 2.4,
            ci95: (2.281, 2.336),
        };
        assert_eq!(fmt_ratio(&s), "2.31× (2.28–2.34)");
    }
}
