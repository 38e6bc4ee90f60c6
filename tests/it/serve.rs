//! `lore serve`: the site over HTTP as a static host serves it, rebuilt on
//! every change with the open tabs told, errors shown where the author
//! looks, and the site on disk exactly what `lore build` writes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::util::*;

/// A `lore serve` running in a knowledge base, on a port the system chose.
struct Serving {
    child: Child,
    port: u16,
    stderr: Receiver<String>,
}

impl Serving {
    fn start(kb: &Kb, args: &[&str]) -> Serving {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lore"))
            .current_dir(kb.dir.path())
            .args(["serve", "--port", "0"])
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("starting lore serve");
        let (send, stderr) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let mut serving = Serving {
            child,
            port: 0,
            stderr,
        };
        let line = serving.wait_for_line("serving");
        let port = line
            .rsplit_once("127.0.0.1:")
            .and_then(|(_, rest)| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        serving.port = port;
        serving
    }

    fn wait_for_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("lore serve never said {needle:?}");
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_string(), body.to_string())
    }

    /// The events the open tabs receive, as they come.
    fn events(&self) -> Receiver<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            stream,
            "GET /__lore/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
        let (send, events) = mpsc::channel();
        std::thread::spawn(move || {
            let mut event = String::new();
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if line.is_empty() {
                    if event.starts_with("event:") && send.send(event.clone()).is_err() {
                        return;
                    }
                    event.clear();
                } else {
                    event.push_str(&line);
                    event.push('\n');
                }
            }
        });
        // The stream is open once the server has answered the first bytes.
        std::thread::sleep(Duration::from_millis(300));
        events
    }

    /// Stops it as Ctrl-C does; returns what it printed last and its exit.
    fn interrupt(mut self) -> (bool, String) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill");
        let status = self.child.wait().expect("wait");
        let rest: Vec<String> = self.stderr.try_iter().collect();
        (status.success(), rest.join("\n"))
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn next_event(events: &Receiver<String>, kind: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(event) if event.starts_with(&format!("event: {kind}")) => return event,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no {kind} event came");
}

/// The events of the next rebuild, up to its own: those of pages written
/// before its end (a saved note's page, then every page once made, before
/// the search index), and its own last.
fn next_rebuild(events: &Receiver<String>) -> String {
    let mut all = String::new();
    loop {
        let built = next_event(events, "built");
        all.push_str(&built);
        if !built.contains("\"early\":true") {
            return all;
        }
    }
}

fn small_kb() -> Kb {
    let kb = Kb::new();
    kb.write("config.toml", "title = \"Served\"\n");
    kb.write(
        "content/alpha.md",
        "---\ntitle: Alpha\ntags: [greek]\n---\nFirst words about [[Beta]].\n",
    );
    kb.write(
        "content/beta.md",
        "---\ntitle: Beta\ntags: [greek]\n---\nSecond words.\n",
    );
    kb
}

/// `small_kb` served, and a tab's events from the start.
fn serving_small_kb() -> (Kb, Serving, Receiver<String>) {
    let kb = small_kb();
    let serving = Serving::start(&kb, &[]);
    let events = serving.events();
    (kb, serving, events)
}

#[test]
fn a_saved_note_is_rebuilt_and_its_open_page_told_to_reload() {
    let kb = small_kb();
    let serving = Serving::start(&kb, &[]);
    let (status, head, page) = serving.get("/notes/alpha.html");
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html")
    );
    assert!(page.contains("First words") && page.contains("/__lore/live.js"));
    assert!(
        !kb.read("public/notes/alpha.html").contains("__lore"),
        "the reload hook is added when serving, never written into the site"
    );
    let (status, _, script) = serving.get("/__lore/live.js");
    assert!(status == 200 && script.contains("EventSource"));

    let events = serving.events();
    kb.write(
        "content/alpha.md",
        "---\ntitle: Alpha\ntags: [greek]\n---\nRewritten words about [[Beta]].\n",
    );
    let built = next_event(&events, "built");
    assert!(built.contains("notes/alpha.html"), "{built}");
    assert!(
        !built.contains("notes/beta.html\""),
        "a page that did not change is not reloaded: {built}"
    );
    assert!(
        kb.read("public/notes/alpha.html")
            .contains("Rewritten words")
    );
    assert!(
        serving
            .get("/notes/alpha.html")
            .2
            .contains("Rewritten words")
    );
}

#[test]
fn a_saved_notes_page_is_written_before_the_rebuild_which_then_leaves_it_as_it_is() {
    let (kb, serving, events) = serving_small_kb();
    kb.write(
        "content/alpha.md",
        "---\ntitle: Alpha\ntags: [greek]\n---\nFirst words about [[Beta]], and more.\n",
    );
    let first = next_event(&events, "built");
    assert!(
        first.contains("\"early\":true") && first.contains("\"changed\":[\"notes/alpha.html\"]"),
        "the saved note's page comes first, alone: {first}"
    );
    assert!(kb.read("public/notes/alpha.html").contains("and more."));
    let rebuilt = next_rebuild(&events);
    assert!(
        !rebuilt.contains("notes/alpha.html"),
        "the rebuild made the same page, so the tab reloads once: {rebuilt}"
    );
    serving.wait_for_line("written first");

    // A page a person put in lore's place is theirs, first or not.
    kb.write("public/notes/beta.html", "my own page");
    kb.write(
        "content/beta.md",
        "---\ntitle: Beta\ntags: [greek]\n---\nSecond words, edited.\n",
    );
    next_rebuild(&events);
    assert_eq!(kb.read("public/notes/beta.html"), "my own page");
}

#[test]
fn a_rebuilds_pages_are_announced_before_its_search_index_is_made() {
    let (kb, serving, events) = serving_small_kb();
    kb.write(
        "content/gamma.md",
        "---\ntitle: Gamma\ntags: [greek]\n---\nThird words.\n",
    );
    let pages = next_event(&events, "built");
    assert!(
        pages.contains("\"early\":true")
            && pages.contains("notes/gamma.html")
            && pages.contains("tags/greek"),
        "the new note's page and its tag's list come first: {pages}"
    );
    assert!(!pages.contains("search/"), "{pages}");
    let rest = next_event(&events, "built");
    assert!(
        !rest.contains("\"early\"") && rest.contains("search/"),
        "the search index follows: {rest}"
    );
    assert!(
        !rest.contains("notes/gamma.html"),
        "a tab is told to reload once: {rest}"
    );
    serving.wait_for_line("page(s) on disk");
}

#[test]
fn a_stylesheet_change_is_announced_alone_so_tabs_restyle_without_reloading() {
    let kb = small_kb();
    kb.write("config.toml", "title = \"Served\"\ntheme = \"mine\"\n");
    kb.write("themes/mine/static/extra.css", "p { color: red }\n");
    let serving = Serving::start(&kb, &[]);
    let events = serving.events();
    kb.write("themes/mine/static/extra.css", "p { color: blue }\n");
    let built = next_event(&events, "built");
    assert!(
        built.contains("[\"static/extra.css\"]"),
        "only the stylesheet changed: {built}"
    );
}

#[test]
fn a_broken_template_is_shown_with_its_file_and_line_and_the_last_good_site_stays() {
    let kb = small_kb();
    kb.write("config.toml", "title = \"Served\"\ntheme = \"mine\"\n");
    kb.write(
        "themes/mine/templates/note.html",
        "<!doctype html><title>{{ note.title }}</title>\n<p>{{ note.content|safe }}</p>\n",
    );
    let serving = Serving::start(&kb, &[]);
    let events = serving.events();
    kb.write(
        "themes/mine/templates/note.html",
        "<!doctype html><title>{{ note.title }}</title>\n<p>{% if %}</p>\n",
    );
    let problems = next_event(&events, "problems");
    assert!(
        problems.contains("themes/mine/templates/note.html") && problems.contains("note.html:2"),
        "{problems}"
    );
    assert!(
        serving.get("/notes/alpha.html").2.contains("First words"),
        "the last good page is still served"
    );
    // A tab opened now is told too, and fixing the template clears it.
    let late = serving.events();
    assert!(next_event(&late, "problems").contains("note.html"));
    kb.write(
        "themes/mine/templates/note.html",
        "<!doctype html><title>{{ note.title }}</title>\n<main>{{ note.content|safe }}</main>\n",
    );
    next_event(&events, "built");
    assert!(kb.read("public/notes/alpha.html").contains("<main>"));
}

#[test]
fn a_project_site_is_previewed_under_its_path_with_the_sites_own_404() {
    let kb = small_kb();
    let serving = Serving::start(&kb, &["--base-path", "/my-kb/"]);
    let (status, head, _) = serving.get("/");
    assert_eq!(status, 302);
    assert!(head.contains("/my-kb/"), "{head}");
    let (status, _, home) = serving.get("/my-kb/");
    assert!(status == 200 && home.contains("Alpha"), "{status} {home}");
    let (status, head, _) = serving.get("/my-kb/tags");
    assert!(status == 302 && head.contains("/my-kb/tags/"), "{head}");
    let (status, _, missing) = serving.get("/my-kb/no/such/page.html");
    assert_eq!(status, 404);
    assert_eq!(
        missing,
        serving.get("/my-kb/404.html").2,
        "a missing page gets the site's 404 page"
    );
    assert_eq!(serving.get("/my-kb/../config.toml").0, 400);
    assert_eq!(
        serving.get("/notes/alpha.html").0,
        404,
        "outside the base path"
    );
}

#[test]
fn a_port_in_use_is_a_clear_error_that_suggests_another() {
    let kb = small_kb();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = kb.lore(&["serve", "--port", &port]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("port {port}")) && stderr.contains("in use"),
        "{stderr}"
    );
    assert!(stderr.contains("--port "), "{stderr}");
}

#[test]
fn after_edits_additions_deletions_and_renames_the_site_is_what_a_full_build_writes() {
    let (kb, serving, events) = serving_small_kb();
    let steps: [&dyn Fn(); 6] = [
        &|| {
            kb.write(
                "content/alpha.md",
                "---\ntitle: Alpha\ntags: [greek, letters]\n---\nNew body, see [[Gamma]] and \
                 ![[chart.png]].\n",
            )
        },
        &|| {
            kb.write(
                "content/gamma.md",
                "---\ntitle: Gamma\ntags: [letters]\n---\nThird, after [[Alpha]].\n",
            )
        },
        &|| std::fs::remove_file(kb.path("content/beta.md")).unwrap(),
        &|| std::fs::rename(kb.path("content/gamma.md"), kb.path("content/delta.md")).unwrap(),
        &|| {
            kb.write(
                "content/delta.md",
                "---\ntitle: Delta\ntags: [renamed]\n---\nFourth, after [[Alpha]].\n",
            )
        },
        // The picture a note already shows arrives.
        &|| kb.write("content/chart.png", "\u{89}PNG\r\n\u{1a}\nnot really"),
    ];
    for step in steps {
        step();
        next_rebuild(&events);
    }
    // A folder of notes moved in (one event names the folder, not its
    // notes), renamed, a note in it edited, and the folder removed.
    kb.write(
        "elsewhere/letters/epsilon.md",
        "---\ntitle: Epsilon\ntags: [letters]\n---\nFifth, after [[Alpha]].\n",
    );
    std::fs::rename(kb.path("elsewhere/letters"), kb.path("content/letters")).unwrap();
    next_rebuild(&events);
    assert!(
        kb.read("public/notes/epsilon.html")
            .contains("Fifth, after")
    );
    std::fs::rename(kb.path("content/letters"), kb.path("content/greek")).unwrap();
    next_rebuild(&events);
    kb.write(
        "content/greek/epsilon.md",
        "---\ntitle: Epsilon\ntags: [greek]\n---\nFifth, see [[Delta]].\n",
    );
    next_rebuild(&events);
    assert!(kb.read("public/notes/epsilon.html").contains("Fifth, see"));
    std::fs::remove_dir_all(kb.path("content/greek")).unwrap();
    next_rebuild(&events);
    let (stopped, said) = serving.interrupt();
    assert!(stopped, "Ctrl-C stops it cleanly: {said}");
    assert!(said.contains("stopped"), "{said}");

    assert_site_is_a_full_builds(&kb);
    assert!(
        kb.path("public/notes/delta.html").exists() && !kb.path("public/notes/beta.html").exists()
    );
    assert!(!kb.path("public/notes/epsilon.html").exists());
}

#[test]
fn a_new_undated_note_leaves_the_list_pages_before_it_as_they_were() {
    let kb = Kb::new();
    kb.write("config.toml", "title = \"Served\"\npaginate_by = 2\n");
    for day in 1..=7 {
        kb.write(
            &format!("content/n{day}.md"),
            &format!("---\ntitle: Note {day}\ndate: 2024-01-0{day}\n---\nWords {day}.\n"),
        );
    }
    let serving = Serving::start(&kb, &[]);
    let events = serving.events();
    let page_two = kb.read("public/page/2.html");
    // Undated, it goes last: the home page and the archive say how many
    // notes there are, the pages between do not change.
    kb.write("content/undated.md", "---\ntitle: Undated\n---\nNo date.\n");
    let built = next_rebuild(&events);
    assert!(built.contains("notes/undated.html"), "{built}");
    assert!(kb.read("public/page/2.html") == page_two, "page 2 changed");
    assert!(!built.contains("page/2.html"), "{built}");
    assert!(
        kb.read("public/index.html")
            .contains("<strong>8</strong> notes")
    );
    assert!(kb.read("public/archive/index.html").contains("8 notes"));
}

/// The site in `public/` is byte for byte what `lore build` writes anew
/// (the ledger aside).
fn assert_site_is_a_full_builds(kb: &Kb) {
    kb.lore_ok(&["build", "--offline", "-o", "fresh"]);
    let files = |dir: &str| -> std::collections::BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(kb.path(dir))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| e.file_name() != ".lore-ledger.json")
            .map(|e| {
                let rel = e.path().strip_prefix(kb.path(dir)).unwrap();
                (rel.display().to_string(), std::fs::read(e.path()).unwrap())
            })
            .collect()
    };
    let served = files("public");
    let fresh = files("fresh");
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &served {
        assert!(bytes == &fresh[path], "{path} differs from a full build");
    }
}

#[test]
fn after_edits_a_new_note_and_a_deletion_related_notes_are_what_a_full_build_finds() {
    let kb = Kb::new();
    kb.write("config.toml", "title = \"Served\"\n");
    let note = |name: &str, title: &str, body: &str| {
        kb.write(
            &format!("content/{name}.md"),
            &format!("---\ntitle: {title}\n---\n{body}\n"),
        )
    };
    note(
        "sail-trim",
        "Trimming sails upwind",
        "Trim the mainsail and jib when sailing upwind: the sheet, traveller and boom vang \
         shape each sail. A tight leech points higher; an eased sheet sails faster.",
    );
    note(
        "sail-reef",
        "Reefing the mainsail",
        "Reef the mainsail early when the wind builds: ease the sheet and vang, lower the \
         halyard, hook the reef cringle, then trim the sail again for upwind sailing.",
    );
    note(
        "bread-starter",
        "Sourdough starter care",
        "Feed the sourdough starter flour and water daily; a ripe starter doubles, smells \
         sour and leavens the dough. Keep the starter warm so the bread rises well.",
    );
    note(
        "bread-shape",
        "Shaping sourdough loaves",
        "Shape the dough after bulk fermentation: a tight skin helps the loaf rise in the \
         oven. Sourdough bread needs a ripe starter and a long, warm proof.",
    );
    note(
        "rust-borrow",
        "Borrow checker basics",
        "The borrow checker rejects a mutable borrow while a shared borrow lives; lifetimes \
         tell the compiler how long each reference stays valid in Rust code.",
    );
    note(
        "rust-lifetimes",
        "Lifetimes in Rust structs",
        "A struct holding a reference needs a lifetime parameter, so the compiler and the \
         borrow checker know the reference outlives the struct in Rust.",
    );
    let serving = Serving::start(&kb, &[]);
    let events = serving.events();
    let steps: [&dyn Fn(); 3] = [
        // A loaf goes sailing: its related notes change, and theirs.
        &|| {
            note(
                "bread-shape",
                "Shaping sourdough loaves",
                "Shape the mainsail like a loaf: ease the sheet, trim the jib, reef early \
                 and sail upwind when the wind builds over the boom vang.",
            )
        },
        &|| {
            note(
                "rust-async",
                "Async Rust and the borrow checker",
                "An async block borrows like a closure: the borrow checker and lifetimes \
                 decide how long each reference lives across an await in Rust code.",
            )
        },
        &|| std::fs::remove_file(kb.path("content/sail-trim.md")).unwrap(),
    ];
    for step in steps {
        step();
        next_rebuild(&events);
    }
    let (stopped, said) = serving.interrupt();
    assert!(stopped, "Ctrl-C stops it cleanly: {said}");
    assert_site_is_a_full_builds(&kb);
    let page = kb.read("public/notes/rust-borrow.html");
    let related = page.split("Related notes").nth(1).unwrap_or_default();
    assert!(related.contains("rust-async.html"), "{page}");
    let page = kb.read("public/notes/sail-reef.html");
    let related = page.split("Related notes").nth(1).unwrap_or_default();
    assert!(related.contains("bread-shape.html"), "{page}");
}

#[test]
fn a_broken_note_is_shown_by_name_and_the_rest_of_the_site_is_rebuilt() {
    let (kb, _serving, events) = serving_small_kb();
    kb.write("content/alpha.md", "---\ntitle: [unclosed\n---\nBody.\n");
    kb.write(
        "content/beta.md",
        "---\ntitle: Beta\ntags: [greek]\n---\nChanged words.\n",
    );
    let problems = next_event(&events, "problems");
    assert!(
        problems.contains("alpha.md") && problems.contains("line 2"),
        "the file and the line of the file: {problems}"
    );
    assert!(kb.read("public/notes/beta.html").contains("Changed words"));
}

#[test]
fn an_editor_saving_in_a_burst_causes_one_rebuild() {
    let (kb, _serving, events) = serving_small_kb();
    // What vim does on :w — a probe file, a backup by rename, the new
    // file, the backup removed — and a swap file written meanwhile.
    kb.write("content/4913", "");
    std::fs::remove_file(kb.path("content/4913")).unwrap();
    std::fs::rename(kb.path("content/alpha.md"), kb.path("content/alpha.md~")).unwrap();
    kb.write("content/.alpha.md.swp", "swap");
    kb.write(
        "content/alpha.md",
        "---\ntitle: Alpha\ntags: [greek]\n---\nSaved by an editor.\n",
    );
    std::fs::remove_file(kb.path("content/alpha.md~")).unwrap();
    next_rebuild(&events);
    assert!(
        kb.read("public/notes/alpha.html")
            .contains("Saved by an editor")
    );
    std::thread::sleep(Duration::from_millis(1500));
    let more: Vec<String> = events.try_iter().collect();
    assert!(more.is_empty(), "one save, one rebuild: {more:?}");
    // The same bytes saved again (an editor's late second write, a save
    // without changes) are already built.
    kb.write(
        "content/alpha.md",
        "---\ntitle: Alpha\ntags: [greek]\n---\nSaved by an editor.\n",
    );
    std::thread::sleep(Duration::from_millis(1500));
    let more: Vec<String> = events.try_iter().collect();
    assert!(
        more.is_empty(),
        "nothing changed, nothing rebuilt: {more:?}"
    );
}

#[test]
fn a_changed_feed_is_imported_once_and_the_notes_lore_writes_start_no_rebuild() {
    let kb = small_kb();
    kb.copy_fixture("traps/jekyll-rss.txt", "feeds/blog.txt");
    kb.write(
        "config.toml",
        "title = \"Served\"\n[[sources]]\npath = \"feeds/blog.txt\"\n",
    );
    let serving = Serving::start(&kb, &[]);
    let events = serving.events();
    let feed = kb.read("feeds/blog.txt");
    let first_title = feed
        .split("<title>")
        .nth(2)
        .and_then(|t| t.split("</title>").next())
        .expect("an item title")
        .to_string();
    kb.write(
        "feeds/blog.txt",
        &feed.replacen(&first_title, "A title changed upstream", 1),
    );
    let built = next_rebuild(&events);
    assert!(built.contains(".html"), "{built}");
    std::thread::sleep(Duration::from_millis(1500));
    let more: Vec<String> = events.try_iter().collect();
    assert!(more.is_empty(), "lore's own note writes caused {more:?}");

    // The notes lore wrote are read as written: one edited by a person
    // afterwards is built from the edit, as a full build would.
    let written = std::fs::read_dir(kb.path("content"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("A title changed upstream")))
        .expect("the note lore wrote");
    let text = std::fs::read_to_string(&written).unwrap();
    std::fs::write(&written, format!("{text}\nA line a person added.\n")).unwrap();
    next_rebuild(&events);
    let (stopped, said) = serving.interrupt();
    assert!(stopped, "{said}");
    assert_site_is_a_full_builds(&kb);
}
