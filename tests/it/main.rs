//! lore's integration tests: one test binary that runs the real `lore`
//! binary on fixtures in temporary folders and reads what it wrote.

mod server;
mod util;

mod browser;
mod build;
mod check;
mod cli;
mod fetch;
mod graph;
mod hostile;
mod links;
mod lists;
mod notes_syntax;
mod peers;
mod publish;
mod pull;
mod related;
mod safety;
mod search;
mod seeds;
mod serve;
mod sources;
mod themes;
mod tidy;
mod vault;
