//! The comparison's data (every run of every server) and the markdown report made from it:
//! medians over repeats, ratios against the peers, and the targets of the benchmark issue.

use crate::results::Outcome;
use crate::stats::median;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// One load-generator run against one server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// Server variant, e.g. `volley-ct`, `socketioxide-mt`, `node`, `floor-ct`.
    pub server: String,
    /// Scenario key (see [`SCENARIOS`]).
    pub scenario: String,
    /// Which repeat (0-based).
    pub repeat: u32,
    /// What the load generator reported, or why the run failed.
    pub outcome: Result<Outcome, String>,
}

/// A whole comparison: what ran where, and every run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunSet {
    /// Free-form description of the machine and its load when the run started.
    pub machine: String,
    /// The command-line settings.
    pub settings: String,
    /// Server variants in the order they ran.
    pub servers: Vec<String>,
    /// Every run.
    pub runs: Vec<Run>,
}

/// Scenario keys, in the order they run and are reported.
pub const SCENARIOS: &[&str] = &[
    "connections",
    "fanout_fixed",
    "fanout_max",
    "echo",
    "polling",
];

/// One number reported per server.
#[derive(Debug)]
pub struct Metric {
    /// Short key (chart file names).
    pub key: &'static str,
    /// Human title.
    pub title: &'static str,
    /// Unit shown next to values.
    pub unit: &'static str,
    /// Whether more is better (for reading ratios).
    pub higher_is_better: bool,
    /// Scenario the metric comes from.
    pub scenario: &'static str,
    /// Reads the metric out of an outcome.
    pub get: fn(&Outcome) -> Option<f64>,
}

fn conn(o: &Outcome) -> Option<&crate::results::ConnectionsResult> {
    match o {
        Outcome::Connections(r) => Some(r),
        _ => None,
    }
}

fn fan(o: &Outcome) -> Option<&crate::results::FanoutResult> {
    match o {
        Outcome::Fanout(r) => Some(r),
        _ => None,
    }
}

fn echo(o: &Outcome) -> Option<&crate::results::EchoResult> {
    match o {
        Outcome::Echo(r) => Some(r),
        _ => None,
    }
}

fn poll(o: &Outcome) -> Option<&crate::results::PollingResult> {
    match o {
        Outcome::Polling(r) => Some(r),
        _ => None,
    }
}

fn rss_step(o: &Outcome, i: usize) -> Option<f64> {
    Some(conn(o)?.steps.get(i)?.rss_per_conn_bytes / 1024.0)
}

/// Every reported metric, in report order.
pub const METRICS: &[Metric] = &[
    Metric {
        key: "connect_rate",
        title: "connections/s",
        unit: "/s",
        higher_is_better: true,
        scenario: "connections",
        get: |o| Some(conn(o)?.connect_per_s),
    },
    Metric {
        key: "connect_cpu",
        title: "server CPU per connection",
        unit: "µs",
        higher_is_better: false,
        scenario: "connections",
        get: |o| Some(conn(o)?.cpu_per_conn_us),
    },
    Metric {
        key: "rss_first",
        title: "idle RSS per connection (first step)",
        unit: "KiB",
        higher_is_better: false,
        scenario: "connections",
        get: |o| rss_step(o, 0),
    },
    Metric {
        key: "rss_last",
        title: "idle RSS per connection (last step)",
        unit: "KiB",
        higher_is_better: false,
        scenario: "connections",
        get: |o| rss_step(o, 1),
    },
    Metric {
        key: "fixed_delivered",
        title: "fan-out fixed rate: delivered msgs/s",
        unit: "/s",
        higher_is_better: true,
        scenario: "fanout_fixed",
        get: |o| Some(fan(o)?.delivered_per_s),
    },
    Metric {
        key: "fixed_loss",
        title: "fan-out fixed rate: loss",
        unit: "%",
        higher_is_better: false,
        scenario: "fanout_fixed",
        get: |o| Some(fan(o)?.loss * 100.0),
    },
    Metric {
        key: "fixed_p50",
        title: "fan-out fixed rate: latency p50",
        unit: "ms",
        higher_is_better: false,
        scenario: "fanout_fixed",
        get: |o| Some(fan(o)?.latency?.p50_ms),
    },
    Metric {
        key: "fixed_p99",
        title: "fan-out fixed rate: latency p99",
        unit: "ms",
        higher_is_better: false,
        scenario: "fanout_fixed",
        get: |o| Some(fan(o)?.latency?.p99_ms),
    },
    Metric {
        key: "fixed_cpu",
        title: "fan-out fixed rate: server CPU per delivered msg",
        unit: "µs",
        higher_is_better: false,
        scenario: "fanout_fixed",
        get: |o| Some(fan(o)?.cpu_per_msg_us),
    },
    Metric {
        key: "max_delivered",
        title: "fan-out max rate: delivered msgs/s",
        unit: "/s",
        higher_is_better: true,
        scenario: "fanout_max",
        get: |o| Some(fan(o)?.delivered_per_s),
    },
    Metric {
        key: "max_loss",
        title: "fan-out max rate: loss",
        unit: "%",
        higher_is_better: false,
        scenario: "fanout_max",
        get: |o| Some(fan(o)?.loss * 100.0),
    },
    Metric {
        key: "max_p50",
        title: "fan-out max rate: latency p50",
        unit: "ms",
        higher_is_better: false,
        scenario: "fanout_max",
        get: |o| Some(fan(o)?.latency?.p50_ms),
    },
    Metric {
        key: "max_p99",
        title: "fan-out max rate: latency p99",
        unit: "ms",
        higher_is_better: false,
        scenario: "fanout_max",
        get: |o| Some(fan(o)?.latency?.p99_ms),
    },
    Metric {
        key: "max_cpu",
        title: "fan-out max rate: server CPU per delivered msg",
        unit: "µs",
        higher_is_better: false,
        scenario: "fanout_max",
        get: |o| Some(fan(o)?.cpu_per_msg_us),
    },
    Metric {
        key: "max_server_cpu",
        title: "fan-out max rate: server CPU use",
        unit: "cores",
        higher_is_better: false,
        scenario: "fanout_max",
        get: |o| Some(fan(o)?.server_cpu),
    },
    Metric {
        key: "echo_rate",
        title: "echo with acks: requests/s",
        unit: "/s",
        higher_is_better: true,
        scenario: "echo",
        get: |o| Some(echo(o)?.req_per_s),
    },
    Metric {
        key: "echo_p50",
        title: "echo with acks: latency p50",
        unit: "ms",
        higher_is_better: false,
        scenario: "echo",
        get: |o| Some(echo(o)?.latency?.p50_ms),
    },
    Metric {
        key: "echo_p99",
        title: "echo with acks: latency p99",
        unit: "ms",
        higher_is_better: false,
        scenario: "echo",
        get: |o| Some(echo(o)?.latency?.p99_ms),
    },
    Metric {
        key: "echo_cpu",
        title: "echo with acks: server CPU per request",
        unit: "µs",
        higher_is_better: false,
        scenario: "echo",
        get: |o| Some(echo(o)?.cpu_per_req_us),
    },
    Metric {
        key: "polling_rate",
        title: "polling: round trips/s",
        unit: "/s",
        higher_is_better: true,
        scenario: "polling",
        get: |o| Some(poll(o)?.round_trips_per_s),
    },
    Metric {
        key: "polling_p99",
        title: "polling: round-trip latency p99",
        unit: "ms",
        higher_is_better: false,
        scenario: "polling",
        get: |o| Some(poll(o)?.latency?.p99_ms),
    },
    Metric {
        key: "polling_cpu",
        title: "polling: server CPU per round trip",
        unit: "µs",
        higher_is_better: false,
        scenario: "polling",
        get: |o| Some(poll(o)?.cpu_per_rt_us),
    },
];

/// Looks a metric up by key.
pub fn metric(key: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.key == key)
}

impl RunSet {
    /// The median of `metric` over the successful runs of `server`.
    pub fn median(&self, server: &str, metric: &Metric) -> Option<f64> {
        median(
            self.runs
                .iter()
                .filter(|r| r.server == server && r.scenario == metric.scenario)
                .filter_map(|r| r.outcome.as_ref().ok())
                .filter_map(metric.get),
        )
    }

    /// `subject ÷ peer` of the medians.
    pub fn ratio(&self, subject: &str, peer: &str, metric: &Metric) -> Option<f64> {
        let (a, b) = (self.median(subject, metric)?, self.median(peer, metric)?);
        (b != 0.0).then_some(a / b)
    }

    /// The servers ratios are reported for: Volley's variants, or socketioxide's when Volley
    /// did not run.
    pub fn subjects(&self) -> Vec<&str> {
        let of = |name: &str| -> Vec<&str> {
            self.servers
                .iter()
                .map(String::as_str)
                .filter(|s| s.starts_with(name))
                .collect()
        };
        let volley = of("volley");
        if volley.is_empty() {
            of("socketioxide")
        } else {
            volley
        }
    }
}

/// The peer variant to compare `subject` with: same runtime flavor for Rust servers.
pub fn peer_of(subject: &str, peer: &str) -> String {
    match (peer, subject.rsplit_once('-')) {
        ("node", _) | (_, None) => peer.to_string(),
        (_, Some((_, flavor))) => format!("{peer}-{flavor}"),
    }
}

/// A number with about three significant digits and thousands kept readable.
pub fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), fmt_value)
}

fn ratio_cell(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |r| format!("{r:.2}×"))
}

/// One target of the benchmark issue.
struct Target {
    what: &'static str,
    metric: &'static str,
    peer: &'static str,
    /// The ratio must be at most (`true`) or at least (`false`) `bound`.
    at_most: bool,
    bound: f64,
}

const TARGETS: &[Target] = &[
    Target {
        what: "fan-out max: CPU per delivered msg ≤ 0.55× socketioxide",
        metric: "max_cpu",
        peer: "socketioxide",
        at_most: true,
        bound: 0.55,
    },
    Target {
        what: "fan-out max: CPU per delivered msg ≤ 1.3× the floor",
        metric: "max_cpu",
        peer: "floor",
        at_most: true,
        bound: 1.3,
    },
    Target {
        what: "fan-out max: delivered msgs/s ≥ 1.5× socketioxide",
        metric: "max_delivered",
        peer: "socketioxide",
        at_most: false,
        bound: 1.5,
    },
    Target {
        what: "idle memory per connection ≤ 0.25× Node",
        metric: "rss_last",
        peer: "node",
        at_most: true,
        bound: 0.25,
    },
    Target {
        what: "idle memory per connection ≤ 0.15× socketioxide",
        metric: "rss_last",
        peer: "socketioxide",
        at_most: true,
        bound: 0.15,
    },
    Target {
        what: "echo with acks: requests/s ≥ 1.5× socketioxide",
        metric: "echo_rate",
        peer: "socketioxide",
        at_most: false,
        bound: 1.5,
    },
    Target {
        what: "echo with acks: p99 ≤ socketioxide's",
        metric: "echo_p99",
        peer: "socketioxide",
        at_most: true,
        bound: 1.0,
    },
    Target {
        what: "connections/s ≥ 1.2× socketioxide",
        metric: "connect_rate",
        peer: "socketioxide",
        at_most: false,
        bound: 1.2,
    },
];

/// The markdown report (`benches/results/load.md`). `charts` are SVG file names to embed.
pub fn markdown(set: &RunSet, charts: &[(String, String)]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Load comparison\n");
    let _ = writeln!(
        out,
        "Written by `benches/run-load.sh` — do not edit by hand.\n"
    );
    let _ = writeln!(out, "- Machine: {}", set.machine);
    let _ = writeln!(out, "- Settings: {}", set.settings);
    let repeats = set.runs.iter().map(|r| r.repeat + 1).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "- Servers, in run order (interleaved, {repeats} repeat(s), values are medians): {}\n",
        set.servers.join(", ")
    );
    let _ = writeln!(
        out,
        "`-ct`: tokio current_thread runtime pinned to core 0 (the counterpart of Node's one \
         event loop, also pinned to core 0); `-mt`: multi_thread runtime on cores 0 and 1. The \
         load generator is pinned to core 1, so `-mt` servers share a core with it.\n"
    );

    let _ = writeln!(out, "## Medians\n");
    let _ = write!(out, "| metric |");
    for s in &set.servers {
        let _ = write!(out, " {s} |");
    }
    let _ = write!(out, "\n|---|");
    for _ in &set.servers {
        let _ = write!(out, "---:|");
    }
    out.push('\n');
    for m in METRICS {
        let _ = write!(out, "| {} ({}) |", m.title, m.unit);
        for s in &set.servers {
            let _ = write!(out, " {} |", cell(set.median(s, m)));
        }
        out.push('\n');
    }

    let subjects = set.subjects();
    if !subjects.is_empty() {
        let _ = writeln!(out, "\n## Ratios\n");
        let _ = writeln!(
            out,
            "Subject ÷ peer, medians; the Rust peers are taken with the same runtime flavor. \
             For throughput more is better, for latency, CPU and memory less is better.\n"
        );
        let _ = write!(out, "| metric |");
        let peers = ["socketioxide", "node", "floor"];
        for s in &subjects {
            for p in peers {
                let _ = write!(out, " {s} ÷ {} |", peer_of(s, p));
            }
        }
        let _ = write!(out, "\n|---|");
        for _ in 0..subjects.len() * peers.len() {
            let _ = write!(out, "---:|");
        }
        out.push('\n');
        for m in METRICS {
            let _ = write!(out, "| {} |", m.title);
            for s in &subjects {
                for p in peers {
                    let _ = write!(out, " {} |", ratio_cell(set.ratio(s, &peer_of(s, p), m)));
                }
            }
            out.push('\n');
        }
    }

    let volley: Vec<&str> = subjects
        .iter()
        .copied()
        .filter(|s| s.starts_with("volley"))
        .collect();
    let _ = writeln!(out, "\n## Targets of the benchmark issue\n");
    if volley.is_empty() {
        let _ = writeln!(
            out,
            "Volley's `bench` example did not run, so no target is checked."
        );
    } else {
        let _ = write!(out, "| target |");
        for s in &volley {
            let _ = write!(out, " {s} |");
        }
        let _ = write!(out, "\n|---|");
        for _ in &volley {
            let _ = write!(out, "---|");
        }
        out.push('\n');
        for t in TARGETS {
            let _ = write!(out, "| {} |", t.what);
            for s in &volley {
                let m = metric(t.metric).expect("targets name known metrics");
                let verdict = match set.ratio(s, &peer_of(s, t.peer), m) {
                    None => "—".to_string(),
                    Some(r) if (t.at_most && r <= t.bound) || (!t.at_most && r >= t.bound) => {
                        format!("{r:.2}× met")
                    }
                    Some(r) => format!("{r:.2}× **missed**"),
                };
                let _ = write!(out, " {verdict} |");
            }
            out.push('\n');
        }
    }

    let failures: Vec<&Run> = set.runs.iter().filter(|r| r.outcome.is_err()).collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\n## Failed runs\n");
        for r in failures {
            let err = r.outcome.as_ref().err().map_or("", String::as_str);
            let _ = writeln!(
                out,
                "- {} / {} / repeat {}: {}",
                r.server,
                r.scenario,
                r.repeat,
                err.trim()
            );
        }
    }

    if !charts.is_empty() {
        let _ = writeln!(out, "\n## Charts\n");
        for (title, file) in charts {
            let _ = writeln!(out, "![{title}]({file})\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{EchoResult, Outcome};
    use crate::stats::Percentiles;

    fn echo_run(server: &str, repeat: u32, rate: f64, p99: f64) -> Run {
        Run {
            server: server.into(),
            scenario: "echo".into(),
            repeat,
            outcome: Ok(Outcome::Echo(EchoResult {
                clients: 100,
                in_flight: 4,
                req_per_s: rate,
                latency: Some(Percentiles {
                    p50_ms: 1.0,
                    p99_ms: p99,
                }),
                cpu_per_req_us: 10.0,
                server_cpu: 1.0,
                client_errors: 0,
            })),
        }
    }

    fn set() -> RunSet {
        RunSet {
            machine: "test".into(),
            settings: "test".into(),
            servers: vec!["volley-ct".into(), "socketioxide-ct".into(), "node".into()],
            runs: vec![
                echo_run("volley-ct", 0, 300.0, 1.0),
                echo_run("volley-ct", 1, 330.0, 1.0),
                echo_run("volley-ct", 2, 10.0, 1.0),
                echo_run("socketioxide-ct", 0, 100.0, 2.0),
                echo_run("node", 0, 50.0, 4.0),
                Run {
                    server: "node".into(),
                    scenario: "echo".into(),
                    repeat: 1,
                    outcome: Err("server died".into()),
                },
            ],
        }
    }

    #[test]
    fn medians_and_ratios_use_successful_runs_of_the_same_flavor() {
        let s = set();
        let rate = metric("echo_rate").unwrap();
        assert_eq!(s.median("volley-ct", rate), Some(300.0));
        assert_eq!(s.median("node", rate), Some(50.0));
        assert_eq!(peer_of("volley-ct", "socketioxide"), "socketioxide-ct");
        assert_eq!(peer_of("volley-mt", "node"), "node");
        assert_eq!(s.ratio("volley-ct", "socketioxide-ct", rate), Some(3.0));
        assert_eq!(s.ratio("volley-ct", "floor-ct", rate), None);
    }

    #[test]
    fn report_checks_targets_and_lists_failures() {
        let md = markdown(&set(), &[]);
        assert!(
            md.contains("| echo with acks: requests/s ≥ 1.5× socketioxide | 3.00× met |"),
            "{md}"
        );
        assert!(
            md.contains("| echo with acks: p99 ≤ socketioxide's | 0.50× met |"),
            "{md}"
        );
        assert!(
            md.contains("| connections/s ≥ 1.2× socketioxide | — |"),
            "{md}"
        );
        assert!(md.contains("- node / echo / repeat 1: server died"), "{md}");
    }

    #[test]
    fn without_volley_ratios_are_socketioxides() {
        let mut s = set();
        s.servers.retain(|x| !x.starts_with("volley"));
        assert_eq!(s.subjects(), vec!["socketioxide-ct"]);
        assert!(markdown(&s, &[]).contains("no target is checked"));
    }
}
