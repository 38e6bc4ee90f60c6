//! Feed HTML → markdown throughput, per core: the import stage's cost.
//!
//! Reads every feed in `../shared/seeds` and `../shared/peers` (or the
//! folders named in `LORE_BENCH_FEEDS`, separated by `:`), takes each
//! item's HTML as feed-rs gives it, and converts all of it on one thread,
//! over and over for at least two seconds, through the whole converter
//! (pre-pass, ammonia, htmd). Prints MB of HTML per second.
//!
//!     cargo bench --bench convert

use std::path::PathBuf;

/// The allocator the `lore` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::{Duration, Instant};

fn feed_dirs() -> Vec<PathBuf> {
    match std::env::var("LORE_BENCH_FEEDS") {
        Ok(dirs) => dirs.split(':').map(PathBuf::from).collect(),
        Err(_) => {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
            vec![root.join("seeds"), root.join("peers/rss-parser/input")]
        }
    }
}

/// Every item's HTML body in the feeds found.
fn bodies() -> Vec<String> {
    let mut out = Vec::new();
    for dir in feed_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipping {}: not readable", dir.display());
            continue;
        };
        for entry in entries.flatten() {
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let xml = lore::ingest::encoding::xml_to_utf8(&bytes);
            let Ok(feed) = feed_rs::parser::parse(&*xml) else {
                continue;
            };
            for item in feed.entries {
                let html = item
                    .content
                    .and_then(|c| c.body)
                    .or(item.summary.map(|s| s.content))
                    .unwrap_or_default();
                if html.contains('<') {
                    out.push(html);
                }
            }
        }
    }
    out
}

fn main() {
    let bodies = bodies();
    let bytes: usize = bodies.iter().map(String::len).sum();
    if bytes == 0 {
        eprintln!("no feed HTML found; set LORE_BENCH_FEEDS");
        return;
    }
    let mut rounds = 0u32;
    let mut output = 0usize;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        for html in &bodies {
            output +=
                lore::ingest::html::html_to_markdown(html, Some("https://example.org/post/")).len();
        }
        rounds += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    let megabytes = (bytes as f64 * f64::from(rounds)) / 1e6;
    println!(
        "html→markdown: {} items, {:.2} MB of HTML, {rounds} rounds on one thread: {:.1} MB/s per core ({:.0}% of input size out)",
        bodies.len(),
        bytes as f64 / 1e6,
        megabytes / seconds,
        100.0 * output as f64 / (bytes as f64 * f64::from(rounds)),
    );
}
