//! `volley-protocol` must stay sans-IO: no async runtime, HTTP or WebSocket crate may enter its
//! dependency tree (normal or build dependencies).

use std::process::Command;

const FORBIDDEN: &[&str] = &["tokio", "async-std", "smol", "hyper", "tungstenite"];

fn is_forbidden(name: &str) -> bool {
    FORBIDDEN.iter().any(|f| {
        name == *f
            || name.starts_with(&format!("{f}-"))
            || name.ends_with(&format!("-{f}"))
            || name.ends_with(&format!("_{f}"))
    })
}

#[test]
fn forbidden_names_are_recognised() {
    assert!(is_forbidden("tokio"));
    assert!(is_forbidden("tokio-util"));
    assert!(is_forbidden("async-tungstenite"));
    assert!(is_forbidden("hyper-util"));
    assert!(!is_forbidden("bytes"));
    assert!(!is_forbidden("smoltcp-like"));
}

#[test]
fn protocol_dependency_tree_has_no_runtime_http_or_websocket_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "volley-protocol",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).expect("utf-8 output");
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        names.contains(&"volley-protocol"),
        "unexpected cargo tree output:\n{tree}"
    );
    let bad: Vec<&str> = names.iter().copied().filter(|n| is_forbidden(n)).collect();
    assert!(bad.is_empty(), "forbidden dependencies: {bad:?}\n{tree}");
}
