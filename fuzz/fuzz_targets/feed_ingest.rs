//! Any bytes as a source file: format sniffing, encodings, feed-rs, llms.txt,
//! markdown with front matter and OPML, and the HTML conversion feeds use.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore::ingest::{SourceFile, SourceOptions, ingest};

fuzz_target!(|bytes: &[u8]| {
    lore_fuzz::init();
    let file = SourceFile {
        origin: "fuzz",
        bytes,
    };
    let ingested = ingest(&file, &SourceOptions::default());
    lore_fuzz::assert_items_are_sane(&ingested);
});
