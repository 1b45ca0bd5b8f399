//! Runs the side-by-side load comparison and writes `benches/results/` (see
//! `benches/README.md`; `benches/run-load.sh` builds everything and calls this).
//!
//! ```text
//! compare [--quick] [--repeats 3] [--servers volley,socketioxide,node,floor]
//!         [--scenarios connections,fanout_fixed,fanout_max,echo,polling]
//!         [--conn-steps 5000,10000] [--fanout-clients 1000] [--fixed-rate 50]
//!         [--echo-clients 100] [--polling-clients 200] [--warmup 1] [--duration 5]
//!         [--report-only]
//! ```
//!
//! Repeats are interleaved: for each repeat, for each scenario, every server in turn, each
//! started fresh. Servers run under `taskset` on core 0 (`-ct`, Node) or cores 0–1 (`-mt`);
//! the load generator on core 1.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use volley_benches::args::Args;
use volley_benches::report::{self, Run, RunSet, SCENARIOS};

struct Settings {
    root: PathBuf,
    bin_dir: PathBuf,
    repeats: u32,
    variants: Vec<String>,
    scenarios: Vec<String>,
    loadgen_args: Vec<(String, Vec<String>)>,
    pin: bool,
    summary: String,
}

fn main() {
    let args = Args::parse(std::env::args().skip(1));
    if let Err(e) = run(&args) {
        eprintln!("compare: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), String> {
    let s = settings(args)?;
    let results = s.root.join("benches/results");
    std::fs::create_dir_all(&results).map_err(|e| e.to_string())?;
    let json_path = results.join("load.json");
    let set = if args.get("report-only", false)? {
        let text =
            std::fs::read_to_string(&json_path).map_err(|e| format!("{json_path:?}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| e.to_string())?
    } else {
        volley_benches::proc::raise_nofile_limit().map_err(|e| format!("RLIMIT_NOFILE: {e}"))?;
        let set = measure(&s)?;
        let json = serde_json::to_string_pretty(&set).map_err(|e| e.to_string())?;
        std::fs::write(&json_path, json).map_err(|e| e.to_string())?;
        set
    };
    let mut charts = Vec::new();
    for key in volley_benches::charts::CHARTED {
        let Some(m) = report::metric(key) else {
            continue;
        };
        let file = format!("load-{key}.svg");
        match volley_benches::charts::bar_chart(&set, m, &results.join(&file)) {
            Ok(()) => charts.push((m.title.to_string(), file)),
            Err(e) => eprintln!("compare: chart {key}: {e}"),
        }
    }
    let md = report::markdown(&set, &charts);
    std::fs::write(results.join("load.md"), &md).map_err(|e| e.to_string())?;
    println!("{md}");
    eprintln!("compare: wrote {}", results.display());
    Ok(())
}

fn settings(args: &Args) -> Result<Settings, String> {
    let quick = args.get("quick", false)?;
    let root = match args.raw("root") {
        Some(r) => PathBuf::from(r),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("no workspace root")?
            .to_path_buf(),
    };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin_dir = exe.parent().ok_or("no binary directory")?.to_path_buf();
    let d = |full: &str, small: &str| {
        if quick {
            small.to_string()
        } else {
            full.to_string()
        }
    };
    let warmup = args.get("warmup", d("1", "0.5"))?;
    let duration = args.get("duration", d("5", "2"))?;
    let window = vec![
        "--warmup".into(),
        warmup.clone(),
        "--duration".into(),
        duration.clone(),
    ];
    let with = |mut v: Vec<String>, extra: &[String]| {
        v.extend_from_slice(extra);
        v
    };
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let steps = args.get("conn-steps", d("5000,10000", "500,1000"))?;
    let fan_clients = args.get("fanout-clients", d("1000", "200"))?;
    let fixed_rate = args.get("fixed-rate", "50".to_string())?;
    let echo_clients = args.get("echo-clients", d("100", "100"))?;
    let polling_clients = args.get("polling-clients", d("200", "50"))?;
    let loadgen_args = vec![
        (
            "connections".to_string(),
            strings(&["connections", "--steps", &steps, "--settle", &d("2", "1")]),
        ),
        (
            "fanout_fixed".to_string(),
            with(
                strings(&["fanout", "--clients", &fan_clients, "--rate", &fixed_rate]),
                &window,
            ),
        ),
        (
            "fanout_max".to_string(),
            with(
                strings(&["fanout", "--clients", &fan_clients, "--rate", "max"]),
                &window,
            ),
        ),
        (
            "echo".to_string(),
            with(
                strings(&["echo", "--clients", &echo_clients, "--in-flight", "4"]),
                &window,
            ),
        ),
        (
            "polling".to_string(),
            with(
                strings(&["polling", "--clients", &polling_clients]),
                &window,
            ),
        ),
    ];
    let mut servers: Vec<String> = args.list(
        "servers",
        strings(&["volley", "socketioxide", "node", "floor"]),
    )?;
    if servers.iter().any(|s| s == "volley") && !bin_dir.join("examples/bench").exists() {
        eprintln!("compare: Volley's bench example is not built (target/release/examples/bench); skipping it");
        servers.retain(|s| s != "volley");
    }
    let mut variants = Vec::new();
    for s in &servers {
        match s.as_str() {
            "node" => variants.push("node".to_string()),
            "volley" | "socketioxide" | "floor" => {
                variants.push(format!("{s}-ct"));
                variants.push(format!("{s}-mt"));
            }
            other => return Err(format!("unknown server {other:?}")),
        }
    }
    let scenarios = args.list("scenarios", strings(SCENARIOS))?;
    if let Some(bad) = scenarios.iter().find(|s| !SCENARIOS.contains(&s.as_str())) {
        return Err(format!("unknown scenario {bad:?}"));
    }
    let pin = Command::new("taskset").arg("-V").output().is_ok();
    let repeats = args.get("repeats", if quick { 1 } else { 3 })?;
    let summary = format!(
        "{}; repeats {repeats}; warm-up {warmup} s, window {duration} s; connection steps {steps}; \
         fan-out {fan_clients} clients, fixed rate {fixed_rate}/s, 200-byte payload, max rate with 16 \
         broadcasts in flight; echo {echo_clients} clients × 4 in flight; polling {polling_clients} clients{}",
        if quick { "quick (smoke) run" } else { "full run" },
        if pin { "" } else { "; taskset missing: NOT pinned" },
    );
    Ok(Settings {
        root,
        bin_dir,
        repeats,
        variants,
        scenarios,
        loadgen_args,
        pin,
        summary,
    })
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{model}, {cores} cores; load average at start {} (the machine is shared, so expect noise)",
        load.join(" ")
    )
}

/// A server process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn pinned(s: &Settings, cpus: &str, program: &Path) -> Command {
    if s.pin {
        let mut c = Command::new("taskset");
        c.arg("-c").arg(cpus).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start(s: &Settings, variant: &str, port: u16) -> Result<Server, String> {
    let (name, flavor) = variant.split_once('-').unwrap_or((variant, ""));
    let cpus = if flavor == "mt" { "0,1" } else { "0" };
    let mut cmd = match name {
        "node" => {
            let mut c = pinned(s, cpus, Path::new("node"));
            c.arg(s.root.join("benches/node/bench-server.mjs"));
            c
        }
        "volley" => pinned(s, cpus, &s.bin_dir.join("examples/bench")),
        "socketioxide" => pinned(s, cpus, &s.bin_dir.join("socketioxide_bench")),
        "floor" => pinned(s, cpus, &s.bin_dir.join("ws_floor")),
        other => return Err(format!("unknown server {other}")),
    };
    let tokio_flavor = if flavor == "ct" {
        "current_thread"
    } else {
        "multi_thread"
    };
    // Single-node comparison: a REDIS_URL in the environment would make the fixtures join a
    // cluster.
    cmd.env("PORT", port.to_string())
        .env("TOKIO_FLAVOR", tokio_flavor)
        .env_remove("REDIS_URL")
        .current_dir(&s.root)
        .stdout(Stdio::null());
    let server = Server(cmd.spawn().map_err(|e| format!("{variant}: {e}"))?);
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!(
                "{variant} did not listen on port {port} within 15 s"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(server)
}

fn one_run(
    s: &Settings,
    variant: &str,
    scenario: &str,
) -> Result<volley_benches::results::Outcome, String> {
    let port = free_port()?;
    let server = start(s, variant, port)?;
    let args = &s
        .loadgen_args
        .iter()
        .find(|(k, _)| k == scenario)
        .ok_or_else(|| format!("no settings for {scenario}"))?
        .1;
    let out = pinned(s, "1", &s.bin_dir.join("loadgen"))
        .args(args)
        .args([
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--pid",
            &server.0.id().to_string(),
        ])
        .output()
        .map_err(|e| format!("loadgen: {e}"))?;
    drop(server);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("loadgen output: {e}"))
}

fn measure(s: &Settings) -> Result<RunSet, String> {
    let mut set = RunSet {
        machine: machine(),
        settings: s.summary.clone(),
        servers: s.variants.clone(),
        runs: Vec::new(),
    };
    for repeat in 0..s.repeats {
        for scenario in &s.scenarios {
            for variant in &s.variants {
                if variant.starts_with("floor") && scenario == "polling" {
                    continue; // The floor speaks WebSocket only.
                }
                let t0 = Instant::now();
                let outcome = one_run(s, variant, scenario);
                let status = match &outcome {
                    Ok(_) => "ok".to_string(),
                    Err(e) => format!("FAILED: {e}"),
                };
                eprintln!(
                    "compare: repeat {} {scenario:<13} {variant:<16} {:>5.1} s {status}",
                    repeat + 1,
                    t0.elapsed().as_secs_f64()
                );
                set.runs.push(Run {
                    server: variant.clone(),
                    scenario: scenario.clone(),
                    repeat,
                    outcome,
                });
                // Let the kernel reap the sockets of the last run.
                std::thread::sleep(Duration::from_millis(300));
            }
        }
    }
    Ok(set)
}
