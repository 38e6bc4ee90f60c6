//! Note files: split and parse the front matter, read it as lore reads a
//! vault note, write it as lore writes one, and read that back. lore must
//! read what it writes, and reading and writing again must give the same
//! bytes: ownership is decided by a hash of the bytes lore wrote, so a note
//! whose bytes drift is taken for a person's edit (or written again on
//! every run).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore::ingest::markdown::split;
use lore::notes::frontmatter::{read, render_note};

fuzz_target!(|text: &str| {
    let Ok(parsed) = split(text) else {
        return;
    };
    let front = read(&parsed.fields, "fuzz", parsed.body);
    let written = render_note(&front, parsed.body);
    let reparsed = match split(&written) {
        Ok(reparsed) => reparsed,
        Err(e) => panic!("lore cannot read the note it wrote: {e}\n{written}"),
    };
    let again = read(&reparsed.fields, "fuzz", reparsed.body);
    let rewritten = render_note(&again, reparsed.body);
    assert_eq!(
        rewritten, written,
        "reading and writing the note again changed its bytes"
    );
});
