//! What a note page shows of the syntax people write in Obsidian: heading
//! and block links that land, folder links that resolve, a table of
//! contents, callouts, math, highlights, comments, Mermaid diagrams and
//! highlighted code with a copy button; and a feed's note, whose Obsidian
//! syntax ingest made inert, showing none of it.

use crate::util::*;

/// A small vault of a person's own notes, in folders.
fn vault() -> Kb {
    let kb = Kb::new();
    kb.write(
        "content/Projects/Deep/Plan.md",
        "---\ntitle: Plan\n---\n## Goals\n\nShip it. ^goal-1\n\n## Steps & Risks\n\n- one\n- two ^step-2\n\n### Sub step\n\nText.\n",
    );
    kb.write(
        "content/Other.md",
        "---\ntitle: Other\n---\nShort note.\n\n## Only heading\n",
    );
    kb.write(
        "content/Home.md",
        "---\ntitle: Home\n---\n\
         Links: [[Projects/Deep/Plan]], [[Deep/Plan#Goals]], [[Plan.md#Steps & Risks|risks]], \
         [[Plan#^goal-1]], [[Plan#^step-2]], [[#Math]], [md](Projects/Deep/Plan.md#sub-step), \
         [mail](mailto:kit@example.org).\n\n\
         | note | why |\n|---|---|\n| [[Other\\|the other]] | table |\n\n\
         > [!warning] Mind the gap\n> Body **text**.\n\n\
         > [!faq]- Folded\n> Hidden.\n\n\
         > [!NOTE]\n> A GitHub alert.\n\n\
         > A plain quote.\n\n\
         ## Math\n\nInline $a^2+b^2$ and ==marked== words %%secret note%% here, \\=\\=not marked\\=\\=.\n\n\
         $$\n\\frac{1}{2}\n$$\n\n\
         %%\nA hidden block\n%%\n\n\
         ## Diagram\n\n```mermaid\ngraph TD; A-->B;\n```\n\n\
         ## Code\n\n```shell\necho \"hi\" | grep h\n```\n",
    );
    kb
}

#[test]
fn every_link_obsidian_resolves_lands_on_its_heading_or_block() {
    let kb = vault();
    let out = kb.lore(&["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    kb.lore_ok(&["build"]);
    let home = kb.read("public/notes/home.html");
    for href in [
        "../notes/plan.html\"",
        "../notes/plan.html#goals\"",
        "../notes/plan.html#steps-risks\"",
        "../notes/plan.html#%5Egoal-1\"",
        "../notes/plan.html#%5Estep-2\"",
        "\"#math\"",
        "../notes/plan.html#sub-step\"",
        "../notes/other.html\"",
    ] {
        assert!(
            home.contains(&format!("href=\"{href}")) || home.contains(href),
            "{href}"
        );
    }
    assert!(!home.contains("broken-link"), "{home}");
    let plan = kb.read("public/notes/plan.html");
    assert!(plan.contains("<p id=\"^goal-1\">Ship it.</p>"), "{plan}");
    assert!(plan.contains("<li id=\"^step-2\">two</li>"), "{plan}");
    assert!(
        plan.contains("<h2 id=\"steps-risks\">Steps &amp; Risks</h2>"),
        "every heading has the id its links land on: {plan}"
    );
    // In a browser every heading links to itself.
    if let Some(browser) = crate::browser::chromium() {
        let url = format!("file://{}", kb.path("public/notes/plan.html").display());
        let dom = crate::browser::dump_dom(browser, &url);
        assert!(
            dom.contains(
                "<h2 id=\"steps-risks\">Steps &amp; Risks<a class=\"anchor\" href=\"#steps-risks\" aria-label=\"Link to this section\"></a></h2>"
            ),
            "{dom}"
        );
    }
    // The backlink is on the page of the note in the folder.
    assert!(plan.contains("notes/home.html"), "backlink");
}

#[test]
fn notes_with_three_headings_get_a_table_of_contents_beside_them() {
    let kb = vault();
    kb.lore_ok(&["build"]);
    let plan = kb.read("public/notes/plan.html");
    // The page says where the contents go; the script lists the headings.
    assert!(
        plan.contains("<details class=\"toc\" id=\"toc\" hidden>"),
        "{plan}"
    );
    if let Some(browser) = crate::browser::chromium() {
        let url = format!("file://{}", kb.path("public/notes/plan.html").display());
        let dom = crate::browser::dump_dom(browser, &url);
        let toc = dom
            .split("<details class=\"toc\"")
            .nth(1)
            .and_then(|t| t.split("</details>").next())
            .expect("a table of contents");
        assert!(!toc.contains("hidden"), "shown: {toc}");
        assert_eq!(toc.matches("<li").count(), 3, "{toc}");
        // An h3 is indented under its h2.
        assert!(
            toc.contains("<li><a href=\"#steps-risks\">Steps &amp; Risks</a>"),
            "{toc}"
        );
        assert!(
            toc.contains("<li class=\"toc-l3\"><a href=\"#sub-step\">Sub step</a>"),
            "{toc}"
        );
    }
    assert!(
        plan.find("class=\"note-side\"") < plan.find("<article"),
        "the contents come first on a phone"
    );
    let other = kb.read("public/notes/other.html");
    assert!(!other.contains("class=\"toc\""), "one heading, no contents");
}

#[test]
fn obsidian_syntax_in_a_persons_notes_is_drawn() {
    let kb = vault();
    kb.lore_ok(&["build"]);
    let home = kb.read("public/notes/home.html");
    assert!(
        home.contains("<div class=\"callout callout-warning\" data-callout=\"warning\">\n<p class=\"callout-title\">Mind the gap</p>"),
        "{home}"
    );
    assert!(
        home.contains("<p>Body <strong>text</strong>.</p>"),
        "{home}"
    );
    assert!(
        home.contains("<details class=\"callout callout-question\" data-callout=\"faq\">\n<summary class=\"callout-title\">Folded</summary>"),
        "{home}"
    );
    assert!(
        home.contains("callout-note\" data-callout=\"note\">\n<p class=\"callout-title\">Note</p>"),
        "{home}"
    );
    assert!(
        home.contains("<blockquote>\n<p>A plain quote.</p>"),
        "{home}"
    );
    assert!(home.contains("<math display=\"inline\">"), "{home}");
    assert!(home.contains("<math display=\"block\">"), "{home}");
    assert!(home.contains("<mfrac>"), "{home}");
    assert!(home.contains("<mark>marked</mark>"), "{home}");
    assert!(
        home.contains("==not marked=="),
        "escaped marks stay: {home}"
    );
    assert!(
        !home.contains("secret") && !home.contains("hidden block"),
        "{home}"
    );
    assert!(!home.contains("%%"), "{home}");
    assert!(
        home.contains("<pre class=\"mermaid\">graph TD; A--&gt;B;"),
        "{home}"
    );
    assert!(home.contains("src=\"../static/mermaid.min.js\""), "{home}");
    assert!(kb.path("public/static/mermaid.min.js").is_file());
    let other = kb.read("public/notes/other.html");
    assert!(
        !other.contains("mermaid"),
        "only pages with diagrams load it"
    );
    assert_no_foreign_scripts(&kb.path("public"));
}

#[test]
fn code_is_highlighted_with_short_classes_and_can_be_copied() {
    let kb = vault();
    kb.lore_ok(&["build"]);
    let home = kb.read("public/notes/home.html");
    assert!(
        home.contains("<code class=\"language-shell\"><span class=\"f\">echo"),
        "{home}"
    );
    assert!(home.contains("src=\"../static/note.js\""), "{home}");
    let script = kb.read("public/static/note.js");
    assert!(script.contains("copy-code"), "the copy button");
    let css = kb.read("public/static/highlight.css");
    assert!(
        css.contains(".code .k {") && css.contains("prefers-color-scheme: dark"),
        "{css}"
    );
}

#[test]
fn a_site_without_diagrams_ships_no_mermaid() {
    let kb = Kb::new();
    kb.write("content/a.md", "# A\n\n```js\nlet a = 1;\n```\n");
    kb.lore_ok(&["build"]);
    assert!(!kb.path("public/static/mermaid.min.js").exists());
}

#[test]
fn a_feeds_obsidian_syntax_stays_inert_text() {
    let kb = Kb::new();
    let html = "<blockquote><p>[!warning] Not a callout</p></blockquote>\
                <p>Costs $5 to $6, a ==mark== and %%kept%%.</p>\
                <pre><code class=\"language-mermaid\">graph TD; A--&gt;B; click A call alert(1)</code></pre>\
                <p>$$x$$</p>";
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.example/</link>\
         <item><title>Post</title><link>https://blog.example/post/</link><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate>\
         <description>{}</description></item></channel></rss>",
        html_escape(html)
    );
    kb.write("feeds/blog.xml", &feed);
    kb.write(
        "config.toml",
        "title = \"T\"\n[[sources]]\npath = \"feeds/blog.xml\"\n",
    );
    kb.lore_ok(&["build"]);
    let page = kb.read("public/notes/post.html");
    assert!(!page.contains("class=\"callout"), "{page}");
    assert!(!page.contains("<math"), "{page}");
    assert!(!page.contains("<mark>"), "{page}");
    assert!(page.contains("%%kept%%"), "{page}");
    assert!(page.contains("$5 to $6"), "{page}");
    assert!(!page.contains("class=\"mermaid\""), "{page}");
    assert!(!page.contains("mermaid.min.js"), "{page}");
    assert!(!kb.path("public/static/mermaid.min.js").exists());
    assert_no_foreign_scripts(&kb.path("public"));
}

/// The DOM of a page opened from `file://` at a window width, after its
/// scripts ran.
fn dom_at(browser: &str, page: &std::path::Path, width: u32) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={width},900"))
        .args(["--virtual-time-budget=8000", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("running chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn from_file_urls_diagrams_draw_code_gets_a_copy_button_and_contents_fold_on_phones() {
    let Some(browser) = crate::browser::chromium() else {
        return;
    };
    let kb = vault();
    kb.write(
        "content/Home.md",
        &format!("{}\n## More\n\n## And more\n", kb.read("content/Home.md")),
    );
    kb.lore_ok(&["build"]);
    let page = kb.path("public/notes/home.html");
    let wide = dom_at(browser, &page, 1280);
    assert!(
        wide.contains("<pre class=\"mermaid\"") && wide.contains("<svg"),
        "the diagram is drawn: {wide}"
    );
    assert!(wide.contains("class=\"copy-code\""), "{wide}");
    assert!(
        wide.contains("<details class=\"toc\" id=\"toc\" open"),
        "open beside the note: {wide}"
    );
    let narrow = dom_at(browser, &page, 390);
    assert!(
        narrow.contains("<details class=\"toc\" id=\"toc\">"),
        "folded on a phone: {narrow}"
    );
}
