//! What one load-generator run measured, as JSON between `loadgen` and `compare`.

use crate::stats::Percentiles;
use serde::{Deserialize, Serialize};

/// The result of one scenario run against one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scenario", rename_all = "snake_case")]
pub enum Outcome {
    /// Connection rate and idle memory.
    Connections(ConnectionsResult),
    /// Broadcast fan-out.
    Fanout(FanoutResult),
    /// Echo with acknowledgements.
    Echo(EchoResult),
    /// Long-polling round trips.
    Polling(PollingResult),
}

/// Connecting many idle WebSocket clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionsResult {
    /// Server RSS with one client connected (the baseline), in bytes.
    pub baseline_rss_bytes: u64,
    /// One entry per target count, in increasing order.
    pub steps: Vec<ConnectionsStep>,
    /// Connections per second over all steps.
    pub connect_per_s: f64,
    /// Server CPU time per connection while connecting, in microseconds.
    #[serde(default)]
    pub cpu_per_conn_us: f64,
    /// Clients that failed to connect.
    pub failed: u64,
}

/// The state after reaching one connection count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionsStep {
    /// Clients connected (and idle) at this point.
    pub connections: u64,
    /// Connections per second while getting here from the previous step.
    pub connect_per_s: f64,
    /// Server RSS after the idle settle time, in bytes.
    pub rss_bytes: u64,
    /// (RSS − baseline) / new connections since the baseline, in bytes.
    pub rss_per_conn_bytes: f64,
}

/// Broadcast fan-out to many clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanoutResult {
    /// Receiving clients.
    pub clients: u64,
    /// The publisher's target rate (messages/s); `None` for the maximum sustained rate.
    pub target_rate: Option<f64>,
    /// Broadcasts published per second during the measurement window.
    pub published_per_s: f64,
    /// Messages delivered to receivers per second during the measurement window.
    pub delivered_per_s: f64,
    /// Fraction of the expected deliveries (published × clients) that never arrived.
    pub loss: f64,
    /// Publish-to-receive latency during the window.
    pub latency: Option<Percentiles>,
    /// Server CPU time per delivered message, in microseconds.
    pub cpu_per_msg_us: f64,
    /// Server CPU use during the window (1.0 = one core busy).
    pub server_cpu: f64,
    /// Clients whose connection failed or was closed by the server during the run.
    #[serde(default)]
    pub client_errors: u64,
}

/// Request/acknowledgement round trips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EchoResult {
    /// Clients.
    pub clients: u64,
    /// Requests each client keeps in flight.
    pub in_flight: u64,
    /// Acknowledged requests per second.
    pub req_per_s: f64,
    /// Request-to-ack latency.
    pub latency: Option<Percentiles>,
    /// Server CPU time per acknowledged request, in microseconds.
    #[serde(default)]
    pub cpu_per_req_us: f64,
    /// Server CPU use during the window (1.0 = one core busy).
    pub server_cpu: f64,
    /// Clients whose connection failed or was closed by the server during the run.
    #[serde(default)]
    pub client_errors: u64,
}

/// HTTP long-polling round trips (POST an `echo`, GET it back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollingResult {
    /// Clients.
    pub clients: u64,
    /// Completed round trips per second.
    pub round_trips_per_s: f64,
    /// Round-trip latency.
    pub latency: Option<Percentiles>,
    /// Server CPU time per round trip, in microseconds.
    #[serde(default)]
    pub cpu_per_rt_us: f64,
    /// Server CPU use during the window (1.0 = one core busy).
    pub server_cpu: f64,
    /// Clients whose connection failed or was closed by the server during the run.
    #[serde(default)]
    pub client_errors: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_json_names_its_scenario() {
        let o = Outcome::Echo(EchoResult {
            clients: 100,
            in_flight: 4,
            req_per_s: 1234.5,
            latency: Some(Percentiles {
                p50_ms: 1.0,
                p99_ms: 2.0,
            }),
            cpu_per_req_us: 5.0,
            server_cpu: 0.9,
            client_errors: 0,
        });
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.starts_with(r#"{"scenario":"echo","#), "{json}");
        assert_eq!(serde_json::from_str::<Outcome>(&json).unwrap(), o);
    }
}
