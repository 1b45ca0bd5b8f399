//! What every `bench` fixture server shares: the port and runtime flavor from the environment.

use std::net::{Ipv4Addr, SocketAddr};

/// The tokio runtime a Rust fixture runs on (`TOKIO_FLAVOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `current_thread`: one thread, the counterpart of Node's event loop.
    CurrentThread,
    /// `multi_thread` (the default): a worker per core.
    MultiThread,
}

impl Flavor {
    /// Reads a `TOKIO_FLAVOR` value; unset means `multi_thread`.
    pub fn parse(value: Option<&str>) -> Result<Flavor, String> {
        match value {
            None | Some("") | Some("multi_thread") => Ok(Flavor::MultiThread),
            Some("current_thread") => Ok(Flavor::CurrentThread),
            Some(other) => Err(format!(
                "TOKIO_FLAVOR must be current_thread or multi_thread, not {other:?}"
            )),
        }
    }

    /// The flavor named by the `TOKIO_FLAVOR` environment variable.
    pub fn from_env() -> Result<Flavor, String> {
        Flavor::parse(std::env::var("TOKIO_FLAVOR").ok().as_deref())
    }

    /// Its `TOKIO_FLAVOR` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread => "multi_thread",
        }
    }

    /// Builds the runtime.
    pub fn runtime(self) -> std::io::Result<tokio::runtime::Runtime> {
        match self {
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build(),
            Flavor::MultiThread => tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build(),
        }
    }
}

/// `127.0.0.1:$PORT` (default 3000).
pub fn listen_addr() -> Result<SocketAddr, String> {
    let port = match std::env::var("PORT") {
        Ok(p) => p
            .parse::<u16>()
            .map_err(|_| format!("PORT must be a port number, not {p:?}"))?,
        Err(_) => 3000,
    };
    Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
}

/// Runs a fixture server: reads `TOKIO_FLAVOR` and `PORT`, builds the runtime and drives
/// `serve(addr)` on it, exiting with a message on any error.
pub fn run<F, Fut>(name: &str, serve: F) -> !
where
    F: FnOnce(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<()>>,
{
    let (flavor, addr) = match (Flavor::from_env(), listen_addr()) {
        (Ok(f), Ok(a)) => (f, a),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{name}: {e}");
            std::process::exit(2);
        }
    };
    let result = flavor.runtime().and_then(|rt| rt.block_on(serve(addr)));
    match result {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavor_defaults_to_multi_thread() {
        assert_eq!(Flavor::parse(None), Ok(Flavor::MultiThread));
        assert_eq!(
            Flavor::parse(Some("current_thread")),
            Ok(Flavor::CurrentThread)
        );
        assert!(Flavor::parse(Some("single")).is_err());
    }
}
