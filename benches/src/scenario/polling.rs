//! HTTP long-polling round trips: each client POSTs an `echo` and GETs it back.

use super::{check_failures, per_second, Meter, ScenarioError, Target, Window};
use crate::client::{ClientError, PollClient, SourceAddrs};
use crate::results::PollingResult;
use crate::wire::{self, Incoming};
use std::rc::Rc;
use std::time::Instant;

/// Settings of the polling scenario.
#[derive(Debug, Clone)]
pub struct PollingParams {
    /// Clients (polling only, never upgrading).
    pub clients: u64,
    /// Warm-up and measurement.
    pub window: Window,
}

/// One round trip: POST `echo`, then GET until it comes back (answering pings on the way).
async fn round_trip(client: &mut PollClient) -> Result<(), ClientError> {
    client
        .post(vec![wire::event_with_string("echo", "poll", None)])
        .await?;
    loop {
        let got = client.get().await?;
        if got
            .iter()
            .any(|i| matches!(i, Incoming::Event(d) if d.starts_with("[\"echo\"")))
        {
            return Ok(());
        }
        if client.owes_pong() {
            client.post(Vec::new()).await?;
        }
    }
}

/// Runs the polling scenario.
pub async fn polling(target: Target, p: &PollingParams) -> Result<PollingResult, ScenarioError> {
    let meter = Rc::new(Meter::default());
    let sources = SourceAddrs::default();
    let mut clients = Vec::new();
    let (mut failed, mut first) = (0, None);
    for _ in 0..p.clients {
        match PollClient::connect(target.addr, sources.next()).await {
            Ok(c) => clients.push(c),
            Err(e) => {
                failed += 1;
                first = first.or(Some(e));
            }
        }
    }
    check_failures(p.clients, failed, first, 0)?;
    for mut client in clients {
        let meter = meter.clone();
        tokio::task::spawn_local(async move {
            while !meter.stopped() {
                let t0 = Instant::now();
                if round_trip(&mut client).await.is_err() {
                    meter.error();
                    return;
                }
                meter.complete(Some(t0.elapsed()));
            }
        });
    }
    let measured = p.window.run(target, &meter).await?;
    Ok(PollingResult {
        clients: p.clients,
        round_trips_per_s: per_second(meter.completed(), measured.elapsed),
        latency: meter.latency(),
        cpu_per_rt_us: measured.cpu_per_us(meter.completed()),
        server_cpu: measured.cpu_share(),
        client_errors: meter.errors(),
    })
}
