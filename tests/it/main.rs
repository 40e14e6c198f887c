//! Integration tests: the public API only, one test crate (it links once).

mod accounts;
mod calibration;
mod engine;
mod errors;
mod funnel;
mod golden;
mod guide;
mod hostile;
mod input;
mod lifecycle;
mod pack_tests;
mod props;
mod script_api;
mod semantics;
mod shadow;
mod sla;
mod tables;
mod workflow;

use leadgate::{Lead, Pack, Qualifier};

/// The time most tests decide as of.
pub const AS_OF: &str = "2026-11-23T00:00:00Z";

pub fn as_of() -> chrono::DateTime<chrono::Utc> {
    AS_OF.parse().unwrap()
}

pub fn lead(json: &str) -> Lead {
    Lead::from_json(json).unwrap_or_else(|e| panic!("bad test lead: {e}"))
}

/// A minimal lead with extra JSON fields spliced in (`extra` is `"k": v, ...` or empty).
pub fn lead_with(extra: &str) -> Lead {
    let sep = if extra.is_empty() { "" } else { ", " };
    lead(&format!(r#"{{"id": "T-1", "created_at": "2026-01-01T00:00:00Z"{sep}{extra}}}"#))
}

/// A one-rule pack compiled with default limits.
pub fn qualifier(script: &str) -> Qualifier {
    Qualifier::new(&Pack::from_script("t", script).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

/// A pack from an inline manifest.
pub fn manifest(toml: &str) -> Qualifier {
    Qualifier::new(&Pack::from_toml(toml).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"))
}

/// A one-rule pack with a few declared parameters, for scripts that read `params`.
pub fn qualifier_with_params(script: &str) -> Qualifier {
    let manifest = format!(
        "name = \"p\"\nversion = \"1\"\n[params]\nmql_threshold = 60\nmin_budget = 10000\n\
         [[rules]]\nname = \"r\"\nscript = '''\n{script}\n'''\n"
    );
    Qualifier::new(&Pack::from_toml(&manifest).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

/// The shipped sample leads (`examples/data/leads.ndjson`).
pub fn sample_leads() -> Vec<Lead> {
    leadgate::read_leads(include_str!("../../examples/data/leads.ndjson"))
        .map(|r| r.unwrap_or_else(|e| panic!("sample lead: {e}")).lead)
        .collect()
}

/// Counts the bytes each thread allocates, so that hostile tests can show
/// that a memory bomb was refused before it was built.
pub mod alloc {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    pub struct Counting;

    thread_local! {
        static ALLOCATED: Cell<u64> = const { Cell::new(0) };
    }

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = ALLOCATED.try_with(|a| a.set(a.get() + layout.size() as u64));
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let _ = ALLOCATED.try_with(|a| a.set(a.get() + new_size as u64));
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// What `f` returns, and the bytes it allocated on this thread (each
    /// allocation counted, frees not subtracted: an upper bound of its peak).
    pub fn measured<T>(f: impl FnOnce() -> T) -> (T, u64) {
        let before = ALLOCATED.with(Cell::get);
        let out = f();
        (out, ALLOCATED.with(Cell::get) - before)
    }
}
