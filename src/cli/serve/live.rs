//! The channel from `lore serve` to the open tabs: server-sent events (one
//! long response per tab, plain HTTP, reconnected by the browser on its
//! own) and the script that listens to them. The script is added to pages
//! as they are served; it is never part of what `lore build` writes.

use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};

/// Where served pages load the script from, and where it listens.
pub const SCRIPT_PATH: &str = "/__lore/live.js";
pub const EVENTS_PATH: &str = "/__lore/events";

/// The script itself (see `live.js` beside this file).
pub const SCRIPT: &str = include_str!("live.js");

/// What the tabs are told after a build.
#[derive(Debug, Clone)]
pub enum Message {
    /// The site was rebuilt; these files (site-relative) changed.
    Built(Vec<String>),
    /// These pages were written before the rest of a build (a saved
    /// note's own page, or every page once made, before the search index):
    /// the build's own event follows.
    Early(Vec<String>),
    /// The build failed, or input had errors: shown over the page.
    Problems(Vec<String>),
}

impl Message {
    /// The message as one server-sent event.
    pub fn event(&self) -> String {
        let (name, data) = match self {
            Message::Built(changed) => ("built", serde_json::json!({ "changed": changed })),
            Message::Early(changed) => (
                "built",
                serde_json::json!({ "changed": changed, "early": true }),
            ),
            Message::Problems(problems) => {
                ("problems", serde_json::json!({ "problems": problems }))
            }
        };
        format!("event: {name}\ndata: {data}\n\n")
    }
}

/// Every tab listening, and the problems of the last build, which a tab
/// opened later is told at once.
#[derive(Default)]
pub struct Hub {
    tabs: Mutex<Vec<Sender<String>>>,
    problems: Mutex<Option<Message>>,
}

impl Hub {
    /// A new tab's queue of events.
    pub fn listen(&self) -> Receiver<String> {
        let (send, receive) = mpsc::channel();
        if let Some(problems) = lock(&self.problems).as_ref() {
            let _ = send.send(problems.event());
        }
        lock(&self.tabs).push(send);
        receive
    }

    /// Tells every tab; tabs that went away are forgotten.
    pub fn send(&self, message: Message) {
        match &message {
            Message::Problems(_) => *lock(&self.problems) = Some(message.clone()),
            Message::Built(_) => *lock(&self.problems) = None,
            // Whether the problems are gone, the rebuild says.
            Message::Early(_) => {}
        }
        let event = message.event();
        lock(&self.tabs).retain(|tab| tab.send(event.clone()).is_ok());
    }
}

/// A poisoned lock only means a thread panicked while holding it: a tab's
/// (the list is fine) or the one telling the tabs.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `page` with the live script added before `</body>` (or at the end).
pub fn inject(page: &[u8], base_path: &str) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{SCRIPT_PATH}\" data-base=\"{}\"></script>",
        crate::render::highlight::escape(base_path)
    );
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + tag.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let page = inject(b"<html><body><p>x</p></BODY></html>", "/kb/");
        let page = String::from_utf8(page).unwrap();
        assert_eq!(
            page,
            "<html><body><p>x</p><script src=\"/__lore/live.js\" data-base=\"/kb/\"></script></BODY></html>"
        );
    }

    #[test]
    fn a_tab_opened_after_a_failed_build_is_told_at_once() {
        let hub = Hub::default();
        hub.send(Message::Problems(vec!["themes/x/note.html:3: oops".into()]));
        let tab = hub.listen();
        assert!(tab.try_recv().unwrap().contains("note.html:3"));
        hub.send(Message::Built(vec!["a.html".into()]));
        assert!(tab.try_recv().unwrap().starts_with("event: built"));
        assert!(
            hub.listen().try_recv().is_err(),
            "fixed problems are not repeated"
        );
    }
}
