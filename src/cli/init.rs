//! `lore init`: a new knowledge base with a commented config.toml, an empty
//! `content/`, one example feed and a GitHub Pages workflow, ready for
//! `lore build` and for publishing.

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
language = "en"           # <html lang>, and the stemmer search uses
# A folder under themes/ whose files override the built-in theme.
theme = "default"
content_dir = "content"   # the Obsidian vault: one note per item
output_dir = "public"     # the site
paginate_by = 100         # notes per page of the home, tag, author and source lists (0: one page)
feed_entries = 30         # notes in the site's feeds (atom.xml, rss.xml, feed.json)
term_feed_entries = 10    # notes in the feeds of each tag, author and source

[related]
max = 5             # related notes per note (0 turns it off)
title_weight = 3.0  # a title word counts this many body words
tag_weight = 1.0    # weight of a shared tag (rarer tags count more)
author_weight = 0.5 # weight of a shared author

[search]            # how much a word counts in each field of a note (BM25F)
title = 3.0
aliases = 3.0
tags = 2.0
authors = 2.0
headings = 1.5
body = 1.0

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

/// The GitHub Pages workflow: on every push, every morning (feeds move) and
/// by hand, install lore, build with the address Pages gives the
/// repository, deploy with the official Pages actions.
const PAGES_WORKFLOW: &str = r#"# Publishes this knowledge base on GitHub Pages (written by `lore init`).
# Turn it on once: Settings > Pages > Build and deployment > Source:
# "GitHub Actions". Every push, every morning (to pull new posts) and a
# click on "Run workflow" then rebuild and deploy the site.
name: Publish on GitHub Pages

on:
  push:
    branches: [main, master]
  schedule:
    - cron: "17 5 * * *"
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

env:
  # Where cargo installs lore from (a git repository of lore's source).
  LORE_GIT: "__LORE_GIT__"
  LORE_VERSION: __LORE_VERSION__

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: pages
        uses: actions/configure-pages@v5
      - uses: actions/cache@v4
        with:
          path: |
            ~/.cargo/bin/lore
            .lore/cache
            .lore/fetch.json
          key: lore-${{ env.LORE_VERSION }}-${{ github.run_id }}
          restore-keys: lore-${{ env.LORE_VERSION }}-
      - name: Install lore
        run: |
          if command -v lore; then exit 0; fi
          if [ -z "$LORE_GIT" ]; then
            echo "::error file=.github/workflows/pages.yml::set LORE_GIT to the git repository of lore's source"
            exit 1
          fi
          cargo install --locked --git "$LORE_GIT" lore
      - name: Build the site
        # The address Pages serves this repository at (a custom domain set
        # in Settings > Pages included). Exit code 2 means a feed could not
        # be read: the rest of the site is still built and published.
        env:
          BASE_URL: ${{ steps.pages.outputs.base_url }}
        run: lore build --base-url "$BASE_URL/" --output _site || [ $? -eq 2 ]
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#;

/// Where lore's source lives, for the workflow to install it from: the
/// `repository` of lore's Cargo.toml (empty until the project names one).
const LORE_GIT: &str = env!("CARGO_PKG_REPOSITORY");

/// The workflow with this lore's source and version filled in.
pub fn pages_workflow() -> String {
    PAGES_WORKFLOW
        .replace("__LORE_GIT__", LORE_GIT)
        .replace("__LORE_VERSION__", env!("CARGO_PKG_VERSION"))
}

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
    let workflow = dir.join(".github/workflows/pages.yml");
    if workflow.exists() {
        say!("lore: {} exists; left as it is", workflow.display());
    } else {
        fs::write_if_changed(&workflow, pages_workflow().as_bytes())?;
        if LORE_GIT.is_empty() {
            say!(
                "lore: set LORE_GIT in {} to the git repository lore is installed from",
                workflow.display()
            );
        }
    }
    std::fs::create_dir_all(dir.join("content"))
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.join("content").display()))?;
    say!(
        "lore: created a knowledge base in {}; run `lore build` there",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
