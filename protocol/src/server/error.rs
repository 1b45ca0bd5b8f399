//! Errors of the Socket.IO layer: only API misuse (peer faults are events and closes).

use thiserror::Error;

/// A call the server cannot carry out as asked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ServerError {
    /// No connected socket has this id (it may have disconnected meanwhile).
    #[error("unknown socket")]
    UnknownSocket,
    /// The client behind a CONNECT request went away before the decision.
    #[error("the client closed before its namespace connection was decided")]
    ClientGone,
    /// The namespace is not registered (and matches no dynamic pattern).
    #[error("unknown namespace")]
    UnknownNamespace,
    /// A namespace name must start with `/`.
    #[error("namespace names start with '/'")]
    InvalidNamespaceName,
    /// A broadcast with acknowledgements needs a timeout (`BroadcastFlags::timeout`).
    #[error("a broadcast with acknowledgements needs a timeout")]
    MissingTimeout,
    /// No pending server-side request has this id.
    #[error("unknown cluster request")]
    UnknownRequest,
}
