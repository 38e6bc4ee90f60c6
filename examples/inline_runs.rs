//! HTML→markdown time on runs of adjacent inline elements (`<b>x</b>`
//! repeated), the shape that once made conversion quadratic. Prints the
//! seconds per size; sizes in MB come from the arguments (default 1 4 10).
//!
//!     cargo run --release --example inline_runs -- 1 4 10

use std::time::Instant;

/// The allocator the `lore` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let sizes: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1.0, 4.0, 10.0]
    } else {
        sizes
    };
    for mb in sizes {
        let unit = "<b>x</b>";
        let html = unit.repeat((mb * 1024.0 * 1024.0) as usize / unit.len());
        let start = Instant::now();
        let markdown = lore::ingest::html::html_to_markdown(&html, None);
        println!(
            "{mb} MB of <b>x</b>: {:.2} s, {} bytes of markdown",
            start.elapsed().as_secs_f64(),
            markdown.len()
        );
    }
}
