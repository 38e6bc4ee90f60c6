//! lore turns feeds into an Obsidian vault and a searchable static site.
//!
//! ```text
//!  sources ──ingest──▶ items ──notes──▶ vault ──relate──▶ vault + related
//!                                                  │
//!                                   render (+search)▼
//!                                  public/ (pages, indexes, feeds, search)
//! ```
//!
//! Stages are functions over plain data, declared here in pipeline order.
//! Only `cli` touches the file system and only `fetch` the network; both are
//! edges around `pipeline`, which wires the stages.

pub mod config;
pub mod model;

pub mod ingest;
pub mod notes;
pub mod relate;
pub mod render;
pub mod search;

pub mod pipeline;

pub mod fetch;

pub mod cli;
