//! Lines of code already parsed in this build, so that a line met again in
//! the same parse state is not parsed again. Parsing a line is a pure
//! function of the line and the state before it, and it is the costliest
//! step of a build: code repeats lines (imports, braces, common calls, a
//! snippet in several notes), and each repeat costs a lookup instead of a
//! run of the grammar's regexes.
//!
//! A parse state holds regex regions that may not cross threads, so each
//! thread keeps its own memo; a memo made for another build is dropped
//! the first time the thread parses for this one, and all are dropped
//! once the build's notes are rendered ([`Lines::forget`]).

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};
use syntect::parsing::{ParseState, ParsingError, ScopeStackOp, SyntaxSet};

/// Parsed lines a thread keeps at most, about a kilobyte each: the memory
/// this takes is bounded whatever the size of the site.
const MAX_KEPT: usize = 16 * 1024;

/// Parse states kept for one line: a line such as `}` is met in many.
const MAX_STATES_PER_LINE: usize = 4;

/// The scope operations of one line, as `ParseState::parse_line` gives them.
pub type Ops = Vec<(usize, ScopeStackOp)>;

/// A line parsed once: what it gave, and the state after it.
struct Parsed {
    line: Box<str>,
    before: ParseState,
    ops: Ops,
    after: ParseState,
}

#[derive(Default)]
struct Memo {
    /// The [`Lines`] this memo is for.
    build: u64,
    kept: usize,
    /// Lines (by hash) met at least once: a line is kept only when met
    /// again, so lines that never repeat cost no memory.
    seen: FxHashSet<u64>,
    parsed: FxHashMap<u64, Vec<Parsed>>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::default();
}

/// The memo of one build: each [`Lines`] is a new one.
pub struct Lines {
    build: u64,
}

impl Default for Lines {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Lines {
            build: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Lines {
    /// Lets go of what every thread keeps: once the notes are rendered,
    /// the memory goes back to the rest of the build.
    pub fn forget(&self) {
        rayon::broadcast(|_| drop(MEMO.take()));
    }

    /// `state.parse_line(line, syntaxes)`, from the memo when this line
    /// was parsed before in the same state.
    pub fn parse(
        &self,
        state: &mut ParseState,
        line: &str,
        syntaxes: &SyntaxSet,
    ) -> Result<Ops, ParsingError> {
        MEMO.with_borrow_mut(|memo| {
            if memo.build != self.build {
                *memo = Memo {
                    build: self.build,
                    ..Memo::default()
                };
            }
            memo.parse(state, line, syntaxes)
        })
    }
}

impl Memo {
    fn parse(
        &mut self,
        state: &mut ParseState,
        line: &str,
        syntaxes: &SyntaxSet,
    ) -> Result<Ops, ParsingError> {
        let hash = FxBuildHasher.hash_one(line);
        if let Some(found) = self
            .parsed
            .get(&hash)
            .and_then(|all| all.iter().find(|p| &*p.line == line && p.before == *state))
        {
            *state = found.after.clone();
            return Ok(found.ops.clone());
        }
        // Once full, the memo only answers: it learns no more lines.
        if self.kept >= MAX_KEPT || self.seen.insert(hash) {
            return state.parse_line(line, syntaxes);
        }
        let before = state.clone();
        let ops = state.parse_line(line, syntaxes)?;
        let states = self.parsed.entry(hash).or_default();
        if states.len() < MAX_STATES_PER_LINE {
            states.push(Parsed {
                line: line.into(),
                before,
                ops: ops.clone(),
                after: state.clone(),
            });
            self.kept += 1;
        }
        Ok(ops)
    }
}
