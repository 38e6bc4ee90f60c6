//! Tokens: a fast deterministic hasher, the raw-token table, the tokenizer
//! (URLs and link destinations skipped), stop words and the stemmer.

use super::*;

#[derive(Default, Clone, Copy)]
pub(super) struct FastHasher(u64);

pub(super) const HASH_K: u64 = 0x9e37_79b9_7f4a_7c15;

impl FastHasher {
    #[inline]
    pub(super) fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(HASH_K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(word);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            if let Some(dst) = b.get_mut(..rest.len()) {
                dst.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The first 16 bytes of `src[start..start + len]`, zero-padded, as a
/// little-endian `u128`: the whole key of a token of up to 16 bytes.
#[inline]
pub(super) fn token_head(src: &[u8], start: usize, len: usize) -> u128 {
    let n = len.min(16);
    if let Some(word) = src.get(start..).and_then(|s| s.first_chunk::<16>()) {
        let x = u128::from_le_bytes(*word);
        if n == 16 {
            x
        } else {
            x & ((1u128 << (8 * n)) - 1)
        }
    } else {
        let mut b = [0u8; 16];
        if let (Some(dst), Some(s)) = (b.get_mut(..n), src.get(start..start + n)) {
            dst.copy_from_slice(s);
        }
        u128::from_le_bytes(b)
    }
}

#[inline]
pub(super) fn fold_mul(a: u64, b: u64) -> u64 {
    let m = u128::from(a) * u128::from(b);
    (m as u64) ^ ((m >> 64) as u64)
}

/// A hash of a token, given its head (see [`token_head`]) and bytes.
#[inline]
pub(super) fn hash_token(head: u128, bytes: &[u8]) -> u32 {
    let len = bytes.len() as u64;
    let mut h = fold_mul(
        head as u64 ^ 0x243f_6a88_85a3_08d3,
        (head >> 64) as u64 ^ 0x1319_8a2e_0370_7344 ^ len,
    );
    if let Some(tail) = bytes.get(16..).filter(|t| !t.is_empty()) {
        let mut t = FastHasher(h);
        t.write(tail);
        h = t.finish();
    }
    (h ^ (h >> 32)) as u32
}

/// One slot of a [`RawTable`]; `len == 0` marks an empty slot (keys are never
/// empty).
#[derive(Clone, Copy, Default)]
pub(super) struct RawSlot {
    pub(super) head: u128,
    pub(super) len: u32,
    pub(super) hash: u32,
    /// Where the key's bytes start in the arena (only kept for keys longer
    /// than 16 bytes).
    pub(super) start: u32,
    pub(super) value: u32,
}

/// Raw token → value, open addressing. This is the hot map of tokenising
/// (one lookup per token): keys of up to 16 bytes live inline in the slot
/// and compare as one `u128`; longer ones also keep their bytes in an arena.
pub(super) struct RawTable {
    pub(super) slots: Vec<RawSlot>,
    pub(super) arena: Vec<u8>,
    pub(super) len: usize,
}

impl RawTable {
    pub(super) fn new() -> Self {
        RawTable {
            slots: vec![RawSlot::default(); 1024],
            arena: Vec::new(),
            len: 0,
        }
    }

    /// The slot holding the key, or the empty slot where it belongs.
    #[inline]
    pub(super) fn find(&self, key: &[u8], head: u128, hash: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while let Some(s) = self.slots.get(i) {
            if s.len == 0
                || (s.hash == hash
                    && s.head == head
                    && s.len as usize == key.len()
                    && (key.len() <= 16
                        || self
                            .arena
                            .get(s.start as usize..s.start as usize + key.len())
                            == Some(key)))
            {
                return i;
            }
            i = (i + 1) & mask;
        }
        i
    }

    #[inline]
    pub(super) fn get(&self, key: &[u8], head: u128, hash: u32) -> Option<u32> {
        let slot = self.slots.get(self.find(key, head, hash))?;
        (slot.len != 0).then_some(slot.value)
    }

    /// Inserts a key known to be absent.
    pub(super) fn insert(&mut self, key: &[u8], head: u128, hash: u32, value: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.find(key, head, hash);
        let start = self.arena.len() as u32;
        if key.len() > 16 {
            self.arena.extend_from_slice(key);
        }
        if let Some(s) = self.slots.get_mut(i) {
            *s = RawSlot {
                head,
                len: key.len() as u32,
                hash,
                start,
                value,
            };
            self.len += 1;
        }
    }

    pub(super) fn grow(&mut self) {
        let doubled = vec![RawSlot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.len != 0) {
            let mut i = s.hash as usize & mask;
            while self.slots.get(i).is_some_and(|t| t.len != 0) {
                i = (i + 1) & mask;
            }
            if let Some(t) = self.slots.get_mut(i) {
                *t = s;
            }
        }
    }
}

/// Byte flags for the tokenizer's ASCII fast path.
pub(super) const ALNUM: u8 = 1;
pub(super) const ALPHA: u8 = 2;
pub(super) const UPPER: u8 = 4;
pub(super) const HIGH: u8 = 8;

pub(super) const fn byte_flags() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = if b >= 0x80 {
            HIGH
        } else if b.is_ascii_digit() {
            ALNUM
        } else if b.is_ascii_lowercase() {
            ALNUM | ALPHA
        } else if b.is_ascii_uppercase() {
            ALNUM | ALPHA | UPPER
        } else {
            0
        };
        i += 1;
    }
    table
}

pub(super) static FLAGS: [u8; 256] = byte_flags();

#[inline]
pub(super) fn flags(b: u8) -> u8 {
    FLAGS[usize::from(b)]
}

pub(super) const LO: u64 = 0x0101_0101_0101_0101;
pub(super) const HI: u64 = 0x8080_8080_8080_8080;

/// How many of the 8 bytes in `x` (little-endian) are ASCII alphanumeric
/// before the first one that is not, and the flags (`ALPHA`, `UPPER`) seen
/// in those bytes. Branch-free SWAR: each byte's high bit holds its answer.
#[inline]
pub(super) fn ascii_alnum_prefix(x: u64) -> (usize, u8) {
    let ascii = !x & HI;
    let x7 = x & !HI;
    let y7 = x7 | (0x20 * LO); // ASCII letters folded to lowercase
    let letter = ((y7 | HI) - 0x61 * LO) & (((0x7a * LO) | HI) - y7) & ascii;
    let digit = ((x7 | HI) - 0x30 * LO) & (((0x39 * LO) | HI) - x7) & ascii;
    let upper = letter & (!x << 2);
    let stop = !(letter | digit) & HI;
    let n = (stop.trailing_zeros() / 8) as usize;
    let mask = if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    };
    let mut f = 0;
    if letter & mask != 0 {
        f |= ALPHA;
    }
    if upper & mask & HI != 0 {
        f |= UPPER;
    }
    (n.min(8), f)
}

/// A head (see [`token_head`]) of ASCII bytes with `A`..=`Z` lowercased,
/// eight bytes at a time as in [`ascii_alnum_prefix`].
#[inline]
pub(super) fn ascii_lowercase_head(head: u128) -> u128 {
    let lower = |x: u64| {
        let x7 = x & !HI;
        let upper = ((x7 | HI) - 0x41 * LO) & (((0x5a * LO) | HI) - x7) & !x & HI;
        x | (upper >> 2)
    };
    u128::from(lower(head as u64)) | (u128::from(lower((head >> 64) as u64)) << 64)
}

/// The char starting at byte `i`.
#[inline]
pub(super) fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

/// Calls `emit` with every token of `text`: lowercase runs of alphanumeric
/// characters, 2..=40 characters long, not all digits. URLs (`scheme://…`,
/// `mailto:…`, `www.…`) and markdown link destinations (`](…)`) are skipped.
pub(super) fn tokenize(text: &str, buf: &mut String, mut emit: impl FnMut(&str, u128)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let f = flags(b);
        if f == 0 {
            i = if b == b']' && bytes.get(i + 1) == Some(&b'(') {
                skip_url(bytes, i + 2)
            } else {
                i + 1
            };
            continue;
        }
        if f == HIGH {
            match char_at(text, i) {
                Some(c) if c.is_alphanumeric() => {}
                Some(c) => {
                    i += c.len_utf8();
                    continue;
                }
                None => break,
            }
        }
        // A token starts at `i`: ASCII runs, then any non-ASCII letters.
        let start = i;
        let mut seen = 0u8;
        let mut chars = 0usize;
        loop {
            let run = i;
            // Eight bytes at a time while they last, then byte by byte.
            while let Some(word) = bytes.get(i..).and_then(|s| s.first_chunk::<8>()) {
                let (n, f) = ascii_alnum_prefix(u64::from_le_bytes(*word));
                seen |= f;
                i += n;
                if n < 8 {
                    break;
                }
            }
            while let Some(&b) = bytes.get(i) {
                let f = flags(b);
                if f & ALNUM == 0 {
                    break;
                }
                seen |= f;
                i += 1;
            }
            chars += i - run;
            if bytes.get(i).is_none_or(|&b| b < 0x80) {
                break;
            }
            match char_at(text, i) {
                Some(c) if !c.is_ascii() && c.is_alphanumeric() => {
                    seen |= if c.is_numeric() { HIGH } else { HIGH | ALPHA };
                    chars += 1;
                    i += c.len_utf8();
                }
                _ => break,
            }
        }
        let Some(token) = text.get(start..i) else {
            continue;
        };
        // A scheme or `www` before a URL: skip the whole URL.
        let url = match bytes.get(i) {
            Some(b':') => {
                (bytes.get(i + 1..i + 3) == Some(b"//")
                    && (2..=12).contains(&chars)
                    && token.bytes().all(|b| b.is_ascii_alphabetic()))
                    || token.eq_ignore_ascii_case("mailto")
            }
            Some(b'.') => token.eq_ignore_ascii_case("www"),
            _ => false,
        };
        if url {
            i = skip_url(bytes, i);
            continue;
        }
        if !(MIN_TOKEN_CHARS..=MAX_TOKEN_CHARS).contains(&chars) || seen & ALPHA == 0 {
            continue;
        }
        if seen & (HIGH | UPPER) == 0 {
            emit(token, token_head(bytes, start, token.len()));
        } else if seen & HIGH == 0 && token.len() <= 16 {
            // A capitalised ASCII word (a sentence's first, one token in
            // eight of prose) is lowercased in its head, not copied to `buf`.
            let head = ascii_lowercase_head(token_head(bytes, start, token.len()));
            let lower = head.to_le_bytes();
            if let Some(lower) = lower
                .get(..token.len())
                .and_then(|b| std::str::from_utf8(b).ok())
            {
                emit(lower, head);
            }
        } else {
            buf.clear();
            if seen & HIGH != 0 {
                buf.extend(token.chars().flat_map(char::to_lowercase));
            } else {
                buf.push_str(token);
                buf.make_ascii_lowercase();
            }
            emit(buf, token_head(buf.as_bytes(), 0, buf.len()));
        }
    }
}

/// The index of the first byte after a URL starting at `from`.
pub(super) fn skip_url(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_whitespace() || matches!(b, b')' | b']' | b'>' | b'<' | b'"' | b'\'' | b'`') {
            break;
        }
        i += 1;
    }
    i
}

/// English stop words (sorted; looked up by binary search), the stubs that
/// contractions split into (`don`, `ve`…), and a few HTML/URL leftovers.
#[rustfmt::skip]
pub(super) const STOP_WORDS: &[&str] = &[
    "about", "above", "after", "again", "against", "all", "also", "am", "amp", "an", "and",
    "any", "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "com", "could", "couldn", "did", "didn", "do",
    "does", "doesn", "doing", "don", "done", "down", "during", "each", "else", "etc", "even",
    "ever", "every", "few", "for", "from", "further", "get", "gets", "got", "gt", "had", "hadn",
    "has", "hasn", "have", "haven", "having", "he", "her", "here", "hers", "herself", "him",
    "himself", "his", "how", "however", "http", "https", "if", "in", "into", "is", "isn", "it",
    "its", "itself", "just", "like", "ll", "lt", "made", "make", "many", "may", "me", "might",
    "more", "most", "much", "must", "my", "myself", "nbsp", "need", "no", "nor", "not", "now",
    "of", "off", "often", "on", "once", "one", "only", "or", "other", "our", "ours",
    "ourselves", "out", "over", "own", "quot", "re", "really", "same", "say", "says", "see",
    "shall", "she", "should", "shouldn", "since", "so", "some", "still", "such", "than", "that",
    "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "though", "through", "to", "too", "under", "until", "up", "upon", "us", "use",
    "used", "using", "ve", "very", "was", "wasn", "way", "we", "well", "were", "weren", "what",
    "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with",
    "within", "without", "won", "would", "wouldn", "www", "yet", "you", "your", "yours",
    "yourself", "yourselves",
];

pub(super) fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// A light, deterministic suffix stripper for lowercase ASCII words (others
/// are returned unchanged): plurals (`-s`, `-es`, `-ies`), `-ing`, `-ed`,
/// `-ied`, `-ly`, then a doubled final consonant after `-ing`/`-ed` is undone
/// and a final `e` is dropped, so `make`/`making`/`makes` all give `mak`.
pub(super) fn stem(word: &str) -> String {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_owned();
    }
    let has_vowel = |s: &str| {
        s.bytes()
            .any(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
    };
    let mut verb = false;
    let mut s: String = if let Some(base) = word.strip_suffix("sses") {
        format!("{base}ss")
    } else if let Some(base) = word
        .strip_suffix("ies")
        .or_else(|| word.strip_suffix("ied"))
        .filter(|b| b.len() >= 2)
    {
        format!("{base}y")
    } else if let Some(base) = word.strip_suffix("es").filter(|b| {
        b.len() >= 3 && (b.ends_with(['s', 'x', 'z']) || b.ends_with("ch") || b.ends_with("sh"))
    }) {
        base.to_owned()
    } else if let Some(base) = word
        .strip_suffix('s')
        .filter(|b| b.len() >= 3 && !b.ends_with(['s', 'u', 'i']))
    {
        base.to_owned()
    } else if let Some(base) = word
        .strip_suffix("ing")
        .filter(|b| b.len() >= 3 && has_vowel(b))
    {
        verb = true;
        base.to_owned()
    } else if let Some(base) = word
        .strip_suffix("ed")
        .filter(|b| b.len() >= 3 && has_vowel(b))
    {
        verb = true;
        base.to_owned()
    } else if let Some(base) = word
        .strip_suffix("ly")
        .filter(|b| b.len() >= 4 && !b.ends_with('i'))
    {
        base.to_owned()
    } else {
        word.to_owned()
    };
    if verb {
        let b = s.as_bytes();
        if let [.., x, y] = b
            && x == y
            && !matches!(x, b'a' | b'e' | b'i' | b'o' | b'u' | b'l' | b's' | b'z')
        {
            s.pop();
        }
    }
    if s.len() >= 4 && s.ends_with('e') && !s.ends_with("ee") {
        s.pop();
    }
    s
}

/// The term key of a tag (`#` namespace) or author (`@` namespace): trimmed,
/// lowercased, inner whitespace collapsed; `None` if empty.
pub(super) fn special_key(prefix: char, value: &str) -> Option<String> {
    let value = value.trim();
    let value = if prefix == '#' {
        value.trim_start_matches('#').trim()
    } else {
        value
    };
    if value.is_empty() {
        return None;
    }
    let mut key = String::with_capacity(value.len() + 1);
    key.push(prefix);
    for (i, word) in value.split_whitespace().enumerate() {
        if i > 0 {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    Some(key)
}

/// Appends `x` as a LEB128 varint.
#[inline]
pub(super) fn put_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Reads a LEB128 varint at `*pos`, advancing it; `None` at the end.
#[inline]
pub(super) fn get_varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut x = 0u64;
    let mut shift = 0;
    loop {
        let &b = bytes.get(*pos)?;
        *pos += 1;
        x |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b < 0x80 {
            return Some(x);
        }
        shift += 7;
    }
}

#[inline]
pub(super) fn sublinear(tf: u32) -> f32 {
    if tf == 0 { 0.0 } else { 1.0 + (tf as f32).ln() }
}
