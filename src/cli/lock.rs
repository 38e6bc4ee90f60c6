//! One run at a time per knowledge base: every command that writes notes,
//! state or the site holds an exclusive lock on `.lore/lock` for as long
//! as it runs. The operating system releases it when the process ends,
//! however it ends (Ctrl-C, kill, crash), so a stale lock never blocks.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

/// Where the lock lives, beside `state.json`.
pub const LOCK_FILE: &str = ".lore/lock";

/// Held for the whole run; dropping it releases the lock.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the knowledge base's lock, or says who holds it.
pub fn acquire(root: &Path) -> Result<Lock> {
    let path = root.join(LOCK_FILE);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            // Best effort: the holder wrote its process id when it took the lock.
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() {
                String::new()
            } else {
                format!(" (process {holder})")
            };
            bail!(
                "another lore is running in this knowledge base{who}; wait for it to finish \
                 (the lock is {})",
                path.display()
            );
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("locking {}", path.display()));
        }
    }
    // Who holds it, for the message a second run prints.
    let _ = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    Ok(Lock { _file: file })
}
