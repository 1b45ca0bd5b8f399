//! Broadcast fan-out: receivers connected to `/`, one publisher emitting `broadcast`.

use super::{
    check_failures, connect_ws_many, per_second, Clock, Meter, ScenarioError, Target, Window,
};
use crate::client::{SourceAddrs, WsClient};
use crate::results::FanoutResult;
use crate::wire::{self, Incoming};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How fast the publisher emits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// This many broadcasts per second.
    Fixed(f64),
    /// As fast as the server delivers: at most `window` broadcasts not yet received by every
    /// client (a message counts as done after `LOST_AFTER` (2 s) even if some never arrive).
    Max {
        /// Broadcasts in flight.
        window: u64,
    },
}

/// A broadcast not received by everyone this long after it was sent counts as lost.
pub const LOST_AFTER: Duration = Duration::from_secs(2);

/// Settings of the fan-out scenario.
#[derive(Debug, Clone)]
pub struct FanoutParams {
    /// Receiving clients.
    pub clients: u64,
    /// Handshakes in flight while connecting them.
    pub concurrency: u64,
    /// Publisher rate.
    pub rate: Rate,
    /// Bytes of the broadcast's string argument.
    pub payload: usize,
    /// Warm-up and measurement.
    pub window: Window,
}

const EVENT: &str = "broadcast";

struct State {
    clock: Clock,
    receivers: u32,
    /// Deliveries per sequence number.
    counts: RefCell<Vec<u32>>,
    /// Deliveries since the start (the meter counts those in the window).
    delivered: Cell<u64>,
    /// Broadcasts sent during the window.
    published_in_window: Cell<u64>,
    meter: Meter,
    /// Signalled when a broadcast reached every receiver.
    completed: Notify,
}

impl State {
    fn delivery(&self, seq: u64, sent_ns: u64) {
        let mut counts = self.counts.borrow_mut();
        let Some(count) = counts.get_mut(seq as usize) else {
            return;
        };
        *count += 1;
        self.delivered.set(self.delivered.get() + 1);
        let latency = Duration::from_nanos(self.clock.now_ns().saturating_sub(sent_ns));
        self.meter.complete(Some(latency));
        if *count == self.receivers {
            self.completed.notify_one();
        }
    }
}

fn receive(state: Rc<State>, mut client: WsClient) {
    tokio::task::spawn_local(async move {
        loop {
            match client.recv().await {
                Ok(Incoming::Event(data)) => {
                    if let Some((seq, sent)) = wire::read_stamp(&data, EVENT) {
                        state.delivery(seq, sent);
                    }
                }
                Ok(_) => {}
                Err(_) => {
                    state.meter.error();
                    return;
                }
            }
        }
    });
}

/// Sends broadcasts until `stop`, pacing by `rate`, and reads (and ignores) its own copies.
struct Publisher {
    client: WsClient,
    state: Rc<State>,
    payload: usize,
    sent_at: Vec<Instant>,
    /// Every broadcast below this index is complete or given up on (max-rate mode).
    done_upto: usize,
}

impl Publisher {
    async fn send_next(&mut self) -> Result<(), crate::client::ClientError> {
        let seq = self.sent_at.len() as u64;
        self.state.counts.borrow_mut().push(0);
        self.sent_at.push(Instant::now());
        if self.state.meter.measuring() {
            let n = &self.state.published_in_window;
            n.set(n.get() + 1);
        }
        let text = wire::stamp(seq, self.state.clock.now_ns(), self.payload);
        self.client
            .send(wire::event_with_string(EVENT, &text, None))
            .await
    }

    fn in_flight(&mut self) -> u64 {
        let counts = self.state.counts.borrow();
        while self.done_upto < self.sent_at.len()
            && (counts[self.done_upto] >= self.state.receivers
                || self.sent_at[self.done_upto].elapsed() >= LOST_AFTER)
        {
            self.done_upto += 1;
        }
        (self.sent_at.len() - self.done_upto) as u64
    }

    async fn run(&mut self, rate: Rate) -> Result<(), crate::client::ClientError> {
        let started = Instant::now();
        while !self.state.meter.stopped() {
            // When the next broadcast may go out.
            let wait = match rate {
                Rate::Fixed(r) => {
                    let due = started + Duration::from_secs_f64(self.sent_at.len() as f64 / r);
                    due.saturating_duration_since(Instant::now())
                }
                Rate::Max { window } if self.in_flight() < window => Duration::ZERO,
                // Woken by a completion; the timer re-checks messages given up as lost.
                Rate::Max { .. } => Duration::from_millis(5),
            };
            if wait.is_zero() {
                self.send_next().await?;
                continue;
            }
            let state = self.state.clone();
            tokio::select! {
                r = self.client.recv() => { r?; }
                _ = tokio::time::sleep(wait) => {}
                _ = state.completed.notified(), if matches!(rate, Rate::Max { .. }) => {}
            }
        }
        Ok(())
    }
}

/// Runs the fan-out scenario.
pub async fn fanout(target: Target, p: &FanoutParams) -> Result<FanoutResult, ScenarioError> {
    let state = Rc::new(State {
        clock: Clock::start(),
        receivers: p.clients as u32,
        counts: RefCell::new(Vec::new()),
        delivered: Cell::new(0),
        published_in_window: Cell::new(0),
        meter: Meter::default(),
        completed: Notify::new(),
    });
    let sources = Rc::new(SourceAddrs::default());
    let keep_state = state.clone();
    let keep: Rc<dyn Fn(WsClient)> = Rc::new(move |c| receive(keep_state.clone(), c));
    let (_, failed, err) =
        connect_ws_many(target, p.clients, p.concurrency, sources.clone(), keep).await;
    check_failures(p.clients, failed, err, 0)?;
    let client = WsClient::connect(target.addr, sources.next())
        .await
        .map_err(|first| ScenarioError::Clients {
            failed: 1,
            wanted: 1,
            first,
        })?;

    let mut publisher = Publisher {
        client,
        state: state.clone(),
        payload: p.payload,
        sent_at: Vec::new(),
        done_upto: 0,
    };
    let publishing = {
        let rate = p.rate;
        tokio::task::spawn_local(async move { publisher.run(rate).await })
    };
    let measured = p.window.run(target, &state.meter).await?;
    // The publisher sees the end of the window within one send or 5 ms.
    let published = publishing.await.expect("publisher task panicked");
    published.map_err(|first| ScenarioError::Clients {
        failed: 1,
        wanted: 1,
        first,
    })?;

    // Let the last broadcasts arrive.
    let expected = state.counts.borrow().len() as u64 * p.clients;
    let drain_until = Instant::now() + LOST_AFTER;
    while state.delivered.get() < expected && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let loss = if expected == 0 {
        0.0
    } else {
        1.0 - state.delivered.get() as f64 / expected as f64
    };
    let delivered_in_window = state.meter.completed();
    Ok(FanoutResult {
        clients: p.clients,
        target_rate: match p.rate {
            Rate::Fixed(r) => Some(r),
            Rate::Max { .. } => None,
        },
        published_per_s: per_second(state.published_in_window.get(), measured.elapsed),
        delivered_per_s: per_second(delivered_in_window, measured.elapsed),
        loss,
        latency: state.meter.latency(),
        cpu_per_msg_us: measured.cpu_per_us(delivered_in_window),
        server_cpu: measured.cpu_share(),
        client_errors: state.meter.errors(),
    })
}
