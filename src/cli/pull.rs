//! Fetching at the edge: `lore pull`, and the first step of `lore build`
//! unless `--offline`. Every source with a URL is fetched in parallel with
//! conditional GET; what arrives is kept in `.lore/cache/feeds/` so that an
//! offline build, or a 304, still has the feed to read. Validators, times,
//! item counts and errors go to `.lore/fetch.json`. With `--assets` (or
//! `assets = "local"`) the images notes use are downloaded into
//! `content/assets/` and the notes point at the copies.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::{add, fs};
use crate::config::{Config, FetchSettings};
use crate::fetch::state::FetchState;
use crate::fetch::{self, Client, FetchConfig, Outcome, Request, assets, discover};
use crate::model::{Diagnostic, Item};

/// Where fetched feeds are kept, next to config.toml.
const FEED_CACHE: &str = ".lore/cache/feeds";
/// Where downloaded images go, inside the content folder.
pub const ASSETS_DIR: &str = "assets";
/// Images downloaded at once: bounds the memory a pull holds.
const ASSET_BATCH: usize = 32;

/// The HTTP client `[fetch]` describes, for feeds or for images.
pub fn client(settings: &FetchSettings, max_mb: u64) -> Client {
    Client::new(FetchConfig {
        max_connections: settings.connections,
        per_host: settings.per_host,
        connect_timeout: Duration::from_secs(settings.connect_timeout),
        total_timeout: Duration::from_secs(settings.timeout),
        max_bytes: max_mb.saturating_mul(1_000_000),
        retries: settings.retries,
        ..FetchConfig::default()
    })
}

/// The cached copy of a fetched feed.
pub fn cache_path(root: &Path, url: &str) -> PathBuf {
    let key = blake3::hash(url.as_bytes()).to_hex();
    root.join(FEED_CACHE).join(&key[..16])
}

/// Fetches `urls`, keeps what changed in the cache and records every
/// outcome in `state`. Returns the permanent moves: (old, new).
pub fn fetch_feeds(
    root: &Path,
    config: &Config,
    urls: &[String],
    state: &mut FetchState,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<(String, String)>> {
    let client = client(&config.fetch, config.fetch.max_size_mb);
    let requests: Vec<Request> = urls
        .iter()
        .map(|url| {
            let record = state.sources.get(url);
            // Validators only help when the body they validate is cached.
            let cached = cache_path(root, url).is_file();
            Request {
                url: url.clone(),
                etag: record.and_then(|r| r.etag.clone()).filter(|_| cached),
                last_modified: record
                    .and_then(|r| r.last_modified.clone())
                    .filter(|_| cached),
            }
        })
        .collect();
    let outcomes = fetch::fetch_all(&client, &requests);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut moves = Vec::new();
    for (url, outcome) in urls.iter().zip(outcomes) {
        let record = state.record(url);
        record.last_attempt = Some(now.clone());
        match outcome {
            Outcome::Fetched(response) if discover::looks_like_html(&response.bytes) => {
                let feeds = discover::feed_links(&response.bytes, &response.final_url);
                let hint = match feeds.first() {
                    Some(feed) => format!("its feed is {feed}; run `lore add {feed}`"),
                    None => "and names no feed".to_string(),
                };
                let message = format!("this is a web page, not a feed, {hint}");
                record.failed(message.clone());
                diagnostics.push(Diagnostic::error(url, None, message));
            }
            Outcome::Fetched(response) => {
                fs::write_if_changed(&cache_path(root, url), &response.bytes)?;
                record.etag = response.etag;
                record.last_modified = response.last_modified;
                record.succeeded("fetched", &now);
                record.moved_to = response.moved_permanently.clone();
                if let Some(new) = response.moved_permanently {
                    moves.push((url.clone(), new));
                }
            }
            Outcome::NotModified => record.succeeded("not modified", &now),
            Outcome::Failed(error) => {
                record.failed(error.to_string());
                let kept = if cache_path(root, url).is_file() {
                    "; the copy from the last fetch is used"
                } else {
                    ""
                };
                diagnostics.push(Diagnostic::error(url, None, format!("{error}{kept}")));
            }
        }
    }
    Ok(moves)
}

/// Points config.toml at the new address of feeds that moved permanently,
/// editing only those lines.
pub fn follow_moves(
    config_path: &Path,
    moves: &[(String, String)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<()> {
    if moves.is_empty() {
        return Ok(());
    }
    let Some(text) = fs::read_optional(config_path)? else {
        return Ok(());
    };
    let (updated, changed) = add::replace_urls(&text, moves)?;
    for ((old, new), in_config) in moves.iter().zip(changed) {
        let message = if in_config {
            format!("moved permanently to {new}; config.toml now says so")
        } else {
            format!("moved permanently to {new}; update the list that names it")
        };
        diagnostics.push(Diagnostic::warning(old, None, message));
    }
    fs::write_if_changed(config_path, updated.as_bytes())?;
    Ok(())
}

/// Downloads the images the items use into `content/assets/` (each once,
/// named by a hash of its bytes) and points the items at the local copies.
/// An image that fails keeps its remote link and is reported.
pub fn localise_images(
    items: &mut [Item],
    content_dir: &Path,
    config: &Config,
    state: &mut FetchState,
    download: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<usize> {
    // Images downloaded before whose files are still there.
    let mut local: HashMap<String, String> = state
        .assets
        .iter()
        .filter(|(_, file)| content_dir.join(ASSETS_DIR).join(file).is_file())
        .map(|(url, file)| (url.clone(), format!("{ASSETS_DIR}/{file}")))
        .collect();
    let mut downloaded = 0;
    if download {
        // Each new image once, with the title of the first item using it.
        let mut users: HashMap<String, String> = HashMap::new();
        let mut wanted: Vec<String> = Vec::new();
        for item in items.iter() {
            for url in assets::image_urls(&item.body) {
                if !local.contains_key(&url) && !users.contains_key(&url) {
                    users.insert(url.clone(), item.title.clone());
                    wanted.push(url);
                }
            }
        }
        let client = client(&config.fetch, config.fetch.asset_max_size_mb);
        for batch in wanted.chunks(ASSET_BATCH) {
            for (url, result) in batch.iter().zip(assets::download_images(&client, batch)) {
                match result {
                    Ok(asset) => {
                        let path = content_dir.join(ASSETS_DIR).join(&asset.file_name);
                        fs::write_if_changed(&path, &asset.bytes)?;
                        local.insert(url.clone(), format!("{ASSETS_DIR}/{}", asset.file_name));
                        state.assets.insert(url.clone(), asset.file_name);
                        downloaded += 1;
                    }
                    Err(error) => diagnostics.push(Diagnostic::warning(
                        url,
                        users.get(url).cloned(),
                        format!("image not downloaded ({error}); the note keeps the remote link"),
                    )),
                }
            }
        }
    }
    for item in items.iter_mut() {
        if item.body.contains("![") {
            item.body = assets::rewrite_images(&item.body, &local);
        }
    }
    Ok(downloaded)
}
