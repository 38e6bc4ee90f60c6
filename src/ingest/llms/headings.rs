//! Where a recovered heading ends and the paragraph after it begins.

use super::*;

/// A whitespace-separated word of heading text; links and code spans are
/// parts of words, never split.
#[derive(Debug, Clone, Copy)]
pub(super) struct Word {
    pub(super) start: usize,
    pub(super) end: usize,
    /// The word starts with a link.
    pub(super) link: bool,
}

#[rustfmt::skip]
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "from", "by",
    "with", "without", "into", "onto", "over", "under", "about", "as", "via", "vs", "vs.",
    "versus", "like", "using", "than", "per", "is", "are", "was", "were", "be", "been", "being",
    "do", "does", "did", "can", "could", "will", "would", "should", "may", "might", "must", "has",
    "have", "had", "not", "no", "my", "your", "our", "their", "his", "her", "its", "this", "that",
    "these", "those", "how", "why", "what", "when", "where", "who", "which", "up", "down", "out",
    "off", "between", "among", "through", "across", "against", "after", "before", "behind",
    "beyond", "within", "around", "toward", "towards", "near", "if", "so", "then", "aka", "&", "+",
    "/", "-", "–", "—", "|", "x",
];

/// Words that commonly start a sentence; they may end a heading of a single
/// word (`## Setup The tool…`).
#[rustfmt::skip]
pub(super) const OPENERS: &[&str] = &[
    "The", "This", "That", "These", "Those", "It", "It's", "Its", "If", "In", "On", "At", "As",
    "So", "But", "And", "Or", "When", "While", "Whether", "With", "Without", "Here", "Here's",
    "There", "There's", "Now", "Then", "Today", "Yesterday", "Last", "Next", "First", "Since",
    "Because", "After", "Before", "Once", "Although", "Though", "Let", "Let's", "We", "We're",
    "We've", "You", "You're", "You've", "They", "He", "She", "My", "Our", "Your", "A", "An", "To",
    "For", "From", "Some", "Many", "Most", "All", "Every", "Each", "Well", "Yes", "No", "Also",
    "Even", "Just", "Still", "Unlike", "Instead", "However", "Thanks", "What", "Why", "How",
    "Where", "Who", "Which", "Back", "Recently", "Initially", "Finally", "Basically", "Actually",
    "Honestly", "Sure", "Of", "Over", "By", "Not", "One", "Another", "Both", "Few", "Turns",
    "During", "Don't", "You'll", "Based", "Depending", "Given", "Imagine", "Consider", "Note",
    "Remember", "Luckily", "Unfortunately", "Obviously", "Clearly",
];

/// One-word section titles: a heading made of one of these ends before a
/// following capitalised word (`### Conclusion Doing this…`).
#[rustfmt::skip]
pub(super) const SECTION_WORDS: &[&str] = &[
    "Conclusion", "Conclusions", "Introduction", "Summary", "Setup", "Overview", "Background",
    "Context", "Motivation", "Caveat", "Caveats", "Insights", "Resources", "References",
    "Prerequisites", "Requirements", "Installation", "Usage", "Results", "Discussion", "Recap",
    "Update", "Disclaimer", "Takeaways", "Preparation", "Timeline", "Interviews", "Applying",
    "Notes", "Example", "Examples", "Limitations", "Outro", "Intro", "Epilogue", "Appendix",
];

#[rustfmt::skip]
pub(super) const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "vs", "etc", "mr", "mrs", "ms", "dr", "st", "no", "approx", "incl", "cf", "fig",
    "vol", "inc", "ltd", "jr", "sr", "v",
];

pub(super) const LEADING_PUNCT: &[char] =
    &['\u{201c}', '"', '\'', '\u{2018}', '(', '*', '_', '~', '['];
pub(super) const TRAILING_PUNCT: &[char] =
    &[')', '"', '\'', '\u{201d}', '\u{2019}', '*', '_', '~', ']'];

pub(super) fn has_alnum(w: &str) -> bool {
    w.chars().any(char::is_alphanumeric)
}

/// The word with straight apostrophes and without surrounding punctuation
/// (for list look-ups).
pub(super) fn bare(w: &str) -> String {
    w.trim_start_matches(LEADING_PUNCT)
        .trim_end_matches(TRAILING_PUNCT)
        .trim_end_matches([',', ';', ':', '.', '!', '?'])
        .replace('\u{2019}', "'")
}

pub(super) fn is_function_word(w: &str) -> bool {
    FUNCTION_WORDS.contains(&bare(w).to_lowercase().as_str())
}

/// The `[text]` of a word that starts with a link has letters or digits.
pub(super) fn link_text_has_alnum(w: &str) -> bool {
    match (w.find('['), w.find("](")) {
        (Some(a), Some(b)) if a < b => has_alnum(&w[a + 1..b]),
        _ => false,
    }
}

pub(super) fn is_opener(w: &str) -> bool {
    OPENERS.contains(&bare(w).as_str())
}

pub(super) fn is_i_form(w: &str) -> bool {
    matches!(bare(w).as_str(), "I" | "I'm" | "I've" | "I'd" | "I'll")
}

pub(super) fn first_letters(w: &str) -> (Option<char>, Option<char>) {
    let mut chars = w.trim_start_matches(LEADING_PUNCT).chars();
    (chars.next(), chars.next())
}

/// Starts with a lowercase letter (after opening punctuation).
pub(super) fn is_lower_word(w: &str) -> bool {
    first_letters(w).0.is_some_and(char::is_lowercase)
}

/// `Word`, `A`, or a plural acronym (`GPUs`); not `AI`, `OK`.
pub(super) fn is_capitalized(w: &str) -> bool {
    let core = w.trim_start_matches(LEADING_PUNCT);
    let (Some(first), second) = first_letters(w) else {
        return false;
    };
    if !first.is_uppercase() {
        return false;
    }
    match second {
        None => first == 'A',
        Some(c) if c.is_lowercase() => true,
        Some(_) => {
            let letters: String = core.chars().take_while(|c| c.is_alphabetic()).collect();
            letters.len() > 2
                && letters.ends_with('s')
                && letters[..letters.len() - 1].chars().all(char::is_uppercase)
        }
    }
}

pub(super) fn starts_upper(w: &str) -> bool {
    first_letters(w).0.is_some_and(char::is_uppercase)
}

/// `1`, `12.`, `1\.`, `2)`.
pub(super) fn is_numbering(w: &str) -> bool {
    let digits = w.trim_end_matches(['.', ')', '\\', ':', ',']);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Ends with `.`, `?` or `!` (before closing quotes), not an escaped dot, a
/// numbering or an abbreviation.
pub(super) fn ends_sentence(w: &str) -> bool {
    let core = w.trim_end_matches(TRAILING_PUNCT);
    match core.chars().next_back() {
        Some('?') | Some('!') => true,
        Some('.') => {
            let stem = &core[..core.len() - 1];
            if stem.ends_with('\\') || stem.ends_with('.') {
                return false;
            }
            let stem = stem.trim_start_matches(LEADING_PUNCT);
            if stem.is_empty() || stem.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            !ABBREVIATIONS.contains(&stem.to_lowercase().as_str())
        }
        _ => false,
    }
}

/// Only emoji / symbols (no letters, digits or ASCII punctuation).
pub(super) fn is_emoji_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| !c.is_ascii() && !c.is_alphanumeric())
}

/// The words of a heading's text: from `start`, through the inline tokens
/// from `toks[t0]` on, until a block token, the end, or `limit` words.
/// Returns the words and where the text stopped.
pub(super) fn heading_words(
    s: &str,
    toks: &[Tok],
    t0: usize,
    start: usize,
    limit: usize,
) -> (Vec<Word>, usize) {
    let b = s.as_bytes();
    let mut words: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    let mut stop = s.len();
    'toks: for tok in toks.iter().skip(t0) {
        if !tok.is_inline() {
            stop = tok.span().0;
            break;
        }
        let (a, e) = tok.span();
        let a = a.max(start);
        if let Tok::Verbatim(..) = tok {
            let is_link = b.get(a) == Some(&b'[');
            match current.as_mut() {
                // `**[link](..)`: still a word that starts with a link.
                Some(w) => {
                    w.link |= is_link && !has_alnum(&s[w.start..w.end]);
                    w.end = e;
                }
                None => {
                    current = Some(Word {
                        start: a,
                        end: e,
                        link: is_link,
                    })
                }
            }
            continue;
        }
        for (i, &byte) in b.iter().enumerate().take(e).skip(a) {
            if is_ws(byte) {
                if let Some(w) = current.take() {
                    words.push(w);
                    if words.len() >= limit {
                        stop = i;
                        break 'toks;
                    }
                }
            } else {
                match current.as_mut() {
                    Some(w) => w.end = i + 1,
                    None => {
                        current = Some(Word {
                            start: i,
                            end: i + 1,
                            link: false,
                        })
                    }
                }
            }
        }
    }
    if let Some(w) = current.take() {
        stop = stop.max(w.end);
        words.push(w);
    }
    (words, stop)
}

/// Where a heading that starts at `start` ends, in a collapsed body. The
/// heading runs over words until the first of:
///
/// * a block token (list item, quote, image, fence, heading, rule);
/// * a heading that opens with `**` ends after the word closing the `**`;
/// * a word ending a sentence (`.`, `?`, `!`; not `1\.`, `12.`, `e.g.`):
///   the heading includes it, and emoji right after it;
/// * an emoji after a word (not a mere numbering), before a capitalised
///   word;
/// * a word that starts a sentence, before it. A candidate needs a word
///   before it (not a mere numbering) that is a content word (not `of`,
///   `with`, `&`, an emoji, nor ending in `,` `;` `:` `-`), and the word
///   after it to start lowercase (not as in `Deletion in Production`, title
///   case going on). Candidates are: `I`, `I'm`…; a common sentence opener
///   ([`OPENERS`]: `The`, `If`, `Let's`…, which may also be followed by a
///   number, `I` or a code span); any capital after a one-word section title
///   ([`SECTION_WORDS`]: `Conclusion`, `Setup`…); any capitalised word (not
///   an acronym) after two words, when the sentence goes on past the next
///   word; a link;
/// * in a title-cased heading (three capitalised words or more), the first
///   lowercase content word followed by another lowercase word;
/// * after a numbering and a link (`1\. [Tool](url)`) followed by a
///   capitalised word;
/// * [`MAX_HEADING_WORDS`] words.
pub(super) fn heading_end(s: &str, toks: &[Tok], t0: usize, start: usize) -> usize {
    let (words, stop) = heading_words(s, toks, t0, start, MAX_HEADING_WORDS + 3);
    let text = |k: usize| -> &str { words.get(k).map_or("", |w| &s[w.start..w.end]) };
    let before = |k: usize| words.get(k).map_or(stop, |w| w.start);
    let after = |k: usize| words.get(k).map_or(stop, |w| w.end);
    let Some(first) = words.first() else {
        return stop;
    };
    let bold = s[first.start..first.end]
        .trim_start_matches(|c: char| !c.is_ascii())
        .starts_with("**");
    // Words with letters or digits so far, and those that are not numberings.
    let mut alnum_before = 0usize;
    let mut content_before = 0usize;
    let mut capital_words = 0usize;
    let mut title_case = true;
    for k in 0..words.len() {
        let w = text(k);
        let next = text(k + 1);
        let next2 = text(k + 2);
        let word_has_alnum = has_alnum(w) || words[k].link;
        if bold {
            let core = w.trim_end_matches([',', ';', ':', '.', '!', '?']);
            if core.ends_with("**") && (k > 0 || core.matches("**").count() >= 2) {
                return after(k);
            }
        } else {
            if k >= 1 && content_before >= 1 {
                let prev = text(k - 1);
                let prev_ok = !is_function_word(prev)
                    && !is_emoji_word(prev)
                    && !prev.ends_with([',', ';', ':', '-', '\u{2014}', '\u{2013}', '(', '/', '&']);
                let next_lower = is_lower_word(next);
                let title_goes_on = is_function_word(next) && is_capitalized(next2);
                let sentence_next = next_lower && !title_goes_on;
                // The sentence goes on after the next word (not a heading
                // that ends right before an image or the end).
                let sentence_long = sentence_next && (!next2.is_empty() || ends_sentence(next));
                if prev_ok {
                    if is_i_form(w) && sentence_next {
                        return before(k);
                    }
                    if is_opener(w)
                        && (sentence_next
                            || next.starts_with('`')
                            || ((is_numbering(next) || is_i_form(next)) && is_lower_word(next2)))
                    {
                        return before(k);
                    }
                    if k == 1
                        && SECTION_WORDS.contains(&bare(text(0)).as_str())
                        && (starts_upper(w) || words[k].link)
                    {
                        return before(k);
                    }
                    if alnum_before >= 2 && is_capitalized(w) && sentence_long {
                        return before(k);
                    }
                    if words[k].link && sentence_next {
                        return before(k);
                    }
                    if title_case
                        && capital_words >= 3
                        && is_lower_word(w)
                        && !is_function_word(w)
                        && !w.ends_with(':')
                        && is_lower_word(next)
                        && is_lower_word(next2)
                    {
                        return before(k);
                    }
                }
            }
            if words[k].link
                && content_before == 0
                && (k > 0 || link_text_has_alnum(w))
                && (starts_upper(next) || words.get(k + 1).is_some_and(|n| n.link))
            {
                return after(k);
            }
            if ends_sentence(w) {
                let mut j = k + 1;
                while j < words.len() && is_emoji_word(text(j)) {
                    j += 1;
                }
                return after(j - 1);
            }
            if is_emoji_word(w)
                && content_before >= 1
                && (starts_upper(next) || words.get(k + 1).is_some_and(|n| n.link))
            {
                return after(k);
            }
        }
        if word_has_alnum {
            alnum_before += 1;
            if !is_numbering(w) {
                content_before += 1;
            }
            if starts_upper(w) || is_numbering(w) {
                capital_words += usize::from(starts_upper(w));
            } else if !is_function_word(w) {
                title_case = false;
            }
            if alnum_before >= MAX_HEADING_WORDS {
                return after(k);
            }
        }
    }
    after(words.len() - 1).max(before(words.len()))
}
