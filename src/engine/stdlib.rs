//! The language functions rules may call, as an allow-list.
//!
//! rhai's standard packages are not a sandbox: `pad` with an empty filler
//! never returns, `replace` and `pad` build their result before any size
//! check, array methods call other functions by name without counting them,
//! and `==`, `to_string` and `contains` recurse into nested data. So rules
//! get none of them. This module holds the few functions the guide documents
//! (`docs/RULES.md`, "The Rhai you need"), each bounded in time and output:
//! a function whose output grows with its arguments checks the size before
//! it builds, nothing loops on an empty pattern, and nothing calls another
//! function by name or recurses into data. It is built once and shared by
//! every engine.
//!
//! Operators on numbers, text and booleans (`+`, `==`, `<`...) are rhai's
//! own built-ins: checked arithmetic, linear in their operands.

use std::fmt::Write as _;
use std::sync::OnceLock;

use rhai::{
    Array, Dynamic, EvalAltResult, FLOAT, INT, ImmutableString, Module, NativeCallContext, Position, Shared,
};

use crate::lead::text::Number;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// How deep `to_string` and error messages look into nested lists; deeper
/// lists are written `[...]`.
const SHOWN_DEPTH: usize = 4;

/// The allow-listed functions, built on first use and shared by every engine.
pub(crate) fn module() -> Shared<Module> {
    static MODULE: OnceLock<Shared<Module>> = OnceLock::new();
    MODULE.get_or_init(|| build().into()).clone()
}

fn too_large(what: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorDataTooLarge(what.to_owned(), Position::NONE))
}

/// Refuses a string of `len` bytes before it is built.
fn check_len(ctx: &NativeCallContext, len: Option<usize>) -> Fallible<()> {
    match len {
        Some(n) if n <= ctx.engine().max_string_size() || ctx.engine().max_string_size() == 0 => Ok(()),
        _ => Err(too_large("Length of string")),
    }
}

/// Joins `a` and `b` after checking the result's size.
fn join(ctx: &NativeCallContext, a: &str, b: &str) -> Fallible<ImmutableString> {
    check_len(ctx, a.len().checked_add(b.len()))?;
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    s.push_str(b);
    Ok(s.into())
}

/// Whether two values are equal, for `in`: numbers, text, characters,
/// booleans and `()`. Lists are never equal to anything here, so `in` never
/// recurses into nested data.
fn same(a: &Dynamic, b: &Dynamic) -> bool {
    if let (Ok(x), Ok(y)) = (a.as_immutable_string_ref(), b.as_immutable_string_ref()) {
        return *x == *y;
    }
    if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
        return x == y;
    }
    let number = |d: &Dynamic| d.as_float().ok().or_else(|| d.as_int().ok().map(|i| i as FLOAT));
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x == y;
    }
    if let (Ok(x), Ok(y)) = (a.as_char(), b.as_char()) {
        return x == y;
    }
    if let (Ok(x), Ok(y)) = (a.as_bool(), b.as_bool()) {
        return x == y;
    }
    a.is_unit() && b.is_unit()
}

/// Writes `value` for people, at most `max` bytes; `None` when it would be
/// longer. Lists below [`SHOWN_DEPTH`] are written `[...]`, so this never
/// recurses deeply whatever the data.
pub(crate) fn show(value: &Dynamic, max: usize) -> Option<String> {
    let mut out = String::new();
    write_value(&mut out, value, 0, max)?;
    Some(out)
}

fn write_value(out: &mut String, value: &Dynamic, depth: usize, max: usize) -> Option<()> {
    if let Ok(s) = value.as_immutable_string_ref() {
        out.push_str(&s);
    } else if value.is_array() {
        write_items(out, &value.as_array_ref().ok()?, depth, max)?;
    } else if value.is_unit() {
        out.push_str("()");
    } else if let Ok(f) = value.as_float() {
        let _ = write!(out, "{}", Number(f));
    } else if let Ok(i) = value.as_int() {
        let _ = write!(out, "{i}");
    } else if let Ok(b) = value.as_bool() {
        let _ = write!(out, "{b}");
    } else if let Ok(c) = value.as_char() {
        out.push(c);
    } else {
        // leadgate's own types: the lead, the decision, parameters.
        out.push_str(value.type_name().rsplit("::").next().unwrap_or("?"));
    }
    (out.len() <= max).then_some(())
}

fn write_items(out: &mut String, items: &[Dynamic], depth: usize, max: usize) -> Option<()> {
    if depth >= SHOWN_DEPTH {
        out.push_str("[...]");
        return Some(());
    }
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if let Ok(s) = item.as_immutable_string_ref() {
            let _ = write!(out, "{:?}", s.as_str());
        } else {
            write_value(out, item, depth + 1, max)?;
        }
        if out.len() > max {
            return None;
        }
    }
    out.push(']');
    Some(())
}

fn build() -> Module {
    let mut m = Module::new();

    // Text.
    m.set_native_fn("len", |s: &str| Ok(s.chars().count() as INT));
    m.set_getter_fn("len", |s: &mut ImmutableString| Ok(s.chars().count() as INT));
    m.set_native_fn("is_empty", |s: &str| Ok(s.is_empty()));
    m.set_native_fn("contains", |s: &str, find: &str| Ok(s.contains(find)));
    m.set_native_fn("contains", |s: &str, find: char| Ok(s.contains(find)));
    m.set_native_fn("starts_with", |s: &str, find: &str| Ok(s.starts_with(find)));
    m.set_native_fn("ends_with", |s: &str, find: &str| Ok(s.ends_with(find)));
    m.set_native_fn("to_lower", |ctx: NativeCallContext, s: &str| {
        check_len(&ctx, Some(s.chars().flat_map(char::to_lowercase).map(char::len_utf8).sum()))?;
        Ok(ImmutableString::from(s.to_lowercase()))
    });
    m.set_native_fn("to_upper", |ctx: NativeCallContext, s: &str| {
        check_len(&ctx, Some(s.chars().flat_map(char::to_uppercase).map(char::len_utf8).sum()))?;
        Ok(ImmutableString::from(s.to_uppercase()))
    });
    m.set_native_fn("trim", |s: &mut ImmutableString| {
        let trimmed = s.trim();
        if trimmed.len() != s.len() {
            *s = trimmed.into();
        }
        Ok(())
    });
    m.set_native_fn("replace", |ctx: NativeCallContext, s: &mut ImmutableString, find: &str, with: &str| {
        replace(&ctx, s, find, with)
    });
    m.set_native_fn("replace", |ctx: NativeCallContext, s: &mut ImmutableString, find: char, with: char| {
        replace(&ctx, s, find.encode_utf8(&mut [0; 4]), with.encode_utf8(&mut [0; 4]))
    });

    // Text joined with values: "Company of " + size. Each result's size is
    // checked before it is built.
    macro_rules! joins {
        ($($ty:ty => $show:expr;)*) => {$(
            m.set_native_fn("+", |ctx: NativeCallContext, s: ImmutableString, x: $ty| join(&ctx, &s, &$show(x)));
            m.set_native_fn("+", |ctx: NativeCallContext, x: $ty, s: ImmutableString| join(&ctx, &$show(x), &s));
        )*};
    }
    joins! {
        INT => |x: INT| x.to_string();
        FLOAT => |x: FLOAT| Number(x).to_string();
        bool => |x: bool| x.to_string();
    }
    m.set_native_fn("to_string", |x: INT| Ok(ImmutableString::from(x.to_string())));
    m.set_native_fn("to_string", |x: FLOAT| Ok(ImmutableString::from(Number(x).to_string())));
    m.set_native_fn("to_string", |x: bool| Ok(ImmutableString::from(x.to_string())));
    m.set_native_fn("to_string", |x: char| Ok(ImmutableString::from(x.to_string())));
    m.set_native_fn("to_string", |x: ImmutableString| Ok(x));
    m.set_native_fn("to_string", |_: ()| Ok(ImmutableString::new()));
    m.set_native_fn("to_string", |ctx: NativeCallContext, a: &mut Array| {
        let mut out = String::new();
        write_items(&mut out, a, 0, ctx.engine().max_string_size())
            .map_or_else(|| Err(too_large("Length of string")), |()| Ok(ImmutableString::from(out)))
    });

    // Numbers. Integer results are checked; a float becomes an integer only
    // when it fits.
    m.set_native_fn("to_int", |x: INT| Ok(x));
    m.set_native_fn("to_int", |x: FLOAT| {
        whole(x.trunc()).ok_or_else(|| format!("{x} does not fit in an integer").into())
    });
    m.set_native_fn("to_float", |x: INT| Ok(x as FLOAT));
    m.set_native_fn("to_float", |x: FLOAT| Ok(x));
    m.set_native_fn("abs", |x: INT| x.checked_abs().ok_or_else(|| overflow("abs")));
    m.set_native_fn("abs", |x: FLOAT| Ok(x.abs()));
    m.set_native_fn("min", |a: INT, b: INT| Ok(a.min(b)));
    m.set_native_fn("max", |a: INT, b: INT| Ok(a.max(b)));
    m.set_native_fn("min", |a: FLOAT, b: FLOAT| Ok(a.min(b)));
    m.set_native_fn("max", |a: FLOAT, b: FLOAT| Ok(a.max(b)));
    m.set_native_fn("round", |x: FLOAT| Ok(x.round()));
    m.set_native_fn("floor", |x: FLOAT| Ok(x.floor()));
    m.set_native_fn("ceiling", |x: FLOAT| Ok(x.ceil()));

    // Lists: length and membership (`x in [...]`), nothing that recurses.
    m.set_native_fn("len", |a: &mut Array| Ok(a.len() as INT));
    m.set_getter_fn("len", |a: &mut Array| Ok(a.len() as INT));
    m.set_native_fn("is_empty", |a: &mut Array| Ok(a.is_empty()));
    m.set_native_fn("contains", |a: &mut Array, item: Dynamic| Ok(a.iter().any(|x| same(x, &item))));

    m.build_index();
    m
}

fn overflow(what: &str) -> Box<EvalAltResult> {
    format!("integer overflow in {what}").into()
}

/// A whole float as an integer, if it is one `INT` can hold (NaN and
/// infinities are not).
pub(crate) fn whole(x: FLOAT) -> Option<INT> {
    // 2^63 is exact as a float; every whole float in [-2^63, 2^63) fits.
    (x >= -(2f64.powi(63)) && x < 2f64.powi(63)).then_some(x as INT)
}

/// Replaces every `find` in `s` with `with`, in place, refusing an empty
/// pattern and a result over the string limit before building it.
fn replace(ctx: &NativeCallContext, s: &mut ImmutableString, find: &str, with: &str) -> Fallible<()> {
    if find.is_empty() {
        return Err("replace: the text to find is empty".into());
    }
    let count = s.matches(find).count();
    if count == 0 {
        return Ok(());
    }
    let len = (s.len() - count * find.len()).checked_add(count.saturating_mul(with.len()));
    check_len(ctx, len)?;
    *s = s.replace(find, with).into();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_compares_scalars_only() {
        assert!(same(&Dynamic::from_int(1), &Dynamic::from_float(1.0)));
        assert!(same(&"a".into(), &"a".into()));
        assert!(!same(&"1".into(), &Dynamic::from_int(1)));
        let list = Dynamic::from_array(vec![Dynamic::from_int(1)]);
        assert!(!same(&list, &list.clone()));
        assert!(same(&Dynamic::UNIT, &Dynamic::UNIT));
    }

    #[test]
    fn show_is_bounded_in_depth_and_length() {
        let mut v = Dynamic::from_int(1);
        for _ in 0..100 {
            v = Dynamic::from_array(vec![v]);
        }
        assert_eq!(show(&v, 100).as_deref(), Some("[[[[[...]]]]]"));
        let long = Dynamic::from_array(vec!["x".repeat(60).into(), "y".repeat(60).into()]);
        assert_eq!(show(&long, 100), None);
        assert_eq!(
            show(&Dynamic::from_array(vec!["a".into(), 1.into()]), 100).as_deref(),
            Some(r#"["a", 1]"#)
        );
    }

    #[test]
    fn whole_refuses_what_does_not_fit() {
        assert_eq!(whole(-(2f64.powi(63))), Some(INT::MIN));
        assert_eq!(whole(2f64.powi(63)), None);
        assert_eq!(whole(f64::NAN), None);
        assert_eq!(whole(f64::INFINITY), None);
        assert_eq!(whole(f64::NEG_INFINITY), None);
    }
}
