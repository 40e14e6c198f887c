//! Golden decisions: every shipped sample lead (`examples/data/leads.ndjson`)
//! decided by each shipped pack as of [`crate::AS_OF`], pinned as one JSON
//! snapshot per pack in `tests/it/snapshots/` (insta).
//!
//! The files pin the whole [`leadgate::Decision`] of each lead, in input
//! order: pack id and hashes, scores, grade, temperature, criteria, stages,
//! handoff or why not yet, every contribution and the rules that fired; a
//! lead that fails is pinned as `{"lead_id": ..., "error": ...}`. Any change
//! of behaviour (or of a pack's text, through its hash) fails these tests,
//! so it shows up in review as a diff of the snapshot files.
//!
//! To review or accept a change: `cargo insta review` (with cargo-insta), or
//! `INSTA_UPDATE=always cargo test --test it golden` and then read the diff
//! of `tests/it/snapshots/` before committing it.

use leadgate::{Pack, Qualifier};
use serde_json::{Value, json};

use crate::{as_of, sample_leads};

/// Every sample lead's decision (or error), in input order.
fn decisions(pack: &Pack) -> Vec<Value> {
    let q = Qualifier::new(pack).unwrap_or_else(|e| panic!("{e}"));
    let as_of = as_of();
    sample_leads()
        .iter()
        .map(|lead| match q.evaluate(lead, as_of) {
            Ok(decision) => serde_json::to_value(&decision).unwrap(),
            Err(err) => json!({"lead_id": lead.id, "error": err.to_string()}),
        })
        .collect()
}

#[test]
fn b2b_bant_decisions() {
    insta::assert_json_snapshot!("b2b_bant_decisions", decisions(&Pack::b2b_bant()));
}

#[test]
fn meddic_decisions() {
    insta::assert_json_snapshot!("meddic_decisions", decisions(&Pack::meddic()));
}
