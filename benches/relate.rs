//! The relate stage alone: time and memory to relate every note of a
//! folder of markdown notes (the corpus of ../shared/bench/gen_corpus.py).
//!
//!     bench/relate.sh 10000 100000      (generates the corpora, then runs this)
//!     cargo bench --bench relate -- DIR [DIR ...]
//!
//! Prints, per folder: notes, read time, relate time (median of 3 runs),
//! the resident memory holding the notes and the peak while relating
//! (Linux), so the difference is what relating costs on top of the notes.

use std::path::Path;
use std::time::Instant;

/// The allocator the `lore` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A line of /proc/self/status in MiB: `VmHWM` (peak) or `VmRSS` (now).
fn status_mib(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Starts a new peak from the current size (Linux 4.0+), so the peak
/// measured next is that of relating, not of reading the files.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn read_notes(dir: &Path) -> Vec<lore::notes::OnDisk> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            let path = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .into_owned();
            Some(lore::notes::read_file(
                lore::notes::VaultFile { path, text },
                false,
            ))
        })
        .collect()
}

fn main() {
    let dirs: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if dirs.is_empty() {
        eprintln!("usage: cargo bench --bench relate -- DIR [DIR ...] (or bench/relate.sh)");
        return;
    }
    let config = lore::config::Config::default();
    for dir in dirs {
        let clock = Instant::now();
        let vault = lore::pipeline::read_vault(read_notes(Path::new(&dir)), &Default::default());
        let read = clock.elapsed().as_secs_f64();
        let before = status_mib("VmRSS:").unwrap_or(0.0);
        reset_peak();
        let mut times: Vec<f64> = (0..3)
            .map(|_| {
                let clock = Instant::now();
                let lists = lore::pipeline::relate_all(&vault, &config, None);
                std::hint::black_box(lists);
                clock.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let after = status_mib("VmHWM:").unwrap_or(0.0);
        println!(
            "{dir}: {} notes, read {read:.2} s, relate {:.2} s (median of 3, {} threads), \
             memory {before:.0} MiB holding the notes, peak {after:.0} MiB while relating ({:+.0} MiB)",
            vault.len(),
            times[1],
            rayon::current_num_threads(),
            (after - before).max(0.0)
        );
        serve_rebuilds(vault, &config);
    }
}

/// The relate stage of `lore serve`'s rebuilds: a memo filled by a first
/// run, then one note edited (three times, a new word each time) and one
/// note added. Each list must equal a full run's, bit for bit.
fn serve_rebuilds(mut vault: Vec<lore::model::Note>, config: &lore::config::Config) {
    let mut memo = lore::relate::Memo::default();
    let clock = Instant::now();
    lore::pipeline::relate_all(&vault, config, Some(&mut memo));
    let first = clock.elapsed().as_secs_f64();
    let mut rebuild = |vault: &[lore::model::Note]| {
        let clock = Instant::now();
        let lists = lore::pipeline::relate_all(vault, config, Some(&mut memo));
        let time = clock.elapsed().as_secs_f64();
        let full = lore::pipeline::relate_all(vault, config, None);
        let bits = |l: &[Vec<(u32, f32)>]| -> Vec<Vec<(u32, u32)>> {
            l.iter()
                .map(|l| l.iter().map(|&(j, s)| (j, s.to_bits())).collect())
                .collect()
        };
        assert!(
            bits(&lists) == bits(&full),
            "a rebuild's lists differ from a full run's"
        );
        time
    };
    let mut edits: Vec<f64> = (0..3)
        .map(|i| {
            if let Some(note) = vault.first_mut() {
                note.body = format!("{}\n\nAn edited paragraph, edit{i}word.\n", note.body).into();
            }
            rebuild(&vault)
        })
        .collect();
    edits.sort_by(f64::total_cmp);
    let Some(mut added) = vault.first().cloned() else {
        return;
    };
    added.front.title = "A new note".into();
    added.path = "zz-new-note.md".into();
    vault.push(added);
    let add = rebuild(&vault);
    println!(
        "  lore serve: first relate {first:.3} s, then relate {:.3} s after an edit \
         (median of 3), {add:.3} s after a new note",
        edits[1]
    );
}
