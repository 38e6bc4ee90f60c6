//! `lore init`: a new knowledge base with a commented config.toml, an empty
//! `content/` and one example feed, ready for `lore build`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::fs;

const CONFIG: &str = r#"# lore configuration. Every key is optional; these are the defaults
# unless noted. Paths are relative to this file.

title = "My knowledge base"
description = "Notes gathered from the feeds I follow"
# author = "Jane Doe"   # the site's author: feeds name them for notes that name none
# Absolute URL the site is published at, for what must be absolute: the
# sitemap, feed ids, canonical links. Every link between pages is relative,
# so the site also works from disk and under a GitHub Pages subpath.
# base_url = "https://me.github.io/my-kb/"
language = "en"
# A folder under themes/ whose files override the built-in theme.
theme = "default"
content_dir = "content"   # the Obsidian vault: one note per item
output_dir = "public"     # the site
recent = 30               # notes on the home page
feed_entries = 30         # notes in the site's feeds (atom.xml, rss.xml, feed.json)
term_feed_entries = 10    # notes in the feeds of each tag, author and source

[related]
max = 5             # related notes per note (0 turns it off)
title_weight = 3.0  # a title word counts this many body words
tag_weight = 1.0    # weight of a shared tag (rarer tags count more)
author_weight = 0.5 # weight of a shared author

[fetch]                 # how sources with a `url` are fetched
connections = 8         # requests in flight at once
per_host = 2            # requests in flight at once to one server
timeout = 30            # seconds for a whole response
connect_timeout = 10    # seconds to connect
max_size_mb = 20        # largest feed accepted
retries = 2             # retries of connection errors, 5xx and 429 (not timeouts)
assets = "remote"       # "local": download the images notes use into content/assets/
asset_max_size_mb = 10  # largest image downloaded

# One [[sources]] per feed file, llms.txt dump, markdown folder or OPML list
# (`path`), or per feed on the web (`url`; `lore add URL` writes one).
# The format is read from the content, whatever the file is called.
[[sources]]
path = "sources/example.xml"
# name = "Example"          # overrides the feed's title as `source`
# author = "Jane Doe"       # for items that name no author
# tags = ["example"]        # added to every note from this source
"#;

const EXAMPLE_FEED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Example feed</title>
    <link>https://example.org/</link>
    <description>Posts by Jane Doe</description>
    <item>
      <title>Welcome to lore</title>
      <link>https://example.org/welcome</link>
      <guid>https://example.org/welcome</guid>
      <pubDate>Mon, 06 Jan 2025 09:00:00 +0000</pubDate>
      <category>lore</category>
      <description>&lt;p&gt;Each item of a feed becomes a &lt;strong&gt;note&lt;/strong&gt; in content/. Replace this source with your own feeds in config.toml.&lt;/p&gt;</description>
    </item>
  </channel>
</rss>
"#;

pub fn run(dir: &Path) -> Result<ExitCode> {
    let config = dir.join("config.toml");
    if config.exists() {
        bail!(
            "{} already exists; lore init never overwrites a knowledge base",
            config.display()
        );
    }
    fs::write_if_changed(&config, CONFIG.as_bytes())?;
    fs::write_if_changed(&dir.join("sources/example.xml"), EXAMPLE_FEED.as_bytes())?;
    std::fs::create_dir_all(dir.join("content"))
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.join("content").display()))?;
    say!(
        "lore: created a knowledge base in {}; run `lore build` there",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
