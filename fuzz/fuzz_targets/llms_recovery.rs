//! The llms.txt / llms-full.txt reader, reached through `ingest` (the module
//! is private). The first byte picks a prefix so that most inputs are read
//! as a dump: none, a line-by-line dump, or a collapsed one-line dump (every
//! newline turned into a space), whose structure the reader must recover.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore::ingest::{SourceFile, SourceOptions, ingest};

const LINES: &str = "# Site\n> A summary.\n\n## Posts\n- [First](https://example.test/first): one\n\n# Full Blog Content\n\n## First\nURL: https://example.test/first\nDate: 2024-07-01T09:00:00\n\n";
const COLLAPSED: &str = "# Site > A summary. ## Posts - [First](https://example.test/first): one # Full Blog Content ## First URL: https://example.test/first Date: 2024-07-01T09:00:00 ";

fuzz_target!(|data: &[u8]| {
    lore_fuzz::init();
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let prefix = match selector % 3 {
        0 => "",
        1 => LINES,
        _ => COLLAPSED,
    };
    let input = format!("{prefix}{text}");
    let file = SourceFile {
        origin: "fuzz",
        bytes: input.as_bytes(),
    };
    let ingested = ingest(&file, &SourceOptions::default());
    lore_fuzz::assert_items_are_sane(&ingested);
});
