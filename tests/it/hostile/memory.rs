//! Memory bombs stop at the size limits, quickly and without large allocations.

use std::time::{Duration, Instant};

use leadgate::{EvalErrorKind, ProblemKind};

use super::{fails, fails_with, limits, refused_with};

#[test]
fn growing_strings_arrays_and_maps_hit_their_limits() {
    let scripts = [
        r#"let s = "x"; s.pad(1000000000, "x");"#,
        r#"let s = "ab"; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s; s += s;"#,
        "let a = []; a.pad(1000000000, 0);",
        "let a = [1, 2, 3, 4, 5, 6, 7, 8]; a += a; a += a; a += a; a += a; a += a; a += a; a += a; a += a;",
        r#"let m = #{}; m.a = 1; m.b = 2; m.c = 3;"#,
    ];
    let tight = limits(|l| {
        l.max_string_size = 1000;
        l.max_array_size = 100;
        l.max_map_size = 2;
    });
    for script in scripts {
        let start = Instant::now();
        let err = fails_with(tight, script, EvalErrorKind::TooLarge);
        assert!(err.is_limit());
        // Generous for a shared machine; the point is that nothing huge was built.
        assert!(start.elapsed() < Duration::from_secs(2), "{script}");
    }
}

#[test]
fn default_limits_stop_a_billion_character_string() {
    let err = fails(r#"let s = "x"; s.pad(1000000000, "x");"#, EvalErrorKind::TooLarge);
    assert!(err.message().contains("too large") || err.message().contains("Length"), "{err}");
}

#[test]
fn oversized_literals_are_refused_at_load() {
    let script = format!("let s = \"{}\";", "x".repeat(2000));
    refused_with(limits(|l| l.max_string_size = 1000), &script, ProblemKind::Syntax);
}

#[test]
fn too_many_variables_is_a_limit() {
    let script: String = (0..50).map(|i| format!("let v{i} = {i};\n")).collect();
    fails_with(limits(|l| l.max_variables = 10), &script, EvalErrorKind::TooLarge);
}
