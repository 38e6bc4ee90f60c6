//! Many GETs at once: a fixed set of worker threads takes requests from one
//! shared queue, skipping any whose host is already at its limit, so a busy
//! or slow host makes only its own requests wait. Each request ends as an
//! [`Outcome`] in its own slot; nothing one URL does can fail another.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread;

use super::{Client, Outcome, Request, fetch_one, url};

/// Fetches every request, at most `max_connections` at a time and at most
/// `per_host` at a time to any one host, and returns the outcomes in the
/// order of `requests`. A redirect to another host still counts against
/// the host first asked.
pub fn fetch_all(client: &Client, requests: &[Request]) -> Vec<Outcome> {
    let workers = client
        .config()
        .max_connections
        .clamp(1, requests.len().max(1));
    let board = Board {
        queue: Mutex::new(Queue {
            waiting: (0..requests.len()).collect(),
            in_flight: HashMap::new(),
        }),
        changed: Condvar::new(),
        per_host: client.config().per_host.max(1),
        hosts: requests.iter().map(|r| url::host_key(&r.url)).collect(),
    };

    let finished: Vec<Vec<(usize, Outcome)>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| work(client, requests, &board)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });

    let mut slots: Vec<Option<Outcome>> = (0..requests.len()).map(|_| None).collect();
    for (index, outcome) in finished.into_iter().flatten() {
        slots[index] = Some(outcome);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("every request is taken by exactly one worker"))
        .collect()
}

/// What the workers share.
struct Board {
    queue: Mutex<Queue>,
    /// Signalled whenever a request finishes, freeing a host slot.
    changed: Condvar,
    per_host: usize,
    /// The host of each request, by index; `None` for URLs that will fail
    /// at once and so need no limit.
    hosts: Vec<Option<String>>,
}

struct Queue {
    /// Indexes of requests not yet started, in order.
    waiting: VecDeque<usize>,
    in_flight: HashMap<String, usize>,
}

fn work(client: &Client, requests: &[Request], board: &Board) -> Vec<(usize, Outcome)> {
    let mut done = Vec::new();
    while let Some(index) = take_next(board) {
        let outcome = fetch_one(client, &requests[index]);
        done.push((index, outcome));
        if let Some(host) = &board.hosts[index] {
            let mut queue = board.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(count) = queue.in_flight.get_mut(host) {
                *count = count.saturating_sub(1);
            }
        }
        board.changed.notify_all();
    }
    done
}

/// The first waiting request whose host has a free slot, waiting for one
/// to free up if need be; `None` once nothing is left to start.
fn take_next(board: &Board) -> Option<usize> {
    let mut queue = board.queue.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if queue.waiting.is_empty() {
            return None;
        }
        // A linear scan: the queue is a few thousand feeds at most, and a
        // scan keeps the order of the list for hosts that are free.
        let free = queue
            .waiting
            .iter()
            .position(|&index| match &board.hosts[index] {
                Some(host) => queue.in_flight.get(host).copied().unwrap_or(0) < board.per_host,
                None => true,
            });
        if let Some(position) = free {
            let index = queue.waiting.remove(position)?;
            if let Some(host) = &board.hosts[index] {
                *queue.in_flight.entry(host.clone()).or_insert(0) += 1;
            }
            return Some(index);
        }
        queue = board
            .changed
            .wait(queue)
            .unwrap_or_else(PoisonError::into_inner);
    }
}
