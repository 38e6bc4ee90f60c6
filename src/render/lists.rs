//! The list pages: home, the index of each taxonomy, each term's notes and
//! the archive of every note by year and month. Each is cut into pages of
//! `paginate_by` (see `paginate`), so no page grows with the knowledge base
//! and every note is a few list pages from the home page.

use rayon::prelude::*;
use serde::Serialize;

use super::paginate::{self, Pager};
use super::taxonomy::{self, Taxonomy};
use super::views::*;
use super::{Ctx, Emit, Head, OutputFile, PAGES_PER_PUT, RenderError};
use crate::render::templates::TemplateError;

/// Terms on a page of the tags, authors or sources index: names and
/// counts only: at 100,000 notes (5,000 tags of long names) a page of
/// 1,000 is under 200 KB.
pub(super) const TERMS_PER_PAGE: usize = 1000;

/// The archive lists titles, not cards: this many times `paginate_by`.
pub(super) const ARCHIVE_FACTOR: usize = 10;

pub(super) const ARCHIVE: &str = "archive/index.html";

/// "Tags" for `tags`.
pub(super) fn heading_of(dir: &str) -> &'static str {
    match dir {
        "tags" => "Tags",
        "authors" => "Authors",
        _ => "Sources",
    }
}

/// A term page's description: "12 notes tagged kafka".
fn term_description(dir: &str, name: &str, count: usize) -> String {
    let notes = if count == 1 { "note" } else { "notes" };
    match dir {
        "tags" => format!("{count} {notes} tagged {name}"),
        "authors" => format!("{count} {notes} by {name}"),
        _ => format!("{count} {notes} from {name}"),
    }
}

/// "Kafka" on page 1, "Kafka (page 2 of 5)" after.
fn numbered(title: &str, pager: Option<&Pager>) -> String {
    match pager {
        Some(p) if p.number > 1 => format!("{title} (page {} of {})", p.number, p.total),
        _ => title.to_string(),
    }
}

/// A head with the page's prev/next links.
fn with_pager<'a>(head: Head<'a>, pager: Option<&Pager>) -> Head<'a> {
    Head {
        prev: pager.and_then(|p| p.prev.clone()),
        next: pager.and_then(|p| p.next.clone()),
        ..head
    }
}

/// Every page of a list whose first page is `first`: each page's pager
/// and its items.
/// Makes pages in parallel, handing them on a few dozen at a time: the
/// note pages, and a long list's (at 100,000 notes the home page's run is
/// 3,334 pages).
pub(super) fn in_parts<P: Sync>(
    pages: &[P],
    one: impl Fn(&P) -> Result<Option<OutputFile>, TemplateError> + Sync,
    emit: &Emit<'_>,
) -> Result<(), RenderError> {
    pages.par_chunks(PAGES_PER_PUT).try_for_each(|part| {
        let mut files = Vec::with_capacity(part.len());
        for page in part {
            files.extend(one(page)?);
        }
        emit(files)
    })
}

fn pages_of<'i, T>(first: &str, items: &'i [T], per_page: usize) -> Vec<(Option<Pager>, &'i [T])> {
    let chunks = paginate::chunks(items, per_page);
    let total = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(k, chunk)| (Pager::new(first, k + 1, total), chunk))
        .collect()
}

/// One month of the archive: its anchor, name and how many notes.
#[derive(Debug, Serialize)]
struct MonthLink {
    name: String,
    count: usize,
    /// The archive page where it starts, with `#m2024-05`.
    url: String,
}

#[derive(Debug, Serialize)]
struct YearLinks {
    year: String,
    count: usize,
    months: Vec<MonthLink>,
}

/// The notes of one month on one archive page.
#[derive(Debug, Serialize)]
struct MonthGroup<'v> {
    /// `m2024-05` where the month starts; none where it goes on from the
    /// page before.
    id: Option<String>,
    label: String,
    notes: Vec<NoteRef<'v>>,
}

impl<'a> Ctx<'a> {
    /// The home page and the pages after it: every note, newest first.
    pub(super) fn index_pages(&self, order: &[usize], emit: &Emit<'_>) -> Result<(), RenderError> {
        #[derive(Serialize)]
        struct Body<'v> {
            notes: Vec<super::Listed<'v, 'v>>,
            /// On the first page only: a page after it that showed them
            /// would change with every note added anywhere.
            counts: Option<Counts>,
            top_tags: Vec<TermView<'v>>,
            pager: Option<Pager>,
            archive: Option<&'static str>,
            graph: Option<&'static str>,
        }
        let mut top: Vec<&taxonomy::Term> = self.tags.terms.iter().collect();
        top.sort_by(|a, b| {
            b.notes
                .len()
                .cmp(&a.notes.len())
                .then_with(|| a.name.cmp(&b.name))
        });
        let pages = pages_of("index.html", order, self.config.home_page_size());
        let one = |(pager, chunk): &(Option<Pager>, &[usize])| {
            let first = pager.as_ref().is_none_or(|p| p.number == 1);
            let path = pager.as_ref().map_or("index.html".to_string(), |p| {
                paginate::page_url("index.html", p.number)
            });
            let body = Body {
                notes: chunk.iter().map(|&i| self.listed(i)).collect(),
                counts: first.then(|| Counts {
                    notes: self.notes.len(),
                    tags: self.tags.terms.len(),
                    authors: self.authors.terms.len(),
                    sources: self.sources.terms.len(),
                }),
                top_tags: top
                    .iter()
                    .take(if first { 30 } else { 0 })
                    .map(|t| TermView {
                        name: &t.name,
                        url: &t.url,
                        count: t.notes.len(),
                    })
                    .collect(),
                pager: pager.clone(),
                archive: self.archive.then_some(ARCHIVE),
                graph: self.graph.then_some(super::graph::GRAPH_PAGE),
            };
            let title = numbered("Notes", pager.as_ref());
            let head = Head {
                // The site's description, else what it holds.
                description: if first {
                    format!(
                        "{}: {} notes from {} sources",
                        self.config.title,
                        self.notes.len(),
                        self.sources.terms.len()
                    )
                } else {
                    format!("{}: {title}, newest first", self.config.title)
                },
                ..Head::feeds(self.feed_links(None))
            };
            let (title, kind) = if first {
                (self.config.title.as_str(), "index")
            } else {
                (title.as_str(), "notes")
            };
            let head = with_pager(head, pager.as_ref());
            self.page("index.html", &path, title, kind, head, body)
        };
        in_parts(&pages, one, emit)
    }

    /// The index of a taxonomy: every term with its count, by name.
    pub(super) fn list_pages(&self, taxonomy: &Taxonomy) -> Result<Vec<OutputFile>, TemplateError> {
        #[derive(Serialize)]
        struct Body<'v> {
            kind: &'static str,
            heading: &'static str,
            count: usize,
            terms: Vec<TermView<'v>>,
            pager: Option<Pager>,
        }
        let heading = heading_of(taxonomy.dir);
        let first = format!("{}/index.html", taxonomy.dir);
        let mut files = Vec::new();
        for (pager, chunk) in pages_of(&first, &taxonomy.terms, TERMS_PER_PAGE) {
            let path = paginate::page_url(&first, pager.as_ref().map_or(1, |p| p.number));
            let terms = chunk
                .iter()
                .map(|t| TermView {
                    name: &t.name,
                    url: &t.url,
                    count: t.notes.len(),
                })
                .collect();
            let head = Head {
                description: format!(
                    "{} {} of {}",
                    taxonomy.terms.len(),
                    heading.to_lowercase(),
                    self.config.title
                ),
                ..Head::feeds(self.feed_links(None))
            };
            let title = numbered(heading, pager.as_ref());
            let head = with_pager(head, pager.as_ref());
            let body = Body {
                kind: taxonomy.dir,
                heading,
                count: taxonomy.terms.len(),
                terms,
                pager,
            };
            files.extend(self.page("list.html", &path, &title, "list", head, body)?);
        }
        Ok(files)
    }

    /// The pages of one tag, author or source: its notes, newest first.
    pub(super) fn term_pages(
        &self,
        taxonomy: &Taxonomy,
        term: &taxonomy::Term,
    ) -> Result<Vec<OutputFile>, TemplateError> {
        #[derive(Serialize)]
        struct Named<'v> {
            name: &'v str,
        }
        #[derive(Serialize)]
        struct Body<'v> {
            kind: &'static str,
            heading: String,
            term: Named<'v>,
            notes: Vec<super::Listed<'v, 'v>>,
            count: usize,
            parent: LinkView<'v>,
            pager: Option<Pager>,
        }
        let kind_heading = heading_of(taxonomy.dir);
        let singular = kind_heading.trim_end_matches('s');
        let heading = format!("{singular}: {}", term.name);
        let parent_url = format!("{}/index.html", taxonomy.dir);
        let mut files = Vec::new();
        for (pager, chunk) in pages_of(&term.url, &term.notes, self.config.paginate_by) {
            let path = paginate::page_url(&term.url, pager.as_ref().map_or(1, |p| p.number));
            let head = Head {
                description: term_description(taxonomy.dir, &term.name, term.notes.len()),
                ..Head::feeds(self.feed_links(Some((&singular.to_lowercase(), term))))
            };
            let title = numbered(&heading, pager.as_ref());
            let head = with_pager(head, pager.as_ref());
            let body = Body {
                kind: taxonomy.dir,
                heading: heading.clone(),
                term: Named { name: &term.name },
                notes: chunk.iter().map(|&i| self.listed(i)).collect(),
                count: term.notes.len(),
                parent: LinkView {
                    name: kind_heading,
                    url: &parent_url,
                },
                pager,
            };
            files.extend(self.page("term.html", &path, &title, "term", head, body)?);
        }
        Ok(files)
    }

    /// The archive: every note by year and month, newest first, undated
    /// notes last; each page opens with the months, linked to where each
    /// starts.
    pub(super) fn archive_pages(
        &self,
        order: &[usize],
        emit: &Emit<'_>,
    ) -> Result<(), RenderError> {
        #[derive(Serialize)]
        struct Body<'v> {
            /// On the first page only, as on the home page.
            count: Option<usize>,
            years: &'v [YearLinks],
            groups: Vec<MonthGroup<'v>>,
            pager: Option<Pager>,
        }
        let per_page = self.config.paginate_by * ARCHIVE_FACTOR;
        let month_of = |i: usize| {
            self.notes[i]
                .front
                .date
                .map(|d| d.format("%Y-%m").to_string())
        };
        let pages = pages_of(ARCHIVE, order, per_page);
        let years = self.archive_years(order, per_page, &month_of);
        let one = |(pager, chunk): &(Option<Pager>, &[usize])| {
            let number = pager.as_ref().map_or(1, |p| p.number);
            let mut groups: Vec<MonthGroup<'_>> = Vec::new();
            let mut current: Option<Option<String>> = None;
            for (k, &i) in chunk.iter().enumerate() {
                let month = month_of(i);
                if current.as_ref() != Some(&month) {
                    // A month starts here unless it went on from the page before.
                    let starts = k > 0 || number == 1 || {
                        let before = order[(number - 1) * per_page - 1];
                        month_of(before) != month
                    };
                    groups.push(MonthGroup {
                        id: starts.then(|| anchor(month.as_deref())),
                        label: month_label(self.notes[i].front.date),
                        notes: Vec::new(),
                    });
                    current = Some(month);
                }
                if let Some(group) = groups.last_mut() {
                    group.notes.push(self.note_ref(i));
                }
            }
            let path = paginate::page_url(ARCHIVE, number);
            let title = numbered("Archive", pager.as_ref());
            let head = Head {
                description: if number == 1 {
                    format!(
                        "Every note of {} by year and month: {} notes",
                        self.config.title,
                        order.len()
                    )
                } else {
                    format!(
                        "Every note of {} by year and month: {title}",
                        self.config.title
                    )
                },
                ..Head::feeds(self.feed_links(None))
            };
            let head = with_pager(head, pager.as_ref());
            let body = Body {
                count: (number == 1).then_some(order.len()),
                years: &years,
                groups,
                pager: pager.clone(),
            };
            self.page("archive.html", &path, &title, "archive", head, body)
        };
        in_parts(&pages, one, emit)
    }

    /// Years and months of the archive, each month linked to the page and
    /// anchor where it starts.
    fn archive_years(
        &self,
        order: &[usize],
        per_page: usize,
        month_of: &dyn Fn(usize) -> Option<String>,
    ) -> Vec<YearLinks> {
        let mut years: Vec<YearLinks> = Vec::new();
        let mut last: Option<Option<String>> = None;
        for (k, &i) in order.iter().enumerate() {
            let month = month_of(i);
            if last.as_ref() == Some(&month) {
                if let Some(m) = years.last_mut().and_then(|y| y.months.last_mut()) {
                    m.count += 1;
                }
                if let Some(y) = years.last_mut() {
                    y.count += 1;
                }
                continue;
            }
            let year = month.as_deref().map_or("Undated", |m| &m[..4]).to_string();
            if years.last().is_none_or(|y| y.year != year) {
                years.push(YearLinks {
                    year,
                    count: 0,
                    months: Vec::new(),
                });
            }
            let page = k.checked_div(per_page).unwrap_or(0) + 1;
            let date = self.notes[i].front.date;
            if let Some(y) = years.last_mut() {
                y.count += 1;
                y.months.push(MonthLink {
                    name: date.map_or("Undated".into(), |d| d.format("%b").to_string()),
                    count: 1,
                    url: format!(
                        "{}#{}",
                        paginate::page_url(ARCHIVE, page),
                        anchor(month.as_deref())
                    ),
                });
            }
            last = Some(month);
        }
        years
    }
}

/// The id of a month's heading in the archive.
fn anchor(month: Option<&str>) -> String {
    month.map_or("undated".into(), |m| format!("m{m}"))
}

fn month_label(date: Option<chrono::NaiveDateTime>) -> String {
    date.map_or("Undated".into(), |d| d.format("%B %Y").to_string())
}
