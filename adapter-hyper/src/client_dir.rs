//! Finding and loading the official browser client from the `socket.io-client` npm package.

use bytes::Bytes;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, OnceLock};
use volley_protocol::api::{ClientFiles, CompressJob, Options};

/// Environment variable naming the `dist` directory of `socket.io-client`.
///
/// ```
/// // VOLLEY_CLIENT_DIR=/path/to/node_modules/socket.io-client/dist cargo run …
/// assert_eq!(volley_hyper::CLIENT_DIR_ENV, "VOLLEY_CLIENT_DIR");
/// ```
pub const CLIENT_DIR_ENV: &str = "VOLLEY_CLIENT_DIR";

const DIST: &str = "node_modules/socket.io-client/dist";

/// Where the client bundle is looked for, in order: `$VOLLEY_CLIENT_DIR`, then
/// `node_modules/socket.io-client/dist` in the current directory and each of its ancestors,
/// then the repository's `node_modules` next to this crate.
fn candidates() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(CLIENT_DIR_ENV) {
        dirs.push(PathBuf::from(dir));
    }
    if let Ok(cwd) = std::env::current_dir() {
        dirs.extend(cwd.ancestors().map(|a| a.join(DIST)));
    }
    dirs.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../node_modules/socket.io-client/dist"
    )));
    dirs
}

/// `options` with the official browser client loaded from the `socket.io-client` npm package
/// (see [`CLIENT_DIR_ENV`]), unless the options disable serving it. When no directory holds
/// the bundle a warning is logged and requests for the client files get 404.
///
/// The files' compressed forms (brotli takes about a second of CPU for a source map) are made
/// on one plain thread of the process, never on an executor thread: the first request for a
/// form not made yet starts its making there and gets, meanwhile, the best form it accepts
/// that is made, or the file as it is.
pub fn with_client(options: Options) -> Options {
    if !options.serves_client() {
        return options;
    }
    match load() {
        Some(files) => options.client_files(files.compress_with(compress_in_background)),
        None => {
            tracing::warn!(
                "socket.io-client not found, so /socket.io/socket.io.min.js and the other client \
                 files answer 404: run `npm install socket.io-client` in the working directory \
                 (or one above it), or set {CLIENT_DIR_ENV} to its dist directory \
                 (Options::serve_client(false) silences this)"
            );
            options
        }
    }
}

/// Queues `job` to the process's compression thread, started on first use. The jobs run one
/// at a time, so compressing the client files takes at most one core from the executors.
fn compress_in_background(job: CompressJob) {
    static QUEUE: OnceLock<Option<mpsc::Sender<CompressJob>>> = OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<CompressJob>();
        let worker = std::thread::Builder::new()
            .name("volley-client-compress".into())
            .spawn(move || rx.into_iter().for_each(CompressJob::run));
        match worker {
            Ok(_) => Some(tx),
            Err(error) => {
                tracing::warn!(%error, "no thread to compress the client files: they go out uncompressed");
                None
            }
        }
    });
    if let Some(tx) = queue {
        // The worker never ends, so the send cannot fail.
        let _ = tx.send(job);
    }
}

/// Loads the client files from the first candidate directory that has them.
fn load() -> Option<ClientFiles> {
    let dir = candidates()
        .into_iter()
        .find(|d| d.join("socket.io.min.js").is_file())?;
    let files = load_dir(&dir);
    if files.is_none() {
        tracing::warn!(dir = %dir.display(), "socket.io-client bundle unreadable");
    }
    files
}

fn load_dir(dir: &Path) -> Option<ClientFiles> {
    let version = read_version(&dir.join("../package.json"))?;
    let mut files = ClientFiles::new(&version);
    for name in ClientFiles::NAMES {
        if let Ok(content) = std::fs::read(dir.join(name)) {
            files.insert(name, Bytes::from(content));
        }
    }
    tracing::debug!(dir = %dir.display(), %version, "serving socket.io-client");
    Some(files)
}

fn read_version(package_json: &Path) -> Option<String> {
    let text = std::fs::read_to_string(package_json).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(json.get("version")?.as_str()?.to_owned())
}
