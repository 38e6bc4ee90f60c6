//! Hostile HTML to markdown: the output must hold no HTML, no script
//! scheme and no handler outside code, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|html: &str| {
    lore_fuzz::init();
    let markdown = lore::ingest::html::html_to_markdown(html, Some("https://example.test/"));
    lore_fuzz::assert_converted_html_is_safe(&markdown);
});
