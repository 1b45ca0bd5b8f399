//! The grammar over the block stage's structural bytes (`blocks.rs`): containers, keys and
//! their colons, commas, the top level (root kind, first element, reserved names, the resume
//! after an event name), and each number or literal with the byte after it.
//!
//! Strings are not read here: the block stage found their bounds and checked their bytes, so
//! a string is its opening quote, and the next structural byte is the one after its end. The
//! next position to read comes from the block's bit mask, not from the previous string's
//! end, so nothing chains one string's scan to the next.
//!
//! The walk only accepts or refuses; where and why the input is wrong comes from the scalar
//! pass (`Validator`), run again on refused input (a peer fault, so off the fast path).

use super::blocks::Blocks;
use super::{Elements, Validator, MAX_DEPTH};
use crate::socket::scan::{First, Root};

/// The walk refused the input; `at` is the structural byte it stopped at.
#[derive(Debug)]
pub(super) struct Refused {
    pub(super) at: usize,
}

pub(super) struct Walk<'a, 'b> {
    /// The scalar pass's cursor, for numbers, literals and the first element's name.
    v: Validator<'a>,
    /// Held by reference: the block stage is a call away, and a pointer into the walk would
    /// keep the walk's own state in memory rather than in registers.
    blocks: &'b mut Blocks<'a>,
    /// The structural bytes of the current block not read yet, and where the block starts.
    bits: u64,
    base: usize,
    /// The structural byte read last (the input's length after the end).
    at: usize,
}

/// Whether `c` may follow a number or literal: not a scalar byte of the block stage (the end
/// of the input reads as 0).
#[inline(always)]
fn ends_scalar(c: u8) -> bool {
    c <= b' ' || c == b',' || c & 0xd9 == 0x59 || c == b'"' || c == b':'
}

/// Validates `json` (see [`super::validate_split`]).
#[inline(always)]
pub(super) fn validate(json: &str, elements: &mut impl Elements) -> Result<Root, Refused> {
    let mut blocks = Blocks::new(json.as_bytes(), 0);
    Walk::new(json, 0, &mut blocks).run(elements)
}

/// Validates `json` after its first element (see [`super::validate_after_first`]).
#[inline(always)]
pub(super) fn validate_after_first(json: &str, after_first: usize) -> Result<(), Refused> {
    let mut blocks = Blocks::new(json.as_bytes(), after_first);
    Walk::new(json, after_first, &mut blocks).run_after_first()
}

impl<'a, 'b> Walk<'a, 'b> {
    /// The walk over `json` from `from`, where no string is open.
    #[inline(always)]
    fn new(json: &'a str, from: usize, blocks: &'b mut Blocks<'a>) -> Self {
        let b = json.as_bytes();
        Walk {
            v: Validator {
                s: json,
                b,
                i: from,
            },
            blocks,
            bits: 0,
            base: from,
            at: from,
        }
    }

    fn refuse<T>(&self) -> Result<T, Refused> {
        Err(Refused { at: self.at })
    }

    /// The next structural byte (its index in `self.at`), 0 after the last one.
    #[inline(always)]
    fn next(&mut self) -> u8 {
        while self.bits == 0 {
            (self.base, self.bits) = self.blocks.next_block();
            if self.base >= self.v.b.len() {
                self.at = self.base;
                return 0;
            }
        }
        self.at = self.base + self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        // Structural bytes are never padding, so this is always in the input (and never 0:
        // control bytes are not structural).
        debug_assert!(self.at < self.v.b.len());
        self.v.b.get(self.at).copied().unwrap_or(0)
    }

    /// The whole input: its root (and first element) as [`super::validate`] reports them.
    #[inline(always)]
    fn run(&mut self, elements: &mut impl Elements) -> Result<Root, Refused> {
        let mut c = self.next();
        let root;
        let stack;
        match c {
            b'{' | b'[' => {
                let is_obj = c == b'{';
                c = self.next();
                if c == if is_obj { b'}' } else { b']' } {
                    return self.finish(if is_obj {
                        Root::Object
                    } else {
                        Root::Array(None)
                    });
                }
                if is_obj {
                    stack = 0b11;
                    root = Root::Object;
                    self.key(c)?;
                    c = self.next();
                } else {
                    stack = 0b10;
                    root = Root::Array(Some(match c {
                        b'"' => First::Str(self.name()?),
                        b'-' | b'0'..=b'9' => First::Number,
                        // Checked by the walk.
                        _ => First::Other,
                    }));
                }
            }
            b'"' => return self.finish(Root::String),
            _ => {
                self.scalar(c)?;
                return self.finish(Root::Other);
            }
        }
        self.values(stack, c, root, elements)
    }

    /// Inside a top-level array, after its first element (see
    /// [`super::validate_after_first`]).
    #[inline(always)]
    fn run_after_first(&mut self) -> Result<(), Refused> {
        match self.next() {
            b']' => self.finish(()),
            b',' => {
                let c = self.next();
                // The root is not read again.
                self.values(0b10, c, Root::Other, &mut ()).map(|_| ())
            }
            _ => self.refuse(),
        }
    }

    /// Values and what follows them until the root closes, `c` being the first byte of a
    /// value, inside the containers `stack` holds (as in `Validator::run_from`: one bit per
    /// open container, set for an object, the innermost in bit 0, a set bit above them).
    #[inline(always)]
    fn values<E: Elements>(
        &mut self,
        mut stack: u128,
        mut c: u8,
        root: Root,
        elements: &mut E,
    ) -> Result<Root, Refused> {
        // Start of the current top-level element.
        let mut element = self.at;
        loop {
            if stack < 0b100 {
                element = self.at;
            }
            match c {
                // Checked by the block stage.
                b'"' => {}
                b'{' | b'[' => {
                    if stack >> MAX_DEPTH != 0 {
                        return self.refuse();
                    }
                    let is_obj = c == b'{';
                    c = self.next();
                    if c != if is_obj { b'}' } else { b']' } {
                        stack = stack << 1 | u128::from(is_obj);
                        if is_obj {
                            self.key(c)?;
                            c = self.next();
                        }
                        continue;
                    }
                }
                _ => self.scalar(c)?,
            }
            // After a value: a comma (and the next key in an object), or closing brackets.
            loop {
                c = self.next();
                if E::NEEDED && stack < 0b100 {
                    elements.push(element, self.end_of(element));
                }
                let in_obj = stack & 1 == 1;
                if c == b',' {
                    c = self.next();
                    if in_obj {
                        self.key(c)?;
                        c = self.next();
                    }
                    break;
                }
                if c != if in_obj { b'}' } else { b']' } {
                    return self.refuse();
                }
                stack >>= 1;
                if stack == 1 {
                    // Depth 0: the root closed.
                    return self.finish(root);
                }
            }
        }
    }

    /// Where the top-level element starting at `start` ends, the structural byte after it
    /// being at `self.at` (only whitespace lies between: any other byte would be structural).
    fn end_of(&self, start: usize) -> usize {
        let mut end = self.at;
        while end > start && matches!(self.v.b.get(end - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            end -= 1;
        }
        end
    }

    /// A key (the string whose opening quote `c` is) and its colon.
    #[inline(always)]
    fn key(&mut self, c: u8) -> Result<(), Refused> {
        if c != b'"' || self.next() != b':' {
            return self.refuse();
        }
        Ok(())
    }

    /// A number or literal starting at `self.at` with `c`, and the byte after it.
    #[inline(always)]
    fn scalar(&mut self, c: u8) -> Result<(), Refused> {
        self.v.i = self.at;
        if self.v.scalar(c).is_err() || !ends_scalar(self.v.byte()) {
            return self.refuse();
        }
        Ok(())
    }

    /// The top-level array's first element, a string at `self.at`: the reserved event name it
    /// is, if any (its end found by the scalar pass's string scan).
    fn name(&mut self) -> Result<Option<&'static str>, Refused> {
        self.v.i = self.at;
        self.v.first_string().or_else(|_| self.refuse())
    }

    /// The end of the root value: no structural byte follows, every string closed and none
    /// held a wrong byte.
    fn finish<T>(&mut self, root: T) -> Result<T, Refused> {
        if self.next() != 0 || !self.blocks.clean() {
            return self.refuse();
        }
        Ok(root)
    }
}
