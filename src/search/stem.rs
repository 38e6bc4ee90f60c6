//! Stemming in the site's `language` (Snowball, via rust-stemmers), done
//! only at build time: the index maps every word the notes contain to its
//! stem, so the browser finds "running" under "run" without a stemmer of
//! its own, and the two can never disagree.

use rust_stemmers::{Algorithm, Stemmer};

/// The stemmer for a language tag such as `en`, `de-CH` or `pt_BR`; `None`
/// for a language Snowball does not cover (words are then matched as
/// written, after folding).
pub fn for_language(tag: &str) -> Option<Stemmer> {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let algorithm = match primary.as_str() {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// The stem of a folded word; numbers and one-letter words stay as they are.
pub fn stem(stemmer: Option<&Stemmer>, word: &str) -> String {
    match stemmer {
        Some(s) if word.chars().nth(1).is_some() && !word.bytes().all(|b| b.is_ascii_digit()) => {
            let stemmed = s.stem(word);
            if stemmed.is_empty() {
                word.to_owned()
            } else {
                stemmed.into_owned()
            }
        }
        _ => word.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_forms_share_a_stem_and_unknown_languages_keep_words() {
        let en = for_language("en-GB");
        assert_eq!(stem(en.as_ref(), "running"), stem(en.as_ref(), "runs"));
        assert_eq!(stem(en.as_ref(), "contracts"), "contract");
        let de = for_language("de");
        assert_eq!(stem(de.as_ref(), "hauser"), stem(de.as_ref(), "haus"));
        assert!(for_language("ja").is_none());
        assert_eq!(stem(None, "running"), "running");
    }
}
