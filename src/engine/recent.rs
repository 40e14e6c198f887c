//! The reasons this thread rendered last, by template and the values read
//! into it, when those are numbers or short texts: most reasons recur lead
//! after lead ("Buying within 69 days", "Confirmed budget of USD 60000"),
//! and finding one here costs a few comparisons where rendering it and
//! looking it up in [`Text::cached_with`](crate::Text) costs hundreds of instructions.
//! Direct-mapped: a new reason takes its slot's place.

use std::cell::RefCell;

use super::snapshot::Value;
use crate::Text;

const SLOTS: usize = 256;

/// Template ids of the engine's own reasons, from the top of the range
/// (table templates count up from 1, see `Template::fix`).
pub(crate) const SQL_STAGE: u64 = u64::MAX;
pub(crate) const SQL_READY: u64 = u64::MAX - 1;
pub(crate) const HELD: u64 = u64::MAX - 2;
pub(crate) const MQL: u64 = u64::MAX - 3;

/// A template's id and its values, each as a tag and one word: what
/// the rendered reason depends on, entirely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    template: u64,
    tags: [u8; 4],
    words: [u64; 4],
}

impl Key {
    /// `None` when a value is not a number, a boolean, missing or a
    /// text of at most eight bytes (and then the reason is not kept).
    #[inline]
    fn new(template: u64, values: &[Value<'_>]) -> Option<Key> {
        let mut key = Key { template, tags: [0; 4], words: [0; 4] };
        for (i, value) in values.iter().enumerate() {
            let (tag, word) = match *value {
                Value::Missing => (1, 0),
                Value::Int(n) => (2, n as u64),
                Value::Float(x) => (3, x.to_bits()),
                Value::Bool(b) => (4, u64::from(b)),
                Value::Str(s) => short(s)?,
                Value::Text(t) => short(t)?,
                Value::List(_) | Value::Structured => return None,
            };
            *key.tags.get_mut(i)? = tag;
            key.words[i] = word;
        }
        Some(key)
    }

    fn slot(&self) -> usize {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.template.wrapping_mul(K);
        for w in self.words.into_iter().chain([u64::from(u32::from_le_bytes(self.tags))]) {
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        (h >> (64 - SLOTS.trailing_zeros())) as usize
    }
}

/// A text of at most eight bytes as its length (the tag, from 16) and bytes.
fn short(s: &str) -> Option<(u8, u64)> {
    let bytes = s.as_bytes();
    if bytes.len() > 8 {
        return None;
    }
    let word = bytes.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b));
    Some((16 + bytes.len() as u8, word))
}

thread_local! {
    static RECENT: RefCell<Vec<Option<(Key, Text)>>> = const { RefCell::new(Vec::new()) };
}

fn get(key: &Key) -> Option<Text> {
    RECENT.with(|recent| match recent.try_borrow().ok()?.get(key.slot())? {
        Some((k, text)) if k == key => Some(text.clone()),
        _ => None,
    })
}

fn put(key: Key, text: &Text) {
    RECENT.with(|recent| {
        let Ok(mut recent) = recent.try_borrow_mut() else { return };
        if recent.is_empty() {
            recent.resize(SLOTS, None);
        }
        recent[key.slot()] = Some((key, text.clone()));
    });
}

/// The reason `render` writes for `values` of the template `template`: the
/// one this thread kept for them if it has one, else rendered (through
/// [`Text::cached_with`]) and kept. Values that are not numbers, booleans,
/// missing or short texts are rendered every time.
#[inline]
pub(crate) fn text(template: u64, values: &[Value<'_>], render: impl FnOnce(&mut String)) -> Text {
    let key = Key::new(template, values);
    if let Some(text) = key.as_ref().and_then(get) {
        return text;
    }
    let text = Text::cached_with(render);
    if let Some(key) = key {
        put(key, &text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_the_template_and_every_value_exactly() {
        let key = |template, values: &[Value<'_>]| Key::new(template, values);
        let one = key(1, &[Value::Int(1)]).unwrap();
        assert_eq!(key(1, &[Value::Int(1)]), Some(one));
        for other in [
            key(2, &[Value::Int(1)]),
            key(1, &[Value::Int(2)]),
            key(1, &[Value::Float(1.0)]),
            key(1, &[Value::Str("1")]),
            key(1, &[Value::Bool(true)]),
            key(1, &[Value::Int(1), Value::Missing]),
        ] {
            assert_ne!(other.unwrap(), one);
        }
        // Short texts by their bytes and length, whichever kind holds them.
        let usd = Text::from("USD");
        assert_eq!(key(1, &[Value::Text(&usd)]), key(1, &[Value::Str("USD")]));
        assert_ne!(key(1, &[Value::Str("USD")]), key(1, &[Value::Str("USD\0")]));
        assert_ne!(key(1, &[Value::Str("")]), key(1, &[Value::Missing]));
        // What is not kept: longer texts, lists, structured values.
        assert_eq!(key(1, &[Value::Str("nine byte")]), None);
        assert_eq!(key(1, &[Value::List(&[])]), None);
        assert_eq!(key(1, &[Value::Structured]), None);
    }

    #[test]
    fn a_reason_is_rendered_once_for_the_same_template_and_values() {
        let mut rendered = 0;
        let mut reason = |values: &[Value<'_>]| {
            text(MQL, values, |b| {
                rendered += 1;
                b.push_str(&format!("{values:?}"));
            })
        };
        let first = reason(&[Value::Int(61), Value::Int(60)]);
        assert_eq!(reason(&[Value::Int(61), Value::Int(60)]), first);
        assert_ne!(reason(&[Value::Int(61), Value::Int(55)]), first);
        // A long text is not kept: rendered each time.
        reason(&[Value::Str("longer than eight")]);
        reason(&[Value::Str("longer than eight")]);
        assert_eq!(rendered, 4);
    }

    #[test]
    fn a_reason_is_found_by_its_key_only() {
        let key = Key::new(7, &[Value::Int(69)]).unwrap();
        assert_eq!(get(&key), None);
        put(key, &Text::from("Buying within 69 days"));
        assert_eq!(get(&key).as_deref(), Some("Buying within 69 days"));
        assert_eq!(get(&Key::new(7, &[Value::Int(70)]).unwrap()), None);
        assert_eq!(get(&Key::new(8, &[Value::Int(69)]).unwrap()), None);
    }
}
