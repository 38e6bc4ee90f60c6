//! Folders users bring: an Obsidian vault, Jekyll, Hugo and Zola content.
//! Each keeps what its tool means: names, links, dates, taxonomies.

use crate::util::*;

#[test]
fn an_obsidian_vault_keeps_its_names_links_tags_and_properties() {
    let kb = Kb::new();
    kb.write("vault/.obsidian/app.json", "{}");
    kb.write(
        "vault/Project Alpha.md",
        "---\nstatus: active\ncreated: 2024-03-01\ncssclasses:\n  - wide\n---\n\
         See [[Meeting Notes|the meeting]] and [[Über Ideas]]. Tagged #project/alpha, not #42.\n\n\
         > [!note] A callout\n> stays as it is\n\n```js\n// #notatag\n```\n",
    );
    kb.write(
        "vault/Projects/Meeting Notes.md",
        "Met about [[Project Alpha]].\n",
    );
    kb.write(
        "vault/Über Ideas.md",
        "---\ntags: [ideas]\n---\nBack to [[project alpha]].\n",
    );
    kb.write("config.toml", "[[sources]]\npath = \"vault\"\n");
    let stderr = kb.lore_ok(&["build"]);
    assert!(!stderr.contains("points nowhere"), "{stderr}");

    // Names stay, so Obsidian resolves every [[link]] in content/ as before.
    let alpha = kb.read("content/Project Alpha.md");
    assert!(kb.path("content/Meeting Notes.md").is_file());
    assert!(kb.path("content/Über Ideas.md").is_file());
    assert!(alpha.contains("See [[Meeting Notes|the meeting]] and [[Über Ideas]]."));
    assert!(alpha.contains("> [!note] A callout\n> stays as it is"));
    let notes = kb.notes();
    let (_, front, _) = notes
        .iter()
        .find(|(file, _, _)| file == "Project Alpha.md")
        .unwrap();
    // Properties lore does not know survive with their types.
    assert_eq!(text_field(front, "status"), "active");
    assert_eq!(list_field(front, "cssclasses"), ["wide"]);
    assert!(alpha.contains("\ncreated: 2024-03-01\n"), "{alpha}");
    // The note's date comes from `created`; inline tags join the tags.
    assert_eq!(front["date"].as_str(), Some("2024-03-01T00:00:00"));
    assert_eq!(list_field(front, "tags"), ["project/alpha"]);

    // On the site, the wikilinks are links to the pages.
    let page = kb.read("public/notes/project-alpha.html");
    assert!(
        page.contains("href=\"../notes/meeting-notes.html\">the meeting</a>"),
        "{page}"
    );
    assert!(page.contains("href=\"../notes/uber-ideas.html\""));
    assert!(
        kb.read("public/notes/uber-ideas.html")
            .contains("href=\"../notes/project-alpha.html\"")
    );
}

#[test]
fn static_site_folders_keep_slugs_dates_and_taxonomies() {
    let kb = Kb::new();
    kb.write(
        "site/_posts/2023-01-05-hello-world.md",
        "---\nlayout: post\ntitle: \"Hello: World\"\ncategories: [intro, meta]\n---\nFirst post.\n",
    );
    kb.write(
        "site/content/posts/my-trip/index.md",
        "+++\ntitle = \"My trip\"\nlastmod = 2022-08-09T10:00:00Z\ndraft = false\n+++\nMountains.\n",
    );
    kb.write(
        "site/content/zola.md",
        "+++\ntitle = \"Zola page\"\ndate = 2021-02-03\nslug = \"zola-way\"\n[taxonomies]\ntags = [\"rust\", \"ssg\"]\n+++\nText.\n",
    );
    kb.write(
        "site/notes/undated.md",
        "---\ntitle: No date here\n---\nNothing to go on.\n",
    );
    kb.write("config.toml", "[[sources]]\npath = \"site\"\n");
    let stderr = kb.lore_ok(&["build"]);
    assert!(stderr.contains("1 undated"), "{stderr}");

    let notes = kb.notes();
    let by_file = |name: &str| {
        notes
            .iter()
            .find(|(file, _, _)| file == name)
            .map(|(_, front, _)| front)
            .unwrap_or_else(|| {
                panic!(
                    "no {name} in {:?}",
                    notes.iter().map(|n| &n.0).collect::<Vec<_>>()
                )
            })
    };
    let jekyll = by_file("hello-world.md");
    assert_eq!(jekyll["date"].as_str(), Some("2023-01-05T00:00:00"));
    assert_eq!(list_field(jekyll, "tags"), ["intro", "meta"]);
    assert_eq!(list_field(jekyll, "aliases"), ["Hello: World"]);
    assert_eq!(text_field(jekyll, "layout"), "post");
    let hugo = by_file("my-trip.md");
    assert_eq!(hugo["date"].as_str(), Some("2022-08-09T10:00:00"));
    assert_eq!(hugo["draft"].as_bool(), Some(false));
    let zola = by_file("zola-way.md");
    assert_eq!(list_field(zola, "tags"), ["rust", "ssg"]);
    assert_eq!(zola["date"].as_str(), Some("2021-02-03T00:00:00"));
    let undated = by_file("undated.md");
    assert!(undated["date"].is_null(), "no date is invented");
}

#[test]
fn an_opml_list_imports_every_feed_it_names() {
    let kb = Kb::new();
    kb.copy_fixture("traps/jekyll-rss.txt", "lists/feeds/gradient.xml");
    kb.copy_fixture("traps/forem-rss.txt", "lists/forem.xml");
    let remote_feed = "<rss version=\"2.0\"><channel><title>Far</title><item><title>From afar</title>\
                       <link>https://far.example/1</link><description>far words</description></item>\
                       </channel></rss>";
    let server = crate::server::TestServer::start([(
        "/remote.xml",
        crate::server::Behaviour::page(remote_feed, "application/rss+xml"),
    )]);
    kb.write(
        "lists/subscriptions.opml",
        &format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>Mine</title></head><body>\
             <outline text=\"Data\"><outline text=\"Gradient Notes\" type=\"rss\" xmlUrl=\"feeds/gradient.xml\"/>\
             <outline text=\"Forem\" xmlUrl=\"forem.xml\"/></outline>\
             <outline text=\"Remote\" xmlUrl=\"{}\"/></body></opml>",
            server.url("/remote.xml")
        ),
    );
    kb.write(
        "config.toml",
        "[[sources]]\npath = \"lists/subscriptions.opml\"\n",
    );
    let out = kb.lore(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let notes = kb.notes();
    assert_eq!(notes.len(), 4, "two items, one and one, from three feeds");
    let sources: Vec<&str> = notes
        .iter()
        .map(|(_, f, _)| text_field(f, "source"))
        .collect();
    assert!(sources.contains(&"Gradient Notes"), "{sources:?}");
    assert!(sources.contains(&"Forem"), "{sources:?}");
    assert!(sources.contains(&"Remote"), "{sources:?}");
}
