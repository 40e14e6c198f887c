//! The rule-authoring guide's examples are real: every Rhai block compiles
//! under the sandbox, and every complete `pack.toml` in it loads.

use leadgate::{Pack, Qualifier};

fn blocks(lang: &str) -> Vec<(usize, String)> {
    let guide = include_str!("../../docs/RULES.md");
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = guide;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").expect("closed fence");
        let line = guide[..guide.len() - rest.len() + start].matches('\n').count() + 2;
        out.push((line, body[..end].to_owned()));
        rest = &body[end..];
    }
    out
}

#[test]
fn every_rhai_block_compiles() {
    let blocks = blocks("rhai");
    assert!(blocks.len() >= 10, "the guide has examples");
    for (line, source) in blocks {
        let pack = Pack::from_script("guide", &source).unwrap();
        if let Err(e) = Qualifier::new(&pack) {
            panic!("docs/RULES.md:{line}: {e}");
        }
    }
}

#[test]
fn every_complete_manifest_loads() {
    for (line, toml) in blocks("toml") {
        if !toml.contains("[[rules]]") || toml.contains("file = ") {
            continue;
        }
        let pack = Pack::from_toml(&toml).unwrap_or_else(|e| panic!("docs/RULES.md:{line}: {e}"));
        Qualifier::new(&pack).unwrap_or_else(|e| panic!("docs/RULES.md:{line}: {e}"));
    }
}
