//! Echo with acknowledgements: each client keeps a fixed number of `echo` requests in flight.

use super::{check_failures, connect_ws_many, per_second, Meter, ScenarioError, Target, Window};
use crate::client::{SourceAddrs, WsClient};
use crate::results::EchoResult;
use crate::wire::{self, Incoming};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Instant;

/// Settings of the echo scenario.
#[derive(Debug, Clone)]
pub struct EchoParams {
    /// Clients.
    pub clients: u64,
    /// Requests each keeps in flight.
    pub in_flight: u64,
    /// Handshakes in flight while connecting.
    pub concurrency: u64,
    /// Warm-up and measurement.
    pub window: Window,
}

async fn run_client(
    meter: &Meter,
    mut client: WsClient,
    in_flight: u64,
) -> Result<(), crate::client::ClientError> {
    let mut pending: VecDeque<(u64, Instant)> = VecDeque::new();
    let mut next_id = 0u64;
    while !meter.stopped() {
        if pending.len() as u64 >= in_flight {
            let Incoming::Ack(id, _) = client.recv().await? else {
                continue;
            };
            // Acks of one socket come back in order; search anyway rather than assume.
            if let Some(pos) = pending.iter().position(|&(i, _)| i == id) {
                let sent = pending.remove(pos).map(|(_, t)| t.elapsed());
                meter.complete(sent);
            }
            continue;
        }
        pending.push_back((next_id, Instant::now()));
        client
            .send(wire::event_with_string("echo", "ping", Some(next_id)))
            .await?;
        next_id += 1;
    }
    Ok(())
}

/// Runs the echo scenario.
pub async fn echo(target: Target, p: &EchoParams) -> Result<EchoResult, ScenarioError> {
    let meter = Rc::new(Meter::default());
    let clients = Rc::new(RefCell::new(Vec::new()));
    let keep_clients = clients.clone();
    let keep: Rc<dyn Fn(WsClient)> = Rc::new(move |c| keep_clients.borrow_mut().push(c));
    let sources = Rc::new(SourceAddrs::default());
    let (_, failed, err) = connect_ws_many(target, p.clients, p.concurrency, sources, keep).await;
    check_failures(p.clients, failed, err, 0)?;
    // Start every client only once all are connected, so the load is even.
    for client in clients.take() {
        let meter = meter.clone();
        let in_flight = p.in_flight;
        tokio::task::spawn_local(async move {
            if run_client(&meter, client, in_flight).await.is_err() {
                meter.error();
            }
        });
    }
    let measured = p.window.run(target, &meter).await?;
    Ok(EchoResult {
        clients: p.clients,
        in_flight: p.in_flight,
        req_per_s: per_second(meter.completed(), measured.elapsed),
        latency: meter.latency(),
        cpu_per_req_us: measured.cpu_per_us(meter.completed()),
        server_cpu: measured.cpu_share(),
        client_errors: meter.errors(),
    })
}
