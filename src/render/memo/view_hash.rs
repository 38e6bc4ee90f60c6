//! A page's view (what its template is given) as a hash, which tells
//! `lore serve` whether the page must be rendered again; and the costly
//! parts of a view, which stand in that hash for themselves. A view is
//! written out whole in [`super::compact`]'s binary form, then hashed:
//! fed to the hasher piece by piece, in the many small writes serde
//! makes, hashing cost several times more.

use std::cell::{Cell, RefCell};
use std::thread::LocalKey;

use super::compact;

thread_local! {
    /// Set while [`view`] writes a view out (see [`costly_part`]).
    static HASHING: Cell<bool> = const { Cell::new(false) };
    /// Where a view is written out, kept from page to page.
    static VIEW: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Where a part is, for [`hash_of`] made while a view is written.
    static PART: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What a page's template is given, as a hash; none if the view could
/// not be written out (then the page is rendered).
pub(in crate::render) fn view(
    template: &str,
    context: &impl serde::Serialize,
) -> Option<blake3::Hash> {
    with_buffer(&VIEW, |written| {
        let before = HASHING.replace(true);
        let done = compact::write(written, context);
        HASHING.set(before);
        done.ok()?;
        let mut hasher = blake3::Hasher::new();
        super::field(&mut hasher, template);
        hasher.update(written);
        Some(hasher.finalize())
    })
}

/// A part of a view as a hash, made on its own (within [`view`] too).
pub(in crate::render) fn hash_of(part: &impl serde::Serialize) -> blake3::Hash {
    with_buffer(&PART, |written| {
        // A view's plain data is always written out; were a part not to
        // be, what was written of it still stands for it.
        let _ = compact::write(written, part);
        blake3::hash(written)
    })
}

/// `then` given an empty buffer: the thread's `kept` one, or, when that
/// one is in use further up the stack, a new one.
fn with_buffer<R>(
    kept: &'static LocalKey<RefCell<Vec<u8>>>,
    then: impl FnOnce(&mut Vec<u8>) -> R,
) -> R {
    kept.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            then(&mut buffer)
        }
        Err(_) => then(&mut Vec::new()),
    })
}

/// A hash standing in a view for what it was made from: written as its
/// 32 bytes at once (an array is written as 32 numbers, one by one).
#[derive(Clone, Copy)]
pub(in crate::render) struct Digest(pub blake3::Hash);

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0.as_bytes())
    }
}

/// Writes out a part of a view that is costly to make (a note's HTML,
/// its graph, its JSON-LD, a list's summaries): `made()` when the page is
/// rendered; while [`view`] only hashes the view to learn whether the page
/// changed, `stand_in()`, what the part is made from or its hash.
pub(in crate::render) fn costly_part<S, T, M>(
    serializer: S,
    stand_in: impl FnOnce() -> T,
    made: impl FnOnce() -> M,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: serde::Serialize,
    M: serde::Serialize,
{
    if HASHING.get() {
        stand_in().serialize(serializer)
    } else {
        made().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize, Clone)]
    struct Link<'a> {
        name: &'a str,
        url: &'a str,
    }

    #[derive(Serialize, Clone)]
    struct Body<'a> {
        tags: Vec<Vec<Link<'a>>>,
        dates: Dates<'a>,
        words: u64,
        rank: f64,
        content: Costly<'a>,
    }

    #[derive(Serialize, Clone)]
    struct Dates<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        date: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        updated: Option<&'a str>,
    }

    /// A page's view: a body flattened into it, as the real ones are.
    #[derive(Serialize, Clone)]
    struct Page<'a> {
        title: &'a str,
        #[serde(flatten)]
        body: Body<'a>,
    }

    /// Stands for itself by its length while hashed; made, it panics, so
    /// hashing a view can be seen not to make it.
    #[derive(Clone)]
    struct Costly<'a>(&'a str);

    impl Serialize for Costly<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            costly_part(
                serializer,
                || (self.0.len(), Digest(hash_of(&self.0))),
                || -> String { panic!("made while only hashing") },
            )
        }
    }

    fn page() -> Page<'static> {
        let link = |name| Link { name, url: "u" };
        Page {
            title: "A note",
            body: Body {
                tags: vec![vec![link("a"), link("b")], vec![link("c")]],
                dates: Dates {
                    date: Some("2024-01-02"),
                    updated: None,
                },
                words: 300,
                rank: 0.5,
                content: Costly("<p>Text</p>"),
            },
        }
    }

    fn hash(view: &Page) -> blake3::Hash {
        super::view("note.html", view).expect("a plain view is hashed")
    }

    #[test]
    fn a_page_given_the_same_again_is_not_rendered_again() {
        assert_eq!(hash(&page()), hash(&page()));
    }

    #[test]
    fn a_page_is_rendered_again_when_anything_its_template_is_given_changes() {
        let base = hash(&page());
        let changed = |change: fn(&mut Page)| {
            let mut view = page();
            change(&mut view);
            hash(&view)
        };
        // Text moved from one field to the next.
        let ab_c = changed(|p| (p.body.tags[0][0].name, p.body.tags[0][0].url) = ("ab", "c"));
        let a_bc = changed(|p| (p.body.tags[0][0].name, p.body.tags[0][0].url) = ("a", "bc"));
        assert_ne!(ab_c, a_bc);
        // A tag moved from one list to the next: the same tags in order.
        let boundary = changed(|p| {
            let b = p.body.tags[0].pop().expect("two tags");
            p.body.tags[1].insert(0, b);
        });
        assert_ne!(boundary, base);
        // A date that is left out when missing, moved to the next field.
        let shifted = changed(|p| {
            p.body.dates = Dates {
                date: None,
                updated: Some("2024-01-02"),
            }
        });
        assert_ne!(shifted, base);
        assert_ne!(changed(|p| p.body.dates.date = None), base);
        for other in [
            changed(|p| p.body.words = 301),
            changed(|p| p.body.rank = -0.5),
            changed(|p| p.body.tags[1].clear()),
            changed(|p| p.body.content = Costly("<p>Texts</p>")),
            view("list.html", &page()).expect("hashed"),
        ] {
            assert_ne!(other, base);
        }
    }

    #[test]
    fn a_part_is_hashed_alike_within_a_view_and_on_its_own() {
        let part = vec![Link {
            name: "a",
            url: "u",
        }];
        let alone = hash_of(&part);
        #[derive(Serialize)]
        struct Holds(Vec<u8>);
        // hash_of called while the view's buffer is in use.
        struct Nested<'a>(&'a [Link<'a>]);
        impl Serialize for Nested<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                Holds(hash_of(&self.0).as_bytes().to_vec()).serialize(s)
            }
        }
        let within = view("t", &Nested(&part));
        let direct = view("t", &Holds(alone.as_bytes().to_vec()));
        assert_eq!(within, direct);
        assert_ne!(
            hash_of(&vec![Link {
                name: "a",
                url: "v"
            }]),
            alone
        );
    }
}
