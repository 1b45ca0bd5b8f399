//! Running an example under async-std (default) or under smol (`--smol`): the server code is
//! the same, only the executor differs.
// Each example uses part of it.
#![allow(dead_code)]

use async_executor::Executor;
use std::future::Future;
use std::sync::Arc;
use volley_async_std::protocol::engine::EngineConfig;
use volley_async_std::{EngineIo, Io, Options};

/// The runtime an example was started on.
#[derive(Clone)]
pub enum Runtime {
    /// async-std's executor (async-global-executor).
    AsyncStd,
    /// An executor run by smol on one thread per core.
    Smol(Arc<Executor<'static>>),
}

impl Runtime {
    pub fn name(&self) -> &'static str {
        match self {
            Runtime::AsyncStd => "async-std",
            Runtime::Smol(_) => "smol",
        }
    }

    pub fn socketio(&self, options: Options) -> Io {
        match self {
            Runtime::AsyncStd => volley_async_std::new(options),
            Runtime::Smol(ex) => volley_async_std::new_on(ex.clone(), options),
        }
    }

    /// [`Runtime::socketio`], one node of the Redis cluster at `REDIS_URL` when it is set.
    pub fn socketio_from_env(&self, options: Options) -> std::io::Result<Io> {
        let (options, cluster) = volley_redis::options_from_env(options)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let io = self.socketio(options);
        if let Some(inbox) = cluster {
            volley_redis::attach(&io, inbox);
        }
        Ok(io)
    }

    pub fn engine(&self, config: EngineConfig) -> EngineIo {
        match self {
            Runtime::AsyncStd => volley_async_std::engine(config),
            Runtime::Smol(ex) => volley_async_std::engine_on(ex.clone(), config),
        }
    }

    /// Runs `fut` in the background on this runtime.
    pub fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        match self {
            Runtime::AsyncStd => drop(async_std::task::spawn(fut)),
            Runtime::Smol(ex) => ex.spawn(fut).detach(),
        }
    }
}

/// Runs `main` on async-std, or on smol when the arguments contain `--smol`.
pub fn run<F: Future + Send + 'static>(main: impl FnOnce(Runtime) -> F) -> F::Output
where
    F::Output: Send,
{
    if !std::env::args().any(|a| a == "--smol") {
        return async_std::task::block_on(main(Runtime::AsyncStd));
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let executor = smol_executor(threads - 1);
    let fut = main(Runtime::Smol(executor.clone()));
    smol::block_on(executor.run(fut))
}

/// An executor run by smol on `threads` threads of its own.
pub fn smol_executor(threads: usize) -> Arc<Executor<'static>> {
    let executor = Arc::new(Executor::new());
    for _ in 0..threads {
        let ex = executor.clone();
        std::thread::spawn(move || smol::block_on(ex.run(std::future::pending::<()>())));
    }
    executor
}
