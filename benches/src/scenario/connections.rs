//! Connections per second and idle server memory per connection.

use super::{check_failures, connect_ws_many, per_second, ScenarioError, Target};
use crate::client::{SourceAddrs, WsClient};
use crate::results::{ConnectionsResult, ConnectionsStep};
use std::rc::Rc;
use std::time::Duration;

/// Settings of the connections scenario.
#[derive(Debug, Clone)]
pub struct ConnectionsParams {
    /// Connection counts at which RSS is read, increasing (e.g. 5,000 and 10,000).
    pub steps: Vec<u64>,
    /// Handshakes in flight at once.
    pub concurrency: u64,
    /// Idle time before reading RSS.
    pub settle: Duration,
}

/// Holds one idle client: reads (answering pings) until the server ends it.
fn hold(client: WsClient) {
    let mut client = client;
    tokio::task::spawn_local(async move { while client.recv().await.is_ok() {} });
}

/// Connects up to each step's count, idles, and reads the server's RSS.
pub async fn connections(
    target: Target,
    p: &ConnectionsParams,
) -> Result<ConnectionsResult, ScenarioError> {
    let sources = Rc::new(SourceAddrs::default());
    let keep: Rc<dyn Fn(WsClient)> = Rc::new(hold);
    // One client first, so lazy one-time set-up in the server is not charged per connection.
    let (_, failed, err) = connect_ws_many(target, 1, 1, sources.clone(), keep.clone()).await;
    check_failures(1, failed, err, 0)?;
    tokio::time::sleep(p.settle).await;
    let baseline = crate::proc::rss_bytes(target.pid)?;

    let mut steps = Vec::new();
    let (mut have, mut total_time, mut total_failed) = (1u64, Duration::ZERO, 0u64);
    let mut cpu = Duration::ZERO;
    for &want in &p.steps {
        let add = want.saturating_sub(have);
        let cpu0 = crate::proc::cpu_time(target.pid)?;
        let (took, failed, err) =
            connect_ws_many(target, add, p.concurrency, sources.clone(), keep.clone()).await;
        cpu += crate::proc::cpu_time(target.pid)?.saturating_sub(cpu0);
        // A handful of failures among thousands is reported, not fatal.
        check_failures(add, failed, err, add / 100)?;
        have += add - failed;
        total_time += took;
        total_failed += failed;
        tokio::time::sleep(p.settle).await;
        let rss = crate::proc::rss_bytes(target.pid)?;
        steps.push(ConnectionsStep {
            connections: have,
            connect_per_s: per_second(add - failed, took),
            rss_bytes: rss,
            rss_per_conn_bytes: rss.saturating_sub(baseline) as f64 / (have - 1).max(1) as f64,
        });
    }
    Ok(ConnectionsResult {
        baseline_rss_bytes: baseline,
        connect_per_s: per_second(have - 1, total_time),
        cpu_per_conn_us: cpu.as_secs_f64() * 1e6 / (have - 1).max(1) as f64,
        steps,
        failed: total_failed,
    })
}
