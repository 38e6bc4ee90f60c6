//! lore's integration tests: one test binary that runs the real `lore`
//! binary on fixtures in temporary folders and reads what it wrote.

mod util;

mod browser;
mod build;
mod cli;
mod hostile;
mod peers;
mod seeds;
mod sources;
mod themes;
mod tidy;
mod vault;
