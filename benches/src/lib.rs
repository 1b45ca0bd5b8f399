//! Benchmarks and load tools for Volley.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
