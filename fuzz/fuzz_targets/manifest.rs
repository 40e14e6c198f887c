//! Any text as a pack.toml: loading, compiling and evaluating never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use leadgate::{Lead, Pack, Qualifier};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(pack) = Pack::from_toml(text) else { return };
    let Ok(q) = Qualifier::new(&pack) else { return };
    let lead = Lead::new("F-1", "2026-10-01T00:00:00Z".parse().expect("a time"));
    let _ = q.evaluate(&lead, "2026-11-23T00:00:00Z".parse().expect("a time"));
});
