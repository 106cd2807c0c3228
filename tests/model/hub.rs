//! The Hugging Face download path, end to end: a tiny model served by a local HTTP server through
//! `HF_ENDPOINT`, cached under `HF_HOME`, then used offline; and the offline error when it is absent.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Serves `root/<file>` at `/<repo>/resolve/main/<file>` with the headers hf-hub expects
/// (etag, x-repo-commit, Content-Range for ranged requests). Returns the endpoint URL and a
/// request counter.
fn serve(root: PathBuf) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut range = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                    let (a, b) = v.trim().split_once('-').unwrap();
                    range = Some((a.parse::<usize>().unwrap(), b.parse::<usize>().ok()));
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let file = path.split_once("/resolve/main/").map(|(_, f)| root.join(f));
            let response = match file.filter(|f| f.is_file()) {
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
                Some(f) => {
                    let mut body = Vec::new();
                    std::fs::File::open(&f)
                        .unwrap()
                        .read_to_end(&mut body)
                        .unwrap();
                    let size = body.len();
                    let (start, end) = match range {
                        Some((a, b)) => (a, b.unwrap_or(size - 1).min(size - 1)),
                        None => (0, size - 1),
                    };
                    let chunk = &body[start..=end];
                    let mut head = format!(
                        "HTTP/1.1 206 Partial Content\r\netag: \"{size:x}-etag\"\r\nx-repo-commit: 0123456789abcdef0123456789abcdef01234567\r\nContent-Range: bytes {start}-{end}/{size}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        chunk.len()
                    )
                    .into_bytes();
                    head.extend_from_slice(chunk);
                    head
                }
            };
            let _ = stream.write_all(&response);
        }
    });
    (format!("http://{addr}"), hits)
}

#[test]
fn hub_download_then_offline_use_of_the_cache() {
    let model = tempfile::tempdir().unwrap();
    common::tiny_model(model.path(), &common::TinySpec::default(), 7);
    let (endpoint, hits) = serve(model.path().to_path_buf());
    let home = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    let (a, b) = (docs.path().join("a.txt"), docs.path().join("b.txt"));
    std::fs::write(&a, "the cat sat on the mat. the dog ran in the park.").unwrap();
    std::fs::write(&b, "die katze sat on the mat. der hund ran in the park.").unwrap();
    let args = [
        "check",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--src-lang",
        "en",
        "--tgt-lang",
        "de",
        "--model",
        "tiny-org/tiny-bert",
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    let home_s = home.path().to_str().unwrap();

    let (code, out, err) = common::run(
        &args,
        &[
            ("HF_ENDPOINT", &endpoint),
            ("HF_HOME", home_s),
            ("MTCHECK_MODELS_DIR", "/nonexistent"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["model"]["id"], "tiny-org/tiny-bert");
    assert!(hits.load(Ordering::SeqCst) >= 3, "files came over HTTP");
    let cached = home
        .path()
        .join("hub/models--tiny-org--tiny-bert/snapshots");
    assert!(cached.is_dir(), "hf-hub cache layout under HF_HOME/hub");

    // Offline, with a dead endpoint: the cache alone serves the model.
    let before = hits.load(Ordering::SeqCst);
    let (code, _, err) = common::run(
        &args,
        &[
            ("HF_ENDPOINT", "http://127.0.0.1:9"),
            ("HF_HOME", home_s),
            ("HF_HUB_OFFLINE", "1"),
            ("MTCHECK_MODELS_DIR", "/nonexistent"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        before,
        "no request when offline"
    );

    // HF_HUB_CACHE overrides HF_HOME for the cache location.
    let (code, _, err) = common::run(
        &args,
        &[
            ("HF_HUB_CACHE", home.path().join("hub").to_str().unwrap()),
            ("HF_HOME", "/nonexistent"),
            ("HF_HUB_OFFLINE", "1"),
            ("MTCHECK_MODELS_DIR", "/nonexistent"),
        ],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn offline_without_cache_says_how_to_get_the_model() {
    let home = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    let (a, b) = (docs.path().join("a.txt"), docs.path().join("b.txt"));
    std::fs::write(&a, "One sentence here.").unwrap();
    std::fs::write(&b, "Ein Satz hier.").unwrap();
    let (code, out, err) = common::run(
        &[
            "check",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--model",
            "intfloat/multilingual-e5-small",
        ],
        &[
            ("HF_HOME", home.path().to_str().unwrap()),
            ("HF_HUB_OFFLINE", "1"),
            ("MTCHECK_MODELS_DIR", "/nonexistent"),
            ("HF_HUB_CACHE", home.path().join("hub").to_str().unwrap()),
        ],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("HF_HUB_OFFLINE") && err.contains("models/fetch"),
        "{err}"
    );
}

#[test]
fn unreachable_hub_is_a_one_line_error() {
    let home = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    let (a, b) = (docs.path().join("a.txt"), docs.path().join("b.txt"));
    std::fs::write(&a, "One sentence here.").unwrap();
    std::fs::write(&b, "Ein Satz hier.").unwrap();
    let (code, _, err) = common::run(
        &[
            "check",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--model",
            "someone/missing-model",
        ],
        &[
            ("HF_HOME", home.path().to_str().unwrap()),
            ("HF_ENDPOINT", "http://127.0.0.1:9"),
            ("MTCHECK_MODELS_DIR", "/nonexistent"),
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("someone/missing-model") && err.contains("config.json"),
        "{err}"
    );
}
