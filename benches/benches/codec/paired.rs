//! The paired runner: `cargo bench -p volley-benches --bench codec -- --paired [FILTER…]`.
//!
//! criterion measures one implementation for seconds, then the next; on this shared host the
//! speed drifts by tens of per cent over seconds, so its ratios move from run to run. Here each
//! row's implementations run back to back, batches of ≈1 ms of thread CPU time each, in
//! alternating order (A B C, C B A, …) for many rounds, and each round gives its own ratios:
//! a drift slower than a round cancels. The table shows the median per-iteration time of each
//! implementation and the median ratio with its 95 % confidence interval.
//!
//! Options (after `--paired`):
//! - `FILTER…`: rows whose `packet/op/impl` names contain one of the filters (`|` separates
//!   alternatives, a leading `^` anchors at the start); all rows without one.
//! - `--rounds N` (default 1000), `--batch-ms X` (CPU time per batch, default 1).
//! - `--list`: the `packet/op/impl` names, with `group` (criterion measures it) or `paired`
//!   (run only next to Volley, the `decode_untyped` rows' comparison).
//! - `--only packet/op/impl --iters N`: runs that one implementation `N` times without a clock
//!   and exits, for an instruction count (`benches/codec_instructions.py`, callgrind).
//! - `--in-process`: measures every row in this process, one after the other. By default each
//!   row runs in a fresh process of this binary (`--row packet/op`, which prints the row's
//!   per-round times as one JSON line): the heap state the earlier rows leave behind moved
//!   some rows by an order of magnitude (`binary64KiB/decode_shared`, see benches/README.md).

use crate::cpu_time::ThreadCpuTime;
use crate::row::{Routine, Row};
use crate::scenarios;
use std::time::Instant;
use volley_benches::paired::{
    calibrated_iters, fmt_rate, fmt_ratio, fmt_time, ratios, round_order, Summary,
};

/// The paired runner's command line.
struct Options {
    filters: Vec<String>,
    rounds: usize,
    batch_ns: f64,
    list: bool,
    only: Option<String>,
    iters: Option<u64>,
    in_process: bool,
    row: Option<String>,
}

/// Rounds run and dropped after the calibration of a row.
const WARM_UP_ROUNDS: usize = 10;

/// The operations in the order of the README's tables.
const OPS: [&str; 6] = [
    "encode",
    "encode_shared",
    "decode",
    "decode_untyped",
    "decode_shared",
    "dispatch",
];

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        filters: Vec::new(),
        rounds: 1000,
        batch_ns: 1e6,
        list: false,
        only: None,
        iters: None,
        in_process: false,
        row: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            // `cargo bench` adds `--bench`.
            "--paired" | "--bench" => {}
            "--list" => o.list = true,
            "--rounds" => {
                o.rounds = value(a)?.parse().map_err(|e| format!("--rounds: {e}"))?;
                if o.rounds < 2 {
                    return Err("--rounds: at least 2".into());
                }
            }
            "--batch-ms" => {
                let ms: f64 = value(a)?.parse().map_err(|e| format!("--batch-ms: {e}"))?;
                if !(ms > 0.0 && ms.is_finite()) {
                    return Err("--batch-ms: a positive number".into());
                }
                o.batch_ns = ms * 1e6;
            }
            "--only" => o.only = Some(value(a)?),
            "--in-process" => o.in_process = true,
            "--row" => o.row = Some(value(a)?),
            "--iters" => {
                o.iters = Some(value(a)?.parse().map_err(|e| format!("--iters: {e}"))?);
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            filter => o.filters.push(filter.to_owned()),
        }
    }
    Ok(o)
}

/// Runs the paired mode with the bench binary's arguments.
pub fn main(args: &[String]) -> Result<(), String> {
    let o = parse(args)?;
    settle_allocator();
    if let Some(only) = &o.only {
        let iters = o.iters.ok_or("--only needs --iters N")?;
        return run_only(only, iters);
    }
    if let Some(row) = &o.row {
        return run_child(row, &o);
    }
    if o.list {
        for (_, build) in scenarios::all::<ThreadCpuTime>() {
            for row in build().iter().filter(|r| selected(&o.filters, r)) {
                for imp in &row.impls {
                    let kind = if imp.in_group { "group" } else { "paired" };
                    println!("{}/{}\t{kind}", row.name(), imp.name);
                }
            }
        }
        return Ok(());
    }
    measure_all(&o)
}

/// Leaves glibc's allocator as criterion's statistics leave it after its first benchmark.
///
/// glibc raises its mmap threshold to the size of a freed mmapped block (and its trim threshold
/// to twice that); criterion's bootstrap (100 000 resamples of `f64`, 800 kB) does that early in
/// a criterion run. Without it the heap top is trimmed back to the system whenever more than
/// 128 KiB of it is free: after the 64 KiB rows, socketioxide's fresh-input `binary64KiB/decode`
/// then page-faults its 64 KiB copies back in at every batch (≈380 000 minor faults over 300
/// rounds, the row's ratio 7.6× instead of 3.0×). The same 800 kB block, freed once, keeps both
/// runners in the same state.
fn settle_allocator() {
    drop(std::hint::black_box(vec![0f64; 100_000]));
}

fn selected(filters: &[String], row: &Row<ThreadCpuTime>) -> bool {
    filters.is_empty()
        || row.impls.iter().any(|imp| {
            let id = format!("{}/{}", row.name(), imp.name);
            filters
                .iter()
                .flat_map(|f| f.split('|'))
                .any(|alt| match alt.strip_prefix('^') {
                    Some(prefix) => id.starts_with(prefix),
                    None => id.contains(alt),
                })
        })
}

/// `--only packet/op/impl --iters N`: builds that packet kind's rows only (its checks run as in
/// the other modes) and runs the one implementation.
fn run_only(only: &str, iters: u64) -> Result<(), String> {
    let (row_name, impl_name) = only
        .rsplit_once('/')
        .ok_or_else(|| format!("--only {only}: expected packet/op/impl"))?;
    let packet = row_name.split('/').next().unwrap_or_default();
    for (label, build) in scenarios::all::<ThreadCpuTime>() {
        if label != packet {
            continue;
        }
        let mut rows = build();
        let found = rows
            .iter_mut()
            .filter(|r| r.name() == row_name)
            .flat_map(|r| r.impls.iter_mut())
            .find(|imp| imp.name == impl_name);
        if let Some(imp) = found {
            imp.routine.untimed(iters);
            return Ok(());
        }
    }
    Err(format!("--only {only}: no such row (see --paired --list)"))
}

/// One row's outcome.
struct Measured {
    packet: &'static str,
    op: &'static str,
    wire: u64,
    /// Per implementation: name, batch size, per-iteration time (ns) over the rounds.
    times: Vec<(&'static str, u64, Summary)>,
    /// socketioxide / Volley per round.
    speed_up: Option<Summary>,
    /// Volley / serde_json per round.
    floor: Option<Summary>,
    secs: f64,
}

fn measure_all(o: &Options) -> Result<(), String> {
    let m = ThreadCpuTime;
    let load_start = load_average();
    let start = Instant::now();
    let mut out = Vec::new();
    for (_, build) in scenarios::all::<ThreadCpuTime>() {
        for row in build().iter_mut().filter(|r| selected(&o.filters, r)) {
            let r = if o.in_process {
                measure_row(&m, row, o)
            } else {
                measure_in_child(row, o)?
            };
            eprintln!("{}", progress_line(&r));
            out.push(r);
        }
    }
    if out.is_empty() {
        return Err("no row matches the filter (see --paired --list)".into());
    }
    let packets: Vec<&str> = out.iter().fold(Vec::new(), |mut v, r| {
        if !v.contains(&r.packet) {
            v.push(r.packet);
        }
        v
    });
    let key = |r: &Measured| {
        let p = packets.iter().position(|p| *p == r.packet);
        (p, OPS.iter().position(|op| *op == r.op))
    };
    out.sort_by_key(key);
    print_table(&out);
    eprintln!(
        "paired: {} rows ({}), {} rounds each, batches of {:.1} ms CPU, {:.0} s; load average {} at the start, {} at the end",
        out.len(),
        if o.in_process {
            "in one process"
        } else {
            "each in a fresh process"
        },
        o.rounds,
        o.batch_ns / 1e6,
        start.elapsed().as_secs_f64(),
        load_start,
        load_average()
    );
    Ok(())
}

fn measure_row(m: &ThreadCpuTime, row: &mut Row<ThreadCpuTime>, o: &Options) -> Measured {
    let start = Instant::now();
    let rounds = run_rounds(m, row, o);
    summarize(row, rounds, start.elapsed().as_secs_f64())
}

/// Each implementation's batch size and per-iteration times (ns), one per round.
type Rounds = Vec<(u64, Vec<f64>)>;

/// Calibrates the row's implementations, then runs the warm-up and measured rounds.
fn run_rounds(m: &ThreadCpuTime, row: &mut Row<ThreadCpuTime>, o: &Options) -> Rounds {
    let k = row.impls.len();
    let batch: Vec<u64> = row
        .impls
        .iter_mut()
        .map(|imp| calibrate(m, imp.routine.as_mut(), o.batch_ns))
        .collect();
    let mut per_iter = vec![Vec::with_capacity(o.rounds); k];
    for round in 0..WARM_UP_ROUNDS + o.rounds {
        for i in round_order(round, k) {
            let t = row.impls[i].routine.timed(m, batch[i]) / batch[i] as f64;
            if round >= WARM_UP_ROUNDS {
                per_iter[i].push(t);
            }
        }
    }
    batch.into_iter().zip(per_iter).collect()
}

/// The row's summaries from its rounds (`rounds[i]` is `row.impls[i]`'s).
fn summarize(row: &Row<ThreadCpuTime>, rounds: Rounds, secs: f64) -> Measured {
    let of = |name: &str| {
        row.impls
            .iter()
            .position(|imp| imp.name == name)
            .map(|i| &rounds[i].1)
    };
    let (volley, sio, floor) = (of("volley"), of("socketioxide"), of("serde_json"));
    let ratio = |num: Option<&Vec<f64>>, den: Option<&Vec<f64>>| Summary::of(&ratios(num?, den?));
    Measured {
        packet: row.packet,
        op: row.op,
        wire: row.wire,
        times: row
            .impls
            .iter()
            .zip(&rounds)
            .filter_map(|(imp, (n, t))| Some((imp.name, *n, Summary::of(t)?)))
            .collect(),
        speed_up: ratio(sio, volley),
        floor: ratio(volley, floor),
        secs,
    }
}

/// What a `--row` child prints: the row's name and each implementation's batch size and
/// per-round times, in the row's order.
#[derive(serde::Serialize, serde::Deserialize)]
struct ChildRow {
    row: String,
    impls: Vec<(String, u64, Vec<f64>)>,
}

/// `--row packet/op`: measures that one row (its packet kind's data built in this fresh
/// process) and prints its rounds as one JSON line.
fn run_child(name: &str, o: &Options) -> Result<(), String> {
    let packet = name.split('/').next().unwrap_or_default();
    for (label, build) in scenarios::all::<ThreadCpuTime>() {
        if label != packet {
            continue;
        }
        let mut rows = build();
        if let Some(row) = rows.iter_mut().find(|r| r.name() == name) {
            let rounds = run_rounds(&ThreadCpuTime, row, o);
            let line = ChildRow {
                row: name.to_owned(),
                impls: row
                    .impls
                    .iter()
                    .zip(rounds)
                    .map(|(imp, (n, t))| (imp.name.to_owned(), n, t))
                    .collect(),
            };
            let json = serde_json::to_string(&line).map_err(|e| e.to_string())?;
            println!("{json}");
            return Ok(());
        }
    }
    Err(format!("--row {name}: no such row (see --paired --list)"))
}

/// Runs `row` in a fresh process of this binary (`--row`) and summarizes what it printed.
fn measure_in_child(row: &Row<ThreadCpuTime>, o: &Options) -> Result<Measured, String> {
    let start = Instant::now();
    let name = row.name();
    let exe = std::env::current_exe().map_err(|e| format!("the bench binary's path: {e}"))?;
    let output = std::process::Command::new(exe)
        .args(["--paired", "--row", &name])
        .args(["--rounds", &o.rounds.to_string()])
        .args(["--batch-ms", &(o.batch_ns / 1e6).to_string()])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("{name}: starting its process: {e}"))?;
    if !output.status.success() {
        return Err(format!("{name}: its process failed ({})", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .ok_or_else(|| format!("{name}: its process printed no result"))?;
    let child: ChildRow =
        serde_json::from_str(line).map_err(|e| format!("{name}: its result: {e}"))?;
    let names: Vec<&str> = child.impls.iter().map(|i| i.0.as_str()).collect();
    let expected: Vec<&str> = row.impls.iter().map(|i| i.name).collect();
    if child.row != name || names != expected {
        return Err(format!(
            "{name}: its process measured {} {names:?}, expected {expected:?}",
            child.row
        ));
    }
    let rounds = child.impls.into_iter().map(|(_, n, t)| (n, t)).collect();
    Ok(summarize(row, rounds, start.elapsed().as_secs_f64()))
}

/// The batch size of ≈`target_ns` of CPU time: grown from one granule until a batch takes at
/// least half the target, then scaled to it.
fn calibrate(m: &ThreadCpuTime, routine: &mut dyn Routine<ThreadCpuTime>, target_ns: f64) -> u64 {
    let g = routine.granularity();
    let mut n = g;
    for _ in 0..20 {
        let t = routine.timed(m, n);
        let next = calibrated_iters(n, t, target_ns, g);
        if t >= target_ns / 2.0 && t <= target_ns * 2.0 {
            return next;
        }
        n = next;
    }
    n
}

fn progress_line(r: &Measured) -> String {
    let mut s = format!("{}/{}:", r.packet, r.op);
    for (name, n, t) in &r.times {
        s += &format!(
            " {name} {} (IQR {}–{}, ×{n})",
            fmt_time(t.median),
            fmt_time(t.q1),
            fmt_time(t.q3)
        );
    }
    for (what, ratio) in [
        ("socketioxide/volley", &r.speed_up),
        ("volley/serde_json", &r.floor),
    ] {
        if let Some(x) = ratio {
            s += &format!("; {what} {} IQR {:.2}–{:.2}", fmt_ratio(x), x.q1, x.q3);
        }
    }
    let rounds = r.times.first().map_or(0, |t| t.2.n);
    s + &format!("; {rounds} rounds, {:.1} s", r.secs)
}

fn print_table(rows: &[Measured]) {
    println!(
        "| packet | op | wire size | Volley | socketioxide 0.17 | bare serde_json | Volley speed-up vs socketioxide (95 % CI) | Volley time / serde_json (95 % CI) | rounds |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let time = |name: &str| {
            r.times
                .iter()
                .find(|t| t.0 == name)
                .map_or("—".to_owned(), |t| {
                    format!(
                        "{} ({})",
                        fmt_time(t.2.median),
                        fmt_rate(r.wire, t.2.median)
                    )
                })
        };
        let rounds = r.times.first().map_or(0, |t| t.2.n);
        println!(
            "| {} | {} | {} B | {} | {} | {} | {} | {} | {rounds} |",
            r.packet,
            r.op,
            r.wire,
            time("volley"),
            time("socketioxide"),
            time("serde_json"),
            r.speed_up.as_ref().map_or("—".to_owned(), |s| format!(
                "**{:.2}×** ({:.2}–{:.2})",
                s.median, s.ci95.0, s.ci95.1
            )),
            r.floor.as_ref().map_or("—".to_owned(), fmt_ratio),
        );
    }
}

/// `/proc/loadavg`'s three averages, or `?` where there is none.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".to_owned())
}
