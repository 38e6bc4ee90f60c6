//! How much a parallel pull saves: 200 feeds on the local test server, each
//! answering after its own delay (50–500 ms, the same every run), fetched
//! with 8 connections. Prints the wall time next to the slowest response
//! and the sum of all delays; a serial pull would take about that sum.
//!
//! Run with `cargo run --release --example pull_bench`.

#[path = "../tests/it/server.rs"]
mod server;

use std::time::{Duration, Instant};

use lore::fetch::{Client, FetchConfig, Outcome, Request, fetch_all, fetch_one};
use server::{Behaviour, TestServer};

const FEEDS: u64 = 200;
const CONNECTIONS: usize = 8;

/// A spread of delays from 50 to 500 ms; multiplying by a prime scatters
/// neighbouring feeds over the range without a random number generator.
fn delay_of(feed: u64) -> Duration {
    Duration::from_millis(50 + (feed * 7_919) % 451)
}

fn main() {
    let routes = (0..FEEDS).map(|i| {
        let page = Behaviour::page(
            format!("<rss><channel><title>{i}</title></channel></rss>"),
            "application/rss+xml",
        );
        (format!("/feed/{i}"), Behaviour::delayed(delay_of(i), page))
    });
    let server = TestServer::start(routes);
    let requests: Vec<Request> = (0..FEEDS)
        .map(|i| Request::new(server.url(&format!("/feed/{i}"))))
        .collect();
    // The server is a single host, so the per-host limit is lifted to the
    // overall one; against real feeds it stays at its default of 2.
    let client = Client::new(FetchConfig {
        max_connections: CONNECTIONS,
        per_host: CONNECTIONS,
        ..FetchConfig::default()
    });

    let started = Instant::now();
    let outcomes = fetch_all(&client, &requests);
    let total = started.elapsed();

    let failed = outcomes
        .iter()
        .filter(|o| !matches!(o, Outcome::Fetched(_)))
        .count();
    let sum: Duration = (0..FEEDS).map(delay_of).sum();
    // The slowest feed, fetched alone: no pull can be faster than this.
    let slowest_feed = (0..FEEDS).max_by_key(|&i| delay_of(i)).unwrap_or(0);
    let alone = Instant::now();
    let outcome = fetch_one(&client, &requests[slowest_feed as usize]);
    let slowest = alone.elapsed();
    assert!(matches!(outcome, Outcome::Fetched(_)), "{outcome:?}");
    let ideal = sum / u32::try_from(CONNECTIONS).unwrap_or(1);
    println!("feeds:              {FEEDS} ({failed} failed), {CONNECTIONS} connections");
    println!("total time:         {:.2} s", total.as_secs_f64());
    println!(
        "slowest response:   {:.2} s (feed {slowest_feed}, fetched alone)",
        slowest.as_secs_f64()
    );
    println!(
        "sum of all delays:  {:.2} s (a serial pull)",
        sum.as_secs_f64()
    );
    println!(
        "sum / connections:  {:.2} s (the best 8 connections can do)",
        ideal.as_secs_f64()
    );
    println!(
        "ratio:              {:.1}x faster than serial",
        sum.as_secs_f64() / total.as_secs_f64()
    );
    println!(
        "efficiency:         {:.0}% of the ideal",
        100.0 * ideal.as_secs_f64() / total.as_secs_f64()
    );
    println!("max in flight:      {}", server.max_in_flight());
}
