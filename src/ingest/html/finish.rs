//! Step 5: the post-pass over htmd's output. Escapes and tidies prose,
//! puts code back from the stash as fenced blocks and spans.

use super::*;

/// Escapes and tidies the prose, then puts the stashed code back.
pub(super) fn finish(markdown: &str, stash: &Stash) -> String {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 8);
    let mut blank_run = 0usize;
    let mut prose = String::new();
    let mut last_line = String::new();
    for (index, line) in lines.iter().enumerate() {
        if let Some((prefix, id)) = block_placeholder(line)
            && let Some(code) = stash.blocks.get(id)
        {
            if blank_run > 0 && !out.is_empty() {
                out.push('\n');
            }
            blank_run = 0;
            push_code_block(&mut out, prefix, code);
            last_line.clear();
            continue;
        }
        prose.clear();
        // Marks other than code placeholders have done their job; drop them
        // before escaping, which must see the text as it will be read.
        let unmarked = strip_stray_marks(line);
        let line = unmarked.as_ref();
        // One leading space is noise (text after a `<br>`); container
        // indentation is never a single space.
        let line = match line.strip_prefix(' ') {
            Some(rest) if !rest.starts_with(' ') => rest,
            _ => line,
        };
        escape_prose(line, &mut prose);
        truncate_end(&mut prose);
        // A hard break (`\`) that ends a paragraph would show as a backslash;
        // so does one alone on its line (`<p><br>…`, `<br><br>`).
        let next_blank = lines.get(index + 1).is_none_or(|next| {
            let bare = next.trim_start_matches(['>', ' ']).trim_end();
            bare.is_empty() || bare == "\\"
        });
        if (next_blank && ends_with_hard_break(&prose))
            || prose.trim_start_matches(['>', ' ']) == "\\"
        {
            prose.pop();
            truncate_end(&mut prose);
        }
        let blank = prose.trim().is_empty();
        // A quote's empty line repeated is a blank line run too.
        let quote_blank = !blank && prose.trim_matches(|c| c == '>' || c == ' ').is_empty();
        if blank || (quote_blank && prose == last_line) {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        blank_run = 0;
        expand_spans(&mut out, &prose, stash);
        std::mem::swap(&mut prose, &mut last_line);
    }
    truncate_end(&mut out);
    out
}

pub(super) fn strip_stray_marks(line: &str) -> Cow<'_, str> {
    if !line.as_bytes().contains(&0xEF) {
        return Cow::Borrowed(line);
    }
    let placeholder = |c: char| matches!(c, BLOCK_OPEN | BLOCK_CLOSE | SPAN_OPEN | SPAN_CLOSE);
    Cow::Owned(
        line.chars()
            .filter(|&c| !is_mark(c) || placeholder(c))
            .collect(),
    )
}

pub(super) fn truncate_end(text: &mut String) {
    let end = text.trim_end().len();
    text.truncate(end);
}

pub(super) fn ends_with_hard_break(line: &str) -> bool {
    let backslashes = line.len() - line.trim_end_matches('\\').len();
    backslashes % 2 == 1
}

/// `(prefix, id)` when `line` is a code block placeholder behind nothing but
/// container markers (`> `, list indentation, a list marker).
pub(super) fn block_placeholder(line: &str) -> Option<(&str, usize)> {
    let start = line.find(BLOCK_OPEN)?;
    let prefix = &line[..start];
    let rest = &line[start + BLOCK_OPEN.len_utf8()..];
    let end = rest.find(BLOCK_CLOSE)?;
    let id = rest[..end].parse().ok()?;
    let after = &rest[end + BLOCK_CLOSE.len_utf8()..];
    (is_container_prefix(prefix) && after.trim().is_empty()).then_some((prefix, id))
}

/// Whether `prefix` is only what htmd puts before a block inside
/// containers: spaces, `>` quote markers, list markers (`- `, `* `, `+ `,
/// `12. `, `3) `). Anything else (`**` from emphasis, heading `#`s) means
/// the block ended up inside a line.
pub(super) fn is_container_prefix(prefix: &str) -> bool {
    let bytes = prefix.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'>' => i += 1,
            b'-' | b'*' | b'+' if bytes.get(i + 1) == Some(&b' ') => i += 2,
            b'0'..=b'9' => {
                let start = i;
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                let marker = matches!(bytes.get(i), Some(b'.' | b')'))
                    && bytes.get(i + 1) == Some(&b' ')
                    && i - start <= 9;
                if !marker {
                    return false;
                }
                i += 2;
            }
            _ => return false,
        }
    }
    true
}

pub(super) fn push_code_block(out: &mut String, prefix: &str, code: &CodeBlock) {
    // Lines after the first keep quote markers but not list markers.
    let continuation: String = prefix
        .chars()
        .map(|c| if c == '>' { '>' } else { ' ' })
        .collect();
    let longest_run = code
        .text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest_run + 1).max(3));
    let lang = match code.lang.as_deref() {
        Some(lang) if obsidian::is_active_language(lang) => "text",
        Some(lang) => lang,
        None => "",
    };
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(prefix);
    out.push_str(&fence);
    out.push_str(lang);
    for line in code.text.split('\n') {
        out.push('\n');
        if line.is_empty() {
            out.push_str(continuation.trim_end());
        } else {
            out.push_str(&continuation);
            out.push_str(line);
        }
    }
    out.push('\n');
    out.push_str(&continuation);
    out.push_str(&fence);
}

/// Appends `prose`, replacing span placeholders (and block ones that ended
/// up inside a line) by code, and dropping any other mark.
pub(super) fn expand_spans(out: &mut String, prose: &str, stash: &Stash) {
    // Marks are U+FDD0..U+FDEF, whose UTF-8 starts with 0xEF.
    if !prose.as_bytes().contains(&0xEF) {
        out.push_str(prose);
        return;
    }
    let mut rest = prose;
    while let Some(start) = rest.find(is_mark) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let open_len = BLOCK_OPEN.len_utf8();
        let close = if after.starts_with(BLOCK_OPEN) {
            BLOCK_CLOSE
        } else if after.starts_with(SPAN_OPEN) {
            SPAN_CLOSE
        } else {
            rest = &after[open_len..];
            continue;
        };
        let Some(end) = after.find(close) else {
            rest = &after[open_len..];
            continue;
        };
        let id = after[open_len..end].parse::<usize>().ok();
        if close == BLOCK_CLOSE {
            if let Some(code) = id.and_then(|i| stash.blocks.get(i)) {
                let code = one_line(&code.text);
                if is_dangerous_code(&code) {
                    escape_prose(&escape_inline(&code), out);
                } else {
                    out.push_str(&code_span(&code));
                }
            }
        } else if let Some(span) = id.and_then(|i| stash.spans.get(i)) {
            out.push_str(span);
        }
        rest = &after[end + close.len_utf8()..];
    }
    out.push_str(rest);
}

/// Escapes one line of prose markdown produced by htmd (its own escapes are
/// kept): what would turn into HTML (`<tag`, `&entity;`), into a script
/// scheme or handler, or into Obsidian syntax (`%%` comments, `==`
/// highlights, `#tags`, `$` math). `{{` and `{%` are left alone on purpose:
/// they are plain text in markdown, and the site's templates escape note
/// content rather than evaluating it.
pub(super) fn escape_prose(line: &str, out: &mut String) {
    let bytes = line.as_bytes();
    // `line[copied..i]` is still to be copied; replacements only happen at
    // ASCII bytes, so every slice boundary is a char boundary.
    let mut copied = 0;
    // Whether the previous byte was a backslash that escapes this one.
    let mut escaped = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !is_prose_special(b) {
            escaped = false;
            i += 1;
            continue;
        }
        let was_escaped = escaped;
        escaped = false;
        let prev = if i > 0 { Some(bytes[i - 1]) } else { None };
        let next = bytes.get(i + 1).copied();
        // (bytes of input consumed, replacement, drop the escaping backslash)
        let replacement: Option<(usize, &str, bool)> = match b {
            // A no-break space: a plain space between words, nothing at the
            // start or end of a line or next to other spaces.
            0xC2 if next == Some(0xA0) => {
                let before = if i > copied {
                    line[..i].chars().next_back()
                } else {
                    out.chars().next_back()
                };
                let after = line[i + 2..].chars().next();
                let gap = |c: Option<char>| c.is_none_or(char::is_whitespace);
                Some((2, if gap(before) || gap(after) { "" } else { " " }, false))
            }
            b'\\' => {
                escaped = !was_escaped;
                None
            }
            b'<' if next
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, b'/' | b'!' | b'?')) =>
            {
                Some((1, "&lt;", was_escaped))
            }
            b'&' if !was_escaped && is_entity(&bytes[i + 1..]) => Some((1, "\\&", false)),
            b'$' if !was_escaped => Some((1, "\\$", false)),
            b'%' if !was_escaped && (prev == Some(b) || next == Some(b)) => Some((1, "\\%", false)),
            b'=' if !was_escaped && (prev == Some(b) || next == Some(b)) => Some((1, "\\=", false)),
            // Obsidian reads `#word` after whitespace (a no-break space
            // included) as a tag.
            b'#' if !was_escaped
                && next.is_some_and(|n| !n.is_ascii_whitespace() && n != b'#')
                && line[..i]
                    .chars()
                    .next_back()
                    .is_none_or(char::is_whitespace) =>
            {
                Some((1, "\\#", false))
            }
            b'j' | b'J' | b'v' | b'V'
                if next.is_some_and(|n| matches!(n, b'a' | b'A' | b'b' | b'B')) =>
            {
                let len = script_scheme_len(&bytes[i..]);
                (len > 0).then_some((len, "", false))
            }
            b'o' | b'O'
                if next.is_some_and(|n| n == b'n' || n == b'N')
                    && prev.is_none_or(|p| !p.is_ascii_alphanumeric()) =>
            {
                let len = handler_len(&bytes[i..]);
                (len > 0).then_some((len, "", false))
            }
            _ => None,
        };
        let Some((consumed, replacement, drop_backslash)) = replacement else {
            i += 1;
            continue;
        };
        out.push_str(&line[copied..if drop_backslash { i - 1 } else { i }]);
        if replacement.is_empty() && b != 0xC2 {
            // `javascript:` / `onload=`: the word stays, its last byte (`:`
            // or `=`) becomes a character reference.
            out.push_str(&line[i..i + consumed - 1]);
            out.push_str(if bytes[i + consumed - 1] == b':' {
                "&#58;"
            } else {
                "&#61;"
            });
        } else {
            out.push_str(replacement);
        }
        i += consumed;
        copied = i;
    }
    out.push_str(&line[copied..]);
}

/// Bytes that may start something [`escape_prose`] rewrites.
pub(super) static PROSE_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let specials = b"\\<&$%=#jJvVoO\xC2";
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

pub(super) fn is_prose_special(b: u8) -> bool {
    PROSE_SPECIAL[b as usize]
}

/// Whether `rest` (after an `&`) reads as a character reference.
pub(super) fn is_entity(rest: &[u8]) -> bool {
    let Some(end) = rest.iter().take(33).position(|&b| b == b';') else {
        return false;
    };
    let body = &rest[..end];
    match body {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        [first, ..] => first.is_ascii_alphabetic() && body.iter().all(u8::is_ascii_alphanumeric),
        [] => false,
    }
}

/// Length of `javascript:` or `vbscript:` (any case) at the start of `rest`.
pub(super) fn script_scheme_len(rest: &[u8]) -> usize {
    for scheme in [&b"javascript:"[..], &b"vbscript:"[..]] {
        if rest.len() >= scheme.len() && rest[..scheme.len()].eq_ignore_ascii_case(scheme) {
            return scheme.len();
        }
    }
    0
}

/// Length of `on<letters>=` (spaces allowed before `=`) at the start of `rest`.
pub(super) fn handler_len(rest: &[u8]) -> usize {
    if rest.len() < 4 || !rest[..2].eq_ignore_ascii_case(b"on") {
        return 0;
    }
    let mut j = 2;
    while j < rest.len() && rest[j].is_ascii_alphabetic() {
        j += 1;
    }
    if j == 2 {
        return 0;
    }
    while j < rest.len() && rest[j] == b' ' {
        j += 1;
    }
    if rest.get(j) == Some(&b'=') { j + 1 } else { 0 }
}

/// Used only if conversion panicked: the text of the document, tags
/// stripped, on one escaped line.
pub(super) fn plain_text_fallback(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag && !is_mark(c) => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    let mut out = String::with_capacity(text.len());
    escape_prose(&escape_inline(&text), &mut out);
    out
}
