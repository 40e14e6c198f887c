//! Rules see an allow-list of functions: no clock, sleep, files, printing or
//! eval, none of rhai's functions that loop, copy before checking, recurse
//! into data or call other functions by name.

use leadgate::engine::EvalErrorKind;
use leadgate::pack::ProblemKind;

use super::{fails, refused, run};

#[test]
fn dangerous_functions_are_not_there() {
    for script in [
        "sleep(3600)",
        "timestamp()",
        "parse_json(\"{}\")",
        "open_file(\"/etc/passwd\")",
        "exit()",
        "get_fn_metadata_list()",
    ] {
        let err = fails(script, EvalErrorKind::Script);
        assert!(err.message().contains("Function not found"), "{script}: {err}");
    }
}

#[test]
fn functions_outside_the_allow_list_are_not_there() {
    for script in [
        // Loops inside a native function, where no limit runs.
        r#"let s = "x"; s.pad(10, "");"#,
        r#"let a = [1]; a.pad(1000000, lead);"#,
        // Calls by name that the operation count does not see.
        r#"let a = [1, 2]; a.map("to_string");"#,
        r#"let a = [1, 2]; a.filter("is_odd");"#,
        r#"let a = [2, 1]; a.sort("compare");"#,
        r#"let a = [1, 2]; a.reduce("add", 0);"#,
        r#"let a = [1, 2]; a.retain("is_odd");"#,
        r#"let a = [1, 2]; a.some("is_odd");"#,
        r#"let a = [1, 2]; a.all("is_odd");"#,
        r#"let a = [1, 2]; a.index_of("is_odd");"#,
        r#"let a = [1, 2]; a.dedup("eq");"#,
        r#"let a = [1, 2]; a.drain("is_odd");"#,
        // Functions that recurse into data.
        "let a = [1]; let b = a == a;",
        "let a = [1]; let b = a != [1];",
        // Growth and copies the size limits see only afterwards.
        r#"let a = [1]; a.push(a);"#,
        r#"let a = [1]; a.append(a);"#,
        r#"let s = "abc"; s.split("");"#,
        r#"let s = "abc"; let t = s.sub_string(0, 1);"#,
        r#"let s = "abc"; let t = s * 1000;"#,
        r#"let x = "1".parse_int();"#,
    ] {
        let err = fails(script, EvalErrorKind::Script);
        assert!(err.message().starts_with("Function not found"), "{script}: {err}");
    }
}

#[test]
fn the_allow_list_does_what_the_guide_says() {
    let d = run(r#"
        let title = "  VP of Revenue  ";
        title.trim();
        let lower = title.to_lower();
        if lower.contains("revenue") && lower.starts_with("vp") && lower.ends_with("revenue") && title.len() == 13 {
            decision.fit(1, "text");
        }
        let role = "economic_buyer";
        role.replace("_", " ");
        if role == "economic buyer" && "buyer" in role && 'y' in role { decision.fit(1, "replace"); }
        if "b" in ["a", "b"] && 2 in [1, 2.0] && !("x" in []) && [1, 2].len() == 2 { decision.fit(1, "lists"); }
        // `in` compares plain values only: a list is never found in a list.
        if !([1] in [[1]]) { decision.fit(1, "flat"); }
        if (2.7).to_int() == 2 && (-3).abs() == 3 && max(1, 2) == 2 && min(1.5, 2.5) == 1.5 { decision.fit(1, "numbers"); }
        if (2.5).round() == 3.0 && (2.5).floor() == 2.0 && (2.1).ceiling() == 3.0 && (2).to_float() == 2.0 { decision.fit(1, "rounding"); }
        let label = "n=" + 5 + ", x=" + 1.5 + ", " + true + () + `, ${[1, "a"]}`;
        if label == "n=5, x=1.5, true, [1, \"a\"]" { decision.fit(1, label); }
    "#)
    .unwrap();
    assert_eq!(d.fit, 7, "{:?}", d.contributions);
}

#[test]
fn numbers_that_do_not_fit_are_errors() {
    for (script, needle) in [
        ("let x = (1e300).to_int();", "does not fit"),
        ("let x = (0.0 / 0.0).to_int();", "does not fit"),
        ("let x = (-9223372036854775807 - 1).abs();", "overflow"),
    ] {
        let err = fails(script, EvalErrorKind::Script);
        assert!(err.message().contains(needle), "{script}: {err}");
    }
}

#[test]
fn dangerous_keywords_do_not_compile() {
    for script in [
        "eval(\"1\")",
        "import \"file\" as m;",
        "export const x = 1;",
        "print(\"x\")",
        "debug(\"x\")",
        "Fn(\"sleep\").call(1)",
        "fn f() { 1 }",
        "let f = |x| x;",
        "return;",
        "try { 1 } catch { }",
        "const x = 1;",
        "let m = #{};",
    ] {
        refused(script, ProblemKind::Syntax);
    }
}

#[test]
fn nothing_reaches_stdout() {
    // print is refused at load, so a pack cannot write to the host's output.
    let p = refused("print(lead.email)", ProblemKind::Syntax);
    assert!(p.message().contains("print"), "{p}");
}
