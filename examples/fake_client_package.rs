//! A stand-in for the `socket.io-client` npm package in a temporary directory (package.json and
//! the `dist/` files a server offers), for the adapters' client-file tests. Included with
//! `#[path]`; removed when dropped, also when the test fails.

use std::path::PathBuf;

/// The version in the fake package.json, so the ETag every form carries is `"9.9.9"`.
pub const VERSION: &str = "9.9.9";
/// `dist/socket.io.min.js`: too small to be worth compressing.
pub const MIN: &str = "/* min */";
/// `dist/socket.io.esm.min.js`.
pub const ESM: &str = "/* esm */";
/// `dist/socket.io.min.js.map`.
pub const MAP: &str = "{}";

/// The package: `root/package.json` and `root/dist/`.
pub struct FakeClientPackage {
    /// The package directory.
    pub root: PathBuf,
    /// `root/dist`, the directory a server is pointed at (`CLIENT_DIR_ENV`).
    pub dist: PathBuf,
    /// `dist/socket.io.js`: a few KiB of repetitive script, so every encoding shrinks it.
    pub full: String,
}

impl FakeClientPackage {
    /// Writes the package under the temporary directory, in a folder named after `tag` and
    /// this process (tests of one binary use distinct tags).
    pub fn new(tag: &str) -> Self {
        let root = std::env::temp_dir().join(format!("volley-{tag}-{}", std::process::id()));
        let dist = root.join("dist");
        std::fs::create_dir_all(&dist).expect("mkdir");
        let package = format!(r#"{{"name":"socket.io-client","version":"{VERSION}"}}"#);
        std::fs::write(root.join("package.json"), package).expect("package.json");
        let full = format!("/* full */{}", "var a = 1;\n".repeat(300));
        for (file, body) in [
            ("socket.io.min.js", MIN),
            ("socket.io.js", full.as_str()),
            ("socket.io.esm.min.js", ESM),
            ("socket.io.min.js.map", MAP),
        ] {
            std::fs::write(dist.join(file), body).expect(file);
        }
        FakeClientPackage { root, dist, full }
    }
}

impl Drop for FakeClientPackage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
