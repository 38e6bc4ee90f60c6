//! Pagination: a list cut into pages, the URL of each page and the links
//! between them. Page 1 keeps the list's own URL (`tags/kafka.html`), so
//! links to a list never change; page n is `tags/kafka/page/n.html`
//! (`page/n.html` for the home page, `tags/page/n.html` for
//! `tags/index.html`): files, not folders, so every link names its file and
//! the site works from `file://`.

use serde::Serialize;

/// The URL of page `n` (1-based) of the list whose first page is `first`.
pub fn page_url(first: &str, n: usize) -> String {
    if n <= 1 {
        return first.to_string();
    }
    let folder = match first.strip_suffix("index.html") {
        Some(dir) => dir.to_string(),
        None => format!("{}/", first.trim_end_matches(".html")),
    };
    format!("{folder}page/{n}.html")
}

/// The items of each page: `per_page` at a time (0: all on one page).
/// Always at least one page, which may be empty.
pub fn chunks<T>(items: &[T], per_page: usize) -> Vec<&[T]> {
    if per_page == 0 || items.is_empty() {
        return vec![items];
    }
    items.chunks(per_page).collect()
}

/// How many pages `count` items make.
pub fn page_count(count: usize, per_page: usize) -> usize {
    if per_page == 0 || count == 0 {
        1
    } else {
        count.div_ceil(per_page)
    }
}

/// The pager a page of a list shows (none when the list has one page).
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    /// This page's number, 1-based.
    pub number: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// First, last and the pages near this one, with gaps between.
    pub links: Vec<PageLink>,
}

/// One entry of a pager: a page, or a gap (`number` 0, no URL).
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

/// How many pages either side of the current one a pager names.
const NEAR: usize = 2;

impl Pager {
    /// Page `number` of `total` of the list starting at `first`.
    pub fn new(first: &str, number: usize, total: usize) -> Option<Pager> {
        if total <= 1 {
            return None;
        }
        let mut links = Vec::new();
        let mut last_shown = 0;
        for n in 1..=total {
            let near = n.abs_diff(number) <= NEAR;
            if n != 1 && n != total && !near {
                continue;
            }
            if n > last_shown + 1 {
                links.push(PageLink {
                    number: 0,
                    url: String::new(),
                    current: false,
                });
            }
            links.push(PageLink {
                number: n,
                url: page_url(first, n),
                current: n == number,
            });
            last_shown = n;
        }
        Some(Pager {
            number,
            total,
            prev: (number > 1).then(|| page_url(first, number - 1)),
            next: (number < total).then(|| page_url(first, number + 1)),
            links,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_after_the_first_live_under_the_list() {
        assert_eq!(page_url("tags/kafka.html", 1), "tags/kafka.html");
        assert_eq!(page_url("tags/kafka.html", 3), "tags/kafka/page/3.html");
        assert_eq!(page_url("index.html", 2), "page/2.html");
        assert_eq!(page_url("tags/index.html", 2), "tags/page/2.html");
    }

    #[test]
    fn a_pager_names_first_last_and_near_pages_with_gaps() {
        let pager = Pager::new("index.html", 6, 20).unwrap();
        let numbers: Vec<usize> = pager.links.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 0, 4, 5, 6, 7, 8, 0, 20]);
        assert_eq!(pager.prev.as_deref(), Some("page/5.html"));
        assert_eq!(pager.next.as_deref(), Some("page/7.html"));
        assert!(Pager::new("index.html", 1, 1).is_none());
        let first = Pager::new("index.html", 1, 2).unwrap();
        assert_eq!(
            (first.prev, first.next.as_deref()),
            (None, Some("page/2.html"))
        );
    }

    #[test]
    fn chunks_cover_every_item_once() {
        let items: Vec<usize> = (0..61).collect();
        let pages = chunks(&items, 30);
        assert_eq!(pages.len(), page_count(61, 30));
        assert_eq!(pages.concat(), items);
        assert_eq!(chunks(&items, 0).len(), 1);
        assert_eq!(chunks::<usize>(&[], 30).len(), 1);
    }
}
