//! The rule-authoring guide's examples are real: every Rhai block compiles
//! and passes the load checks inside the default pack, and every complete
//! `pack.toml` in it loads.

use leadgate::{Pack, Qualifier};

fn blocks(lang: &str) -> Vec<(usize, String)> {
    fenced().into_iter().filter(|(l, ..)| l == lang).map(|(_, line, body)| (line, body)).collect()
}

/// Every fenced block in document order: language, first line, body.
fn fenced() -> Vec<(String, usize, String)> {
    let guide = include_str!("../../docs/RULES.md");
    let mut out = Vec::new();
    let mut rest = guide;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let Some(newline) = after.find('\n') else { break };
        let lang = after[..newline].split(',').next().unwrap_or("").to_owned();
        let body = &after[newline + 1..];
        let end = body.find("```").expect("closed fence");
        let line = guide[..guide.len() - rest.len() + start].matches('\n').count() + 2;
        out.push((lang, line, body[..end].to_owned()));
        rest = &body[end + 3..];
    }
    out
}

/// The default pack's parameters and criteria around one rule, as a reader
/// who copies an example into `packs/b2b-bant` would have it.
fn in_default_pack(source: &str, criteria: Option<&toml::Value>) -> String {
    let default = Pack::b2b_bant();
    let mut params: String = default.params().map(|(name, value)| format!("{name:?} = {value}\n")).collect();
    // Parameters the guide itself declares for its recipes.
    for (_, block) in blocks("toml") {
        let Ok(table) = toml::from_str::<toml::Table>(&block) else { continue };
        for (name, value) in table.get("params").and_then(|p| p.as_table()).into_iter().flatten() {
            if !default.params().any(|(n, _)| n == name) && !params.contains(&format!("{name:?} =")) {
                params.push_str(&format!("{name:?} = {value}\n"));
            }
        }
    }
    let criteria = criteria.map(|c| format!("criteria = {c}\n")).unwrap_or_default();
    format!(
        "name = \"guide\"\nversion = \"1\"\n{criteria}[params]\n{params}[[rules]]\nname = \"example\"\nscript = '''\n{source}'''\n"
    )
}

#[test]
fn every_rhai_block_compiles_and_passes_the_load_checks() {
    let mut checked = 0;
    // A manifest block right before an example may name its criteria.
    let mut criteria: Option<toml::Value> = None;
    for (lang, line, body) in fenced() {
        match lang.as_str() {
            "toml" => {
                criteria = toml::from_str::<toml::Table>(&body).ok().and_then(|t| t.get("criteria").cloned())
            }
            "rhai" => {
                let manifest = in_default_pack(&body, criteria.take().as_ref());
                let pack = Pack::from_toml(&manifest).unwrap_or_else(|e| panic!("docs/RULES.md:{line}: {e}"));
                if let Err(e) = Qualifier::new(&pack) {
                    panic!("docs/RULES.md:{line}: {e}");
                }
                checked += 1;
            }
            _ => criteria = None,
        }
    }
    assert_eq!(checked, 19, "the guide's pack examples, all checked");
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
