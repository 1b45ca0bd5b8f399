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

/// Keeps `in_flight` requests open. Every answer the socket already holds is taken in one go,
/// and their replacements are queued and written with one flush, so a client makes one write
/// per batch of answers rather than one per request. A request's latency runs from just before
/// its batch is handed to the socket until its ack has been decoded.
async fn run_client(
    meter: &Meter,
    mut client: WsClient,
    in_flight: u64,
) -> Result<(), crate::client::ClientError> {
    let request = wire::AckedEvent::new("echo", "ping");
    let mut pending: VecDeque<(u64, Instant)> = VecDeque::with_capacity(in_flight as usize);
    let mut next_id = 0u64;
    let mut due = in_flight;
    while !meter.stopped() {
        if due > 0 {
            let sent = Instant::now();
            for _ in 0..due {
                client.feed(request.with_id(next_id)).await?;
                pending.push_back((next_id, sent));
                next_id += 1;
            }
            client.flush().await?;
            due = 0;
        }
        let mut incoming = Some(client.recv().await?);
        while let Some(packet) = incoming {
            if let Incoming::Ack(id, _) = packet {
                // Acks of one socket come back in order; search anyway rather than assume.
                if let Some(pos) = pending.iter().position(|&(i, _)| i == id) {
                    let sent = pending.remove(pos).map(|(_, t)| t.elapsed());
                    meter.complete(sent);
                    due += 1;
                }
            }
            incoming = client.recv_ready().await?;
        }
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
