//! Themes: the built-in theme works with no `themes/` folder; a theme
//! folder overrides it file by file, in minijinja or in Tera.

use crate::util::*;

fn kb() -> Kb {
    let kb = Kb::new();
    kb.write(
        "content/first.md",
        "---\ntitle: First note\ntags: [alpha]\n---\nHello {{ not.a.template }} world.\n",
    );
    kb
}

#[test]
fn the_built_in_theme_needs_no_theme_folder() {
    let kb = kb();
    kb.lore_ok(&["build"]);
    let page = kb.read("public/notes/first.html");
    assert!(page.contains("First note") && page.contains("static/style.css"));
    assert!(
        page.contains("{{ not.a.template }}"),
        "feed text is never run as a template"
    );
}

#[test]
fn a_theme_folder_overrides_one_template_and_keeps_the_rest() {
    let kb = kb();
    kb.write("config.toml", "theme = \"mine\"\n");
    kb.write("themes/mine/templates/note.html", "<!doctype html><title>{{ note.title }}</title><p class=mine>{{ note.content|safe }}</p><a href=\"{{ root }}index.html\">home</a>\n");
    kb.write("themes/mine/static/extra.css", "p { color: red }\n");
    kb.lore_ok(&["build"]);
    assert!(
        kb.read("public/notes/first.html")
            .contains("<p class=mine>")
    );
    assert!(
        kb.read("public/index.html").contains("static/style.css"),
        "other templates come from the built-in theme"
    );
    assert!(kb.path("public/static/extra.css").is_file());
}

#[test]
fn a_theme_can_use_tera() {
    let kb = kb();
    kb.write("config.toml", "theme = \"tera-theme\"\n");
    kb.write("themes/tera-theme/theme.toml", "engine = \"tera\"\n");
    kb.write("themes/tera-theme/templates/note.html", "<h1>{{ note.title | upper }}</h1>{% for t in note.tags %}<a href=\"{{ root }}{{ t.url }}\">{{ t.name }}</a>{% endfor %}\n");
    for other in ["index.html", "list.html", "term.html", "404.html"] {
        kb.write(
            &format!("themes/tera-theme/templates/{other}"),
            "<h1>{{ page.title }}</h1>\n",
        );
    }
    kb.lore_ok(&["build"]);
    let page = kb.read("public/notes/first.html");
    assert!(page.contains("<h1>FIRST NOTE</h1>"), "{page}");
    assert!(page.contains("href=\"../tags/alpha.html\""), "{page}");
}

#[test]
fn a_broken_template_names_itself() {
    let kb = kb();
    kb.write("config.toml", "theme = \"bad\"\n");
    kb.write("themes/bad/templates/note.html", "{% for x in %}\n");
    let out = kb.lore(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("note.html"));
}
