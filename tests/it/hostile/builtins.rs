//! No clock, no sleep, no files, no printing, no eval: those functions do not exist.

use leadgate::{EvalErrorKind, ProblemKind};

use super::{fails, refused};

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
