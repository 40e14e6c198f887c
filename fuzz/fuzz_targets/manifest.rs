//! Any text as a pack.toml in a pack directory: loading (with its rule and
//! lead files confined to the directory), compiling, evaluating and running
//! its tests never panics.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use leadgate::{Lead, Pack, Qualifier};

/// A pack directory of this process, holding one rule file and one lead file.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("leadgate-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        std::fs::write(dir.join("r.rhai"), "decision.fit(1, \"file\");").expect("a rule file");
        std::fs::write(dir.join("lead.json"), r#"{"id": "L", "created_at": "2026-01-01T00:00:00Z"}"#)
            .expect("a lead file");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Pack::from_toml(text);
    if std::fs::write(dir().join("pack.toml"), text).is_err() {
        return;
    }
    let Ok(pack) = Pack::load(dir()) else { return };
    let _ = pack.run_tests();
    let Ok(q) = Qualifier::new(&pack) else { return };
    let lead = Lead::new("F-1", "2026-10-01T00:00:00Z".parse().expect("a time"));
    let _ = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse().expect("a time"));
});
