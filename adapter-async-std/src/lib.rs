//! Volley Socket.IO server on async-std (work in progress).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use volley_protocol as protocol;
