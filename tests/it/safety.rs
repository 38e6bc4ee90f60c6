//! lore never loses a user's file: it overwrites or deletes only files it
//! can prove it wrote, a run stopped at any moment leaves every note with
//! its owner, one run at a time holds a knowledge base, only configured
//! sources are read, and nothing that can run script is published.

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use crate::util::*;

/// A feed of `n` items whose bodies say `version`.
fn feed(n: usize, version: &str) -> String {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>Post number {i}</title><link>https://example.test/p/{i}</link>\
                 <guid>https://example.test/p/{i}</guid>\
                 <description>Body of post {i}, {version}.</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Many</title>\
         <link>https://example.test/</link>{items}</channel></rss>"
    )
}

/// A knowledge base whose config lists one feed.
fn kb_with_feed(n: usize, version: &str) -> Kb {
    let kb = Kb::new();
    kb.write(
        "config.toml",
        "title = \"Safety\"\n[[sources]]\npath = \"feed.xml\"\n",
    );
    kb.write("feed.xml", &feed(n, version));
    kb
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_users_files_in_the_output_folder_survive_every_build() {
    let kb = kb_with_feed(3, "v1");
    kb.lore_ok(&["build", "--offline", "-o", "docs"]);
    let mine = [
        ("docs/about.html", "<p>my page</p>"),
        ("docs/custom.js", "console.log('mine')"),
        ("docs/style.css", "body{}"),
        ("docs/feed.xml", "<rss/>"),
        ("docs/notes/mine.html", "mine too"),
    ];
    for (path, text) in mine {
        kb.write(path, text);
    }
    kb.lore_ok(&["build", "--offline", "-o", "docs"]);
    kb.lore_ok(&["build", "--offline", "-o", "docs"]);
    for (path, text) in mine {
        assert_eq!(kb.read(path), text, "{path} was changed or removed");
    }
    assert!(kb.path("docs/index.html").is_file());
}

#[test]
fn a_file_lore_did_not_write_is_never_overwritten() {
    let kb = kb_with_feed(2, "v1");
    kb.write("public/index.html", "<h1>my own home page</h1>");
    let out = kb.lore(&["build", "--offline"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("index.html") && stderr(&out).contains("not written by lore"),
        "{}",
        stderr(&out)
    );
    assert_eq!(kb.read("public/index.html"), "<h1>my own home page</h1>");
    assert!(kb.path("public/notes").is_dir(), "the rest is built");

    // A page lore wrote and a person edited afterwards is theirs too.
    let page = "public/notes/post-number-0.html";
    let edited = kb.read(page).replace("Body of post", "My words on post");
    kb.write(page, &edited);
    kb.write("feed.xml", &feed(2, "v2"));
    kb.lore(&["build", "--offline"]);
    assert_eq!(kb.read(page), edited);

    // Also when lore's version has not changed: an unchanged page is not
    // read again only while its size and time are those lore left.
    let page = "public/notes/post-number-1.html";
    let edited = kb.read(page).replace("Body of post", "Mine");
    kb.write(page, &edited);
    let out = kb.lore(&["build", "--offline"]);
    assert!(
        stderr(&out).contains("post-number-1.html"),
        "{}",
        stderr(&out)
    );
    assert_eq!(kb.read(page), edited);
}

#[test]
fn pages_lore_no_longer_needs_are_removed_unless_edited() {
    let kb = kb_with_feed(3, "v1");
    kb.lore_ok(&["build", "--offline"]);
    let (page0, page1) = (
        "public/notes/post-number-0.html",
        "public/notes/post-number-1.html",
    );
    assert!(kb.path(page0).is_file() && kb.path(page1).is_file());
    kb.write(page1, "edited by hand");
    std::fs::remove_file(kb.path("content/post-number-0.md")).unwrap();
    std::fs::remove_file(kb.path("content/post-number-1.md")).unwrap();
    kb.lore_ok(&["build", "--offline"]);
    assert!(
        !kb.path(page0).exists(),
        "a stale page lore wrote is removed"
    );
    assert_eq!(kb.read(page1), "edited by hand");
}

#[test]
fn the_knowledge_base_itself_is_never_an_output_folder() {
    let kb = kb_with_feed(2, "v1");
    kb.write(
        "config.toml",
        "output_dir = \".\"\n[[sources]]\npath = \"feed.xml\"\n",
    );
    let out = kb.lore(&["build", "--offline"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("refusing to write"),
        "{}",
        stderr(&out)
    );
    assert!(kb.path("feed.xml").is_file());
    assert!(!kb.path("index.html").exists());

    let kb = kb_with_feed(2, "v1");
    for output in [
        "content",
        "content/site",
        ".lore",
        "..",
        "public/../content",
    ] {
        let out = kb.lore(&["build", "--offline", "-o", output]);
        assert_eq!(out.status.code(), Some(1), "-o {output} was accepted");
        assert!(
            stderr(&out).contains("refusing to write"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!kb.path("content/index.html").exists());
}

#[test]
fn vault_export_never_overwrites_a_users_file() {
    let kb = kb_with_feed(2, "v1");
    let out = tempfile::tempdir().unwrap();
    let mine = out.path().join("post-number-0.md");
    std::fs::write(&mine, "my own note with the same name").unwrap();
    let target = out.path().to_str().unwrap();
    let result = kb.lore(&["vault", "--offline", "--out", target]);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(stderr(&result).contains("post-number-0.md"));
    assert_eq!(
        std::fs::read_to_string(&mine).unwrap(),
        "my own note with the same name"
    );
    assert!(out.path().join("post-number-1.md").is_file());

    // What lore exported it keeps up to date.
    kb.write("feed.xml", &feed(2, "v2"));
    kb.lore(&["vault", "--offline", "--out", target]);
    let exported = std::fs::read_to_string(out.path().join("post-number-1.md")).unwrap();
    assert!(exported.contains("v2"), "{exported}");

    let into_content = kb.lore(&["vault", "--offline", "--out", "content/export"]);
    assert_eq!(into_content.status.code(), Some(1));
}

/// Every note on disk says `version` (none stayed behind its source), and
/// no conflict was set aside.
fn assert_all_notes_follow(kb: &Kb, n: usize, version: &str) {
    let notes = kb.notes();
    assert_eq!(notes.len(), n);
    let behind: Vec<&String> = notes
        .iter()
        .filter(|(_, _, body)| !body.contains(version))
        .map(|(name, _, _)| name)
        .collect();
    assert!(
        behind.is_empty(),
        "{} notes stayed behind their source, e.g. {:?}",
        behind.len(),
        behind.first()
    );
    assert!(
        !kb.path(".lore/conflicts").exists(),
        "spurious conflicts were set aside"
    );
}

/// How many files ending in `ext` in `folder` were written since `since`.
fn written_since(kb: &Kb, folder: &str, ext: &str, since: SystemTime) -> usize {
    std::fs::read_dir(kb.path(folder))
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with(ext))
                .filter(|e| {
                    e.metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t >= since)
                })
                .count()
        })
        .unwrap_or(0)
}

/// Starts `lore args` and kills it (SIGKILL) as soon as it has written
/// `notes` notes, in the middle of writing the rest.
fn kill_while_writing(kb: &Kb, args: &[&str], notes: usize) {
    kill_after(kb, args, ("content", ".md"), notes);
}

/// Starts `lore args` and kills it (SIGKILL) once `count` files ending in
/// the extension are written in the folder.
fn kill_after(kb: &Kb, args: &[&str], (folder, ext): (&str, &str), count: usize) {
    let since = SystemTime::now() - Duration::from_millis(20);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("lore"))
        .current_dir(kb.dir.path())
        .args(args)
        .stderr(Stdio::null())
        .spawn()
        .expect("running lore");
    while child.try_wait().unwrap().is_none() {
        if written_since(kb, folder, ext, since) >= count {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.wait();
}

#[test]
fn a_run_killed_at_any_moment_leaves_every_note_with_its_owner() {
    const N: usize = 3000;
    let kb = kb_with_feed(N, "first version");
    let import = ["import", "feed.xml", "-q"];
    // Killed while writing new notes, then while rewriting them after the
    // source changed; each run resumes what the last one left.
    kill_while_writing(&kb, &import, 1);
    kill_while_writing(&kb, &import, N / 3);
    kb.write("feed.xml", &feed(N, "second version"));
    kill_while_writing(&kb, &import, N / 2);
    kill_while_writing(&kb, &import, 10);
    kb.lore_ok(&["import", "feed.xml"]);
    assert_all_notes_follow(&kb, N, "second version");
    kb.write("feed.xml", &feed(N, "third version"));
    let stderr = kb.lore_ok(&["import", "feed.xml"]);
    assert!(!stderr.contains("changed upstream"), "{stderr}");
    assert_all_notes_follow(&kb, N, "third version");
    let leftovers = walkdir::WalkDir::new(kb.path("content"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".lore-"))
        .count();
    assert_eq!(leftovers, 0, "temporary files of killed runs remain");
}

#[test]
fn a_build_killed_while_writing_the_site_leaves_every_page_lores() {
    const N: usize = 3000;
    let kb = kb_with_feed(N, "first version");
    kb.lore_ok(&["build", "-q"]);
    kb.write("public/notes/my-own.html", "<p>mine</p>");
    // Every page changes, and each build is stopped while it writes them.
    kb.write("feed.xml", &feed(N, "second version"));
    let build = ["build", "-q", "--restore"];
    kill_after(&kb, &build, ("public/notes", ".html"), 1);
    kill_after(&kb, &build, ("public/notes", ".html"), N / 3);
    kb.write("feed.xml", &feed(N, "third version"));
    kill_after(&kb, &build, ("public/notes", ".html"), N / 2);
    let stderr = kb.lore_ok(&["build"]);
    assert!(!stderr.contains("not written by lore"), "{stderr}");
    for i in [0, N / 2, N - 1] {
        let page = kb.read(&format!("public/notes/post-number-{i}.html"));
        assert!(page.contains("third version"), "post {i} stayed behind");
    }
    assert_eq!(kb.read("public/notes/my-own.html"), "<p>mine</p>");
    assert!(!kb.path("public/.lore-ledger.journal").exists());
}

#[test]
fn a_lost_state_file_does_not_disown_notes() {
    let kb = kb_with_feed(20, "v1");
    kb.lore_ok(&["import", "feed.xml"]);
    std::fs::remove_file(kb.path(".lore/state.json")).unwrap();
    kb.lore_ok(&["import", "feed.xml"]);
    kb.write("feed.xml", &feed(20, "v2"));
    kb.lore_ok(&["import", "feed.xml"]);
    assert_all_notes_follow(&kb, 20, "v2");

    std::fs::write(kb.path(".lore/state.json"), "{ corrupt").unwrap();
    let stderr = kb.lore_ok(&["import", "feed.xml"]);
    assert!(stderr.contains("state.json"), "{stderr}");
    kb.write("feed.xml", &feed(20, "v3"));
    kb.lore_ok(&["import", "feed.xml"]);
    assert_all_notes_follow(&kb, 20, "v3");

    // Lost while the source changed: the notes cannot be told from edits,
    // so they stay; --restore takes them back and keeps what was there.
    std::fs::remove_file(kb.path(".lore/state.json")).unwrap();
    kb.write("feed.xml", &feed(20, "v4"));
    kb.lore_ok(&["import", "feed.xml"]);
    assert!(kb.notes().iter().all(|(_, _, body)| body.contains("v3")));
    let stderr = kb.lore_ok(&["import", "feed.xml", "--restore"]);
    assert!(stderr.contains(".lore/kept"), "{stderr}");
    assert_all_notes_follow(&kb, 20, "v4");
    assert!(kb.read(".lore/kept/post-number-7.md").contains("v3"));
}

#[test]
fn one_run_at_a_time_per_knowledge_base() {
    let kb = kb_with_feed(2, "v1");
    std::fs::create_dir_all(kb.path(".lore")).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(kb.path(".lore/lock"))
        .unwrap();
    lock.try_lock().expect("the test takes the lock");
    let out = kb.lore(&["build", "--offline"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("another lore is running"),
        "{}",
        stderr(&out)
    );
    assert!(!kb.path("content").exists(), "nothing was written");
    drop(lock);
    kb.lore_ok(&["build", "--offline"]);
}

#[test]
fn two_imports_at_once_lose_nothing() {
    let kb = Kb::new();
    kb.write("a.xml", &feed(1500, "from a").replace("/p/", "/a/"));
    kb.write("b.xml", &feed(1500, "from b").replace("/p/", "/b/"));
    let start = |file: &str| {
        Command::new(assert_cmd::cargo::cargo_bin!("lore"))
            .current_dir(kb.dir.path())
            .args(["import", file, "-q"])
            .stderr(Stdio::piped())
            .spawn()
            .expect("running lore")
    };
    // The second import starts while the first is writing its notes.
    let since = SystemTime::now() - Duration::from_millis(20);
    let a = start("a.xml");
    while written_since(&kb, "content", ".md", since) == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let b = start("b.xml");
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(
        b.status.success() || stderr(&b).contains("another lore is running"),
        "{}",
        stderr(&b)
    );
    // Whatever ran, ran whole: import both, then change both feeds.
    kb.lore_ok(&["import", "a.xml", "b.xml"]);
    kb.write("a.xml", &feed(1500, "a again").replace("/p/", "/a/"));
    kb.write("b.xml", &feed(1500, "b again").replace("/p/", "/b/"));
    kb.lore_ok(&["import", "a.xml", "b.xml"]);
    let notes = kb.notes();
    assert_eq!(notes.len(), 3000);
    let stale = notes
        .iter()
        .filter(|(_, _, body)| !body.contains("again"))
        .count();
    assert_eq!(stale, 0, "notes stopped following their source");
}

#[test]
fn leftover_temporary_files_are_removed() {
    let kb = kb_with_feed(2, "v1");
    kb.lore_ok(&["build", "--offline"]);
    kb.write("content/.lore-Ab12Cd", "");
    kb.write("content/sub/.lore-xyz789", "half a note");
    kb.write("public/notes/.lore-QQ11zz", "");
    kb.write("content/.lore-notes-of-mine", "a person's file");
    kb.lore_ok(&["build", "--offline"]);
    assert!(!kb.path("content/.lore-Ab12Cd").exists());
    assert!(!kb.path("content/sub/.lore-xyz789").exists());
    assert!(!kb.path("public/notes/.lore-QQ11zz").exists());
    assert!(kb.path("content/.lore-notes-of-mine").exists());
}

#[test]
fn a_subscription_list_reads_only_web_feeds_and_feeds_beside_it() {
    let kb = Kb::new();
    kb.write("secret.txt", "my private words");
    kb.write("lists/notes.md", "---\ntitle: Private\n---\nnot a feed");
    kb.write("lists/feed.xml", &feed(2, "listed"));
    let secret = kb.path("secret.txt");
    kb.write(
        "lists/subs.opml",
        &format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>\
             <outline text=\"ok\" xmlUrl=\"feed.xml\"/>\
             <outline text=\"abs\" xmlUrl=\"file://{}\"/>\
             <outline text=\"plain\" xmlUrl=\"{}\"/>\
             <outline text=\"up\" xmlUrl=\"../secret.txt\"/>\
             <outline text=\"passwd\" xmlUrl=\"file:///etc/passwd\"/>\
             <outline text=\"md\" xmlUrl=\"notes.md\"/>\
             </body></opml>",
            secret.display(),
            secret.display()
        ),
    );
    let out = kb.lore(&["import", "lists/subs.opml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let notes = kb.notes();
    assert_eq!(
        notes.len(),
        2,
        "{:?}",
        notes.iter().map(|n| &n.0).collect::<Vec<_>>()
    );
    for (_, _, body) in &notes {
        assert!(body.contains("listed"));
    }
    for refused in ["../secret.txt", "/etc/passwd", "notes.md"] {
        assert!(err.contains(refused) && err.contains("subs.opml"), "{err}");
    }
}

#[test]
fn an_svg_that_can_run_script_is_not_published() {
    let kb = kb_with_feed(1, "v1");
    kb.write(
        "content/assets/evil.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>",
    );
    kb.write(
        "content/assets/fine.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"4\" height=\"4\"/></svg>",
    );
    let out = kb.lore(&["build", "--offline"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("evil.svg") && stderr(&out).contains("<script>"),
        "{}",
        stderr(&out)
    );
    assert!(!kb.path("public/assets/evil.svg").exists());
    assert!(kb.path("public/assets/fine.svg").is_file());
}

#[test]
fn a_closed_stderr_does_not_crash_a_run() {
    let kb = kb_with_feed(2, "v1");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("lore"))
        .current_dir(kb.dir.path())
        .args(["build", "--offline", "--timings"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both ends closed before lore writes anything: `lore build 2>&1 | true`.
    drop(child.stderr.take());
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(kb.path("public/index.html").is_file());
}

#[test]
fn a_write_cut_short_leaves_no_cut_page() {
    let kb = kb_with_feed(3, &"some words to read ".repeat(120));
    kb.lore_ok(&["build", "--offline"]);
    // A new title changes every page; the notes stay as they are. The run
    // may write no file over 4 KiB: the first bigger page kills it
    // (SIGXFSZ), as a full disk or a kill would stop it mid-write.
    kb.write(
        "config.toml",
        "title = \"Renamed\"\n[[sources]]\npath = \"feed.xml\"\n",
    );
    let status = Command::new("prlimit")
        .arg("--fsize=4096")
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin!("lore"))
        .args(["build", "--offline", "-q"])
        .current_dir(kb.dir.path())
        .stderr(Stdio::null())
        .status()
        .expect("prlimit (util-linux) runs lore");
    assert!(!status.success(), "the limit stopped the run");
    for page in html_files(&kb.path("public")) {
        let html = kb.read(&format!("public/{}", page.display()));
        assert!(
            html.trim_end().ends_with("</html>"),
            "{} was cut",
            page.display()
        );
    }
    kb.lore_ok(&["build", "--offline"]);
    assert!(kb.read("public/index.html").contains("Renamed"));
}

#[test]
fn a_site_folder_from_an_older_lore_gets_a_way_out() {
    let kb = kb_with_feed(2, "v1");
    kb.write("public/index.html", "<p>an older lore's page</p>");
    kb.write(
        "public/.lore-site",
        "written by lore; files here are rebuilt on every build\n",
    );
    let out = kb.lore(&["build", "--offline"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("older lore"), "{}", stderr(&out));
    assert_eq!(kb.read("public/index.html"), "<p>an older lore's page</p>");
    std::fs::remove_dir_all(kb.path("public")).unwrap();
    kb.lore_ok(&["build", "--offline"]);
    assert!(!kb.path("public/.lore-site").exists());
}
