//! The load generator: runs one scenario against one `bench` server and prints the result as
//! one JSON line.
//!
//! ```text
//! loadgen <connections|fanout|echo|polling> --addr 127.0.0.1:PORT --pid PID [options]
//!   connections: --steps 5000,10000 --concurrency 64 --settle 2
//!   fanout:      --clients 1000 --rate 50|max --window 16 --payload 200 --warmup 1 --duration 5
//!   echo:        --clients 100 --in-flight 4 --warmup 1 --duration 5
//!   polling:     --clients 200 --warmup 1 --duration 5
//! ```
//!
//! Only loopback addresses are accepted. Runs on one thread (pin it with `taskset`).

use std::net::SocketAddr;
use std::time::Duration;
use volley_benches::args::Args;
use volley_benches::results::Outcome;
use volley_benches::scenario::{self, Target, Window};

fn main() {
    let args = Args::parse(std::env::args().skip(1));
    match run(&args) {
        Ok(outcome) => match serde_json::to_string(&outcome) {
            Ok(json) => println!("{json}"),
            Err(e) => fail(&e.to_string()),
        },
        Err(e) => fail(&e),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("loadgen: {msg}");
    std::process::exit(1)
}

fn seconds(args: &Args, name: &str, default: f64) -> Result<Duration, String> {
    let s: f64 = args.get(name, default)?;
    Duration::try_from_secs_f64(s).map_err(|_| format!("--{name}: not a duration"))
}

fn text(r: Result<Outcome, scenario::ScenarioError>) -> Result<Outcome, String> {
    r.map_err(|e| e.to_string())
}

fn run(args: &Args) -> Result<Outcome, String> {
    let which = args
        .positional
        .first()
        .ok_or("which scenario? connections, fanout, echo or polling")?
        .clone();
    let addr: SocketAddr = args.required("addr")?;
    if !addr.ip().is_loopback() {
        return Err(format!("{addr} is not a loopback address"));
    }
    let target = Target {
        addr,
        pid: args.required("pid")?,
    };
    volley_benches::proc::raise_nofile_limit().map_err(|e| format!("RLIMIT_NOFILE: {e}"))?;
    let window = Window {
        warmup: seconds(args, "warmup", 1.0)?,
        measure: seconds(args, "duration", 5.0)?,
    };
    let concurrency = args.get("concurrency", 64)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let local = tokio::task::LocalSet::new();
    // Every scenario is bounded by its own counts and windows; this is the backstop.
    let limit = seconds(args, "time-limit", 300.0)?;
    let run = async {
        match which.as_str() {
            "connections" => {
                let p = scenario::ConnectionsParams {
                    steps: args.list("steps", vec![5000, 10000])?,
                    concurrency,
                    settle: seconds(args, "settle", 2.0)?,
                };
                text(
                    scenario::connections(target, &p)
                        .await
                        .map(Outcome::Connections),
                )
            }
            "fanout" => {
                let rate = match args.raw("rate").unwrap_or("max") {
                    "max" => scenario::Rate::Max {
                        window: args.get("window", 16)?,
                    },
                    r => scenario::Rate::Fixed(
                        r.parse::<f64>()
                            .ok()
                            .filter(|r| *r > 0.0)
                            .ok_or("--rate: a positive number or max")?,
                    ),
                };
                let p = scenario::FanoutParams {
                    clients: args.get("clients", 1000)?,
                    concurrency,
                    rate,
                    payload: args.get("payload", 200)?,
                    window,
                };
                text(scenario::fanout(target, &p).await.map(Outcome::Fanout))
            }
            "echo" => {
                let p = scenario::EchoParams {
                    clients: args.get("clients", 100)?,
                    in_flight: args.get("in-flight", 4)?,
                    concurrency,
                    window,
                };
                text(scenario::echo(target, &p).await.map(Outcome::Echo))
            }
            "polling" => {
                let p = scenario::PollingParams {
                    clients: args.get("clients", 200)?,
                    window,
                };
                text(scenario::polling(target, &p).await.map(Outcome::Polling))
            }
            other => Err(format!("unknown scenario {other:?}")),
        }
    };
    rt.block_on(local.run_until(async {
        tokio::time::timeout(limit, run)
            .await
            .map_err(|_| format!("{which} did not finish within {limit:?}"))?
    }))
}
