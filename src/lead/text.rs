//! [`Text`]: the crate's shared, immutable string.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use rhai::ImmutableString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An immutable, shared string.
///
/// Every string in a [`Lead`](crate::Lead) and a [`Decision`](crate::Decision)
/// is a `Text`. Cloning one never copies the string: it is a reference-count
/// increment, or, for the names and fixed reasons of a rule pack, which the
/// process keeps once, nothing at all. That is what lets the engine hand a
/// lead's strings to rule scripts, and put rule names and reasons into every
/// decision, without allocating.
///
/// It dereferences to [`str`], compares with `&str` and `String`, and
/// (de)serializes as a plain JSON string.
///
/// ```
/// use leadgate::Text;
///
/// let industry = Text::from("software");
/// assert_eq!(industry, "software");
/// assert!(industry.starts_with("soft"));
/// let copy = industry.clone(); // no allocation
/// assert_eq!(copy.len(), 8);
/// ```
#[derive(Clone)]
pub struct Text(Repr);

/// The most the process keeps of pack texts ([`Text::kept`]), in bytes,
/// each text counted with [`KEPT_OVERHEAD`].
const KEPT_BYTES: usize = 1 << 20;

/// What keeping one text costs besides its bytes: its two allocations and
/// its entry in the store's map.
const KEPT_OVERHEAD: usize = 128;

/// A string shared by reference count, or one of the strings a pack names
/// again and again (rule names, fixed reasons), kept for the process: a
/// decision copies such a name without touching a reference count, which is
/// an atomic operation on every copy and every drop.
#[derive(Clone)]
enum Repr {
    Shared(ImmutableString),
    Kept(&'static ImmutableString),
}

/// The texts [`Text::kept`] keeps, each once, and what they cost.
#[derive(Default)]
struct KeptStore {
    texts: std::collections::HashMap<&'static str, &'static ImmutableString>,
    bytes: usize,
}

impl KeptStore {
    /// `text`, kept once, unless keeping it would take the store past `limit` bytes.
    fn keep(&mut self, text: &str, limit: usize) -> Option<&'static ImmutableString> {
        if let Some(&kept) = self.texts.get(text) {
            return Some(kept);
        }
        // The string, its shared allocation and its entry in the map.
        let cost = text.len().saturating_add(KEPT_OVERHEAD);
        if self.bytes.saturating_add(cost) > limit {
            return None;
        }
        self.bytes += cost;
        let kept: &'static ImmutableString = Box::leak(Box::new(ImmutableString::from(text)));
        self.texts.insert(kept.as_str(), kept);
        Some(kept)
    }
}

impl Default for Text {
    /// The empty text, shared: making one does not allocate.
    fn default() -> Self {
        static EMPTY: std::sync::OnceLock<ImmutableString> = std::sync::OnceLock::new();
        Text(Repr::Kept(EMPTY.get_or_init(ImmutableString::new)))
    }
}

impl Text {
    /// The string slice.
    ///
    /// ```
    /// assert_eq!(leadgate::Text::from("hot").as_str(), "hot");
    /// ```
    #[inline]
    pub fn as_str(&self) -> &str {
        self.inner()
    }

    #[inline]
    fn inner(&self) -> &ImmutableString {
        match &self.0 {
            Repr::Shared(s) => s,
            Repr::Kept(s) => s,
        }
    }

    /// `text`, kept for the process when the process-wide store of kept
    /// texts has room, so that copies and drops of it are plain moves.
    ///
    /// For the names and fixed reasons of a pack, made when it is read or a
    /// qualifier is built. The store keeps each distinct text once (thousands of tenants
    /// of one pack share its names) and holds at most [`KEPT_BYTES`] in all,
    /// however many packs are built or what they name: past that, texts are
    /// shared by reference count as any other.
    pub(crate) fn kept(text: &str) -> Text {
        static STORE: std::sync::Mutex<Option<KeptStore>> = std::sync::Mutex::new(None);
        // The store is consistent between statements: a panic elsewhere leaves it usable.
        let mut store = STORE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match store.get_or_insert_with(KeptStore::default).keep(text, KEPT_BYTES) {
            Some(kept) => Text(Repr::Kept(kept)),
            None => Text::from(text),
        }
    }

    /// Formats a reason, sharing one `Text` per distinct short string per
    /// thread: decisions repeat the same reasons ("Buying within 90 days")
    /// lead after lead, and a shared one costs no allocation.
    pub(crate) fn cached(args: fmt::Arguments<'_>) -> Text {
        use std::fmt::Write as _;
        Text::cached_with(|buffer| {
            let _ = buffer.write_fmt(args);
        })
    }

    /// [`Text::cached`], written by `write` straight into the cache's buffer:
    /// decision tables render their reasons this way, without `fmt`.
    pub(crate) fn cached_with(write: impl FnOnce(&mut String)) -> Text {
        /// Entries per thread before the cache starts over, and the longest text kept.
        const ENTRIES: usize = 1024;
        const LONGEST: usize = 96;
        type Set = std::collections::HashSet<Text, std::hash::BuildHasherDefault<FxHasher>>;
        thread_local! {
            static CACHE: std::cell::RefCell<(String, Set)> = std::cell::RefCell::default();
        }
        CACHE.with(|cache| {
            let Ok(mut cache) = cache.try_borrow_mut() else {
                let mut text = String::new();
                write(&mut text);
                return Text::from(text);
            };
            let (buffer, texts) = &mut *cache;
            buffer.clear();
            write(buffer);
            if let Some(text) = texts.get(buffer.as_str()) {
                return text.clone();
            }
            let text = Text::from(buffer.as_str());
            if buffer.len() <= LONGEST {
                if texts.len() >= ENTRIES {
                    texts.clear();
                }
                texts.insert(text.clone());
            }
            text
        })
    }

    #[inline]
    pub(crate) fn to_script(&self) -> ImmutableString {
        self.inner().clone()
    }

    #[inline]
    pub(crate) fn from_script(s: ImmutableString) -> Self {
        Text(Repr::Shared(s))
    }
}

impl Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(Repr::Shared(s.into()))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Repr::Shared(s.into()))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::from(s.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        match t.0 {
            Repr::Shared(s) => s.into_owned(),
            Repr::Kept(s) => s.to_string(),
        }
    }
}

// Equality, order and hash are the string's, whichever way it is held (and
// so agree with `str`'s, as `Borrow<str>` requires).
impl PartialEq for Text {
    #[inline]
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text::from(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text::from(v))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// A number as reasons print it, the way a person writes it: whole numbers
/// without decimals (`4`, not `4.0`), others rounded to two decimals with
/// trailing zeros dropped (`2.1`, not `2.1020833333333333`).
pub(crate) struct Number(pub(crate) f64);

impl Number {
    /// Appends the number as [`Display`](fmt::Display) writes it, whole
    /// numbers (the usual case in reasons) without going through `fmt`.
    pub(crate) fn push_to(&self, buffer: &mut String) {
        let x = self.0;
        if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
            push_int(buffer, x as i64);
        } else {
            use std::fmt::Write as _;
            let _ = write!(buffer, "{self}");
        }
    }
}

/// Appends an integer in decimal.
pub(crate) fn push_int(buffer: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        buffer.push('-');
    }
    // ASCII digits, pushed one by one: no UTF-8 check needed.
    buffer.extend(digits[i..].iter().map(|&d| char::from(d)));
}

/// A fast, non-cryptographic hasher (rustc's "Fx") for the per-thread cache
/// of reasons, whose keys no lead chooses the hashes of: its strings are
/// bounded in length and count, and the cache starts over when full.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        // Past 2^53 there are no decimals to round, and `x * 100` could overflow.
        if !x.is_finite() || x.abs() >= 9_007_199_254_740_992.0 {
            return write!(f, "{x}");
        }
        let rounded = (x * 100.0).round() / 100.0;
        // `{}` writes the shortest text that reads back as the same float: 2.1, 4.
        // Adding 0.0 turns -0 into 0.
        write!(f, "{}", rounded + 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_people_write_them() {
        let show = |x: f64| Number(x).to_string();
        assert_eq!(show(2.1020833333333333), "2.1");
        assert_eq!(show(4.0), "4");
        assert_eq!(show(0.125), "0.13");
        assert_eq!(show(-0.001), "0");
        assert_eq!(show(1234.5), "1234.5");
        assert_eq!(show(49999.999), "50000");
        assert_eq!(show(-1.23456), "-1.23");
        assert_eq!(show(1e20), "100000000000000000000");
        for x in [0.0, -0.0, 4.0, -7.0, 50000.0, 2.1, 0.125, 1e20, -1.23456, 9_007_199_254_740_991.0] {
            let mut pushed = String::new();
            Number(x).push_to(&mut pushed);
            assert_eq!(pushed, show(x), "{x}");
        }
        for n in [0, 7, -7, 10, i64::MAX, i64::MIN] {
            let mut pushed = String::new();
            push_int(&mut pushed, n);
            assert_eq!(pushed, n.to_string());
        }
        assert_eq!(show(f64::NAN), "NaN");
    }

    fn is_kept(text: &Text) -> bool {
        matches!(text.0, Repr::Kept(_))
    }

    #[test]
    fn kept_and_shared_texts_are_the_same_string() {
        let (kept, shared) = (Text::kept("fit"), Text::from("fit"));
        assert!(is_kept(&kept) && !is_kept(&shared));
        assert_eq!(kept, shared);
        assert_eq!(kept.cmp(&Text::from("fiu")), std::cmp::Ordering::Less);
        // `Borrow<str>`: a map of texts is searched by `&str`.
        use std::hash::BuildHasher as _;
        let hasher = std::hash::RandomState::new();
        for text in [&kept, &shared] {
            assert_eq!(hasher.hash_one(text), hasher.hash_one("fit"));
        }
        let set: std::collections::HashSet<Text> = [kept.clone()].into();
        assert!(set.contains("fit") && set.contains(&shared));
        assert_eq!(String::from(kept.clone()), "fit");
        assert_eq!(kept.to_script(), shared.to_script());
        // Kept once: the same allocation however often it is asked for.
        assert_eq!(Text::kept(&String::from("fit")).as_ptr(), kept.as_ptr());
        assert!(is_kept(&Text::default()));
    }

    #[test]
    fn a_store_of_kept_texts_stops_at_its_bound() {
        // A store of its own (the process's is shared by every test), of 8 KiB.
        let mut store = KeptStore::default();
        let limit = 8 * 1024;
        let early = store.keep("early", limit).map(|s| s.as_ptr());
        assert_eq!(store.bytes, 5 + KEPT_OVERHEAD);
        // Texts of 1,000 bytes: 7 fit besides `early`, the 8th does not.
        let texts: Vec<String> = (0..8).map(|i| format!("{i}").repeat(1000)).collect();
        let kept: Vec<bool> = texts.iter().map(|t| store.keep(t, limit).is_some()).collect();
        assert_eq!(kept, [true, true, true, true, true, true, true, false]);
        assert_eq!(store.bytes, 5 + 7 * 1000 + 8 * KEPT_OVERHEAD);
        // Full, it still gives out what it kept, once each.
        assert_eq!(store.keep("early", limit).map(|s| s.as_ptr()), early);
        assert_eq!(store.texts.len(), 8);
        assert!(store.keep(&"late".repeat(250), limit).is_none());
        // What is left still takes a short text.
        assert!(store.keep("late", limit).is_some());
        assert_eq!(store.bytes, 5 + 4 + 7 * 1000 + 9 * KEPT_OVERHEAD);
    }

    #[test]
    fn json_round_trip_is_a_plain_string() {
        let t: Text = serde_json::from_str("\"café\"").unwrap();
        assert_eq!(t, "café");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"café\"");
    }

    #[test]
    fn rejects_non_strings() {
        assert!(serde_json::from_str::<Text>("5").is_err());
    }
}
