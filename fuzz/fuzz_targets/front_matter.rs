//! Note files: split and parse the front matter, read it as lore reads a
//! vault note, write it as lore writes one, and read that back. What lore
//! writes it must read back to the same front matter and body, and writing
//! that again must give the same bytes (ownership is decided by a hash of
//! the bytes lore wrote).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore::ingest::markdown::split;
use lore::ingest::text::clean_line;
use lore::notes::frontmatter::{read, render_note};

fuzz_target!(|text: &str| {
    lore_fuzz::init();
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
    let mut expected = front.clone();
    // Known finding (regressions/README.md, title-entities-decoded-on-read):
    // `frontmatter::read` runs the title through `text::clean_line`, which
    // decodes entities and drops tags, so a title holding `&lt;` or `&amp;`
    // reads back changed. Tolerated here, so the run looks further.
    if again.title != front.title && again.title == clean_line(&front.title) {
        expected.title = again.title.clone();
    }
    // Known finding (regressions/README.md, empty-heading-title): an empty
    // `# ` heading gives the title "", written as `title: ""`, which reads
    // as no title at all (the note is then named after its file).
    // Tolerated for the same reason.
    if front.title.is_empty() {
        expected.title = again.title.clone();
    }
    assert_eq!(
        again, expected,
        "front matter changed on the round trip through:\n{written}"
    );
    assert_eq!(
        reparsed.body,
        format!("{}\n", parsed.body.trim_end()),
        "body changed on the round trip through:\n{written}"
    );
    assert_eq!(
        render_note(&again, reparsed.body),
        render_note(&expected, parsed.body),
        "writing the note again gives other bytes"
    );
});
