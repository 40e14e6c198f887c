/*!
leadgate decides **when marketing passes a lead to sales**, and explains why.

It gives a host application (a CRM, a marketing-automation tool, any Rust
program with leads) the domain types of the lead lifecycle and a
qualification engine whose rules are [Rhai](https://rhai.rs) scripts written
by the host's users, run in a hardened sandbox.

# Quick start

```
use leadgate::{Lead, Pack, Qualifier};

// Compile a rule pack once (here the shipped B2B BANT pack) ...
let qualifier = Qualifier::builder(&Pack::b2b_bant())
    .param("mql_threshold", 50) // ... with a tenant's own threshold.
    .build()?;

// Read a lead from JSON: unknown fields are kept, bad ones named.
let lead = Lead::from_json(r#"{
    "id": "L-1001",
    "created_at": "2026-10-01T09:30:00Z",
    "person": {"name": "Ada Lovelace", "email": "ada@analytical.io", "seniority": "vp"},
    "company": {"industry": "software", "employees": 450, "country": "GB"},
    "touchpoints": [
        {"at": "2026-11-20T10:00:00Z", "channel": "pricing_page"},
        {"at": "2026-11-21T15:00:00Z", "channel": "demo_request"}
    ]
}"#)?;

// Decide as of a time you choose: evaluation never reads the clock.
let decision = qualifier.evaluate(&lead, "2026-11-23T00:00:00Z".parse()?)?;
assert_eq!(decision.score, 79);
assert_eq!(decision.handoff.map(|h| h.stage), Some(leadgate::Stage::Mql)); // hand it to sales now
for c in &decision.contributions {
    println!("{:+4} {:<10} {}", c.points, c.category.as_str(), c.reason);
}
# Ok::<(), Box<dyn std::error::Error>>(())
```

# The crate at a glance

The modules follow the way data flows, and the root re-exports what every
user touches.

| module | what it holds | at the root |
|---|---|---|
| [`lead`] | the lead model: [`Lead`] (person, company, qualification facts, stage history, [`Touchpoint`]s on [`Channel`]s), [`Stage`] and its transition table ([`Lead::move_to`]), [`Assessment`] of criteria, [`Grade`], [`Temperature`], [`Money`]; reading leads from NDJSON or JSON arrays ([`read_leads`], [`read_leads_from`], and [`lead::read_lead_stream`] for endless streams) with [`InputError`]s that name the line, the lead and the field | the lead, its enums and errors, `read_leads` |
| [`pack`] | rule packs in source form: [`Pack`] (a `pack.toml` with decision tables and Rhai scripts; two shipped packs), its parameters and its [`PackError`] problems with file, line and column | [`Pack`], [`PackError`] |
| [`engine`] | [`Qualifier`]: a compiled pack that decides leads under [`Limits`], deterministically, in a hardened sandbox; [`EvalError`] when a lead cannot be decided | [`Qualifier`], [`Limits`], [`EvalError`] |
| [`decision`] | [`Decision`]: scores, grade, temperature, criteria with evidence, stage, handoff or why-not-yet, and every contribution; its JSON is a public contract | [`Decision`] |
| [`account`] | accounts: leads grouped by account id or company domain ([`account::group`]), and [`account::AccountDecision`], what [`Qualifier::evaluate_account`] says about a company: engagement rolled up from its contacts, fit counted once, the buying group engaged, a handoff as a marketing-qualified account or what is missing | |
| [`authoring`] | tools for rule authors: a pack's own tests, shadow comparison of a candidate pack, a live-swappable pack, editor definitions of the script API | |
| [`workflow`] | the closed loop: handoffs to sales under SLA policies on business calendars (time zones, holidays), accept or reject with reasons, recycling, overdue handoffs and breaches | |
| [`funnel`] | funnel numbers over leads' stage histories, overall, grouped or over a period: conversion, time in stage, rejection reasons by code | |
| [`calibration`] | rules, table rows, reasons, criteria and thresholds held against outcomes: lift with 95% intervals, precision and recall, selection bias flagged | |

Writing rules is documented for script writers, who need not know Rust, in
the [rule-authoring guide](guide). The repository's `ARCHITECTURE.md` says how
the modules fit together. The command-line tool `leadgate` (the repository's
`cli/` package) qualifies files, streams and CRM exports and gives rule
authors `check`, `test`, `diff` and `calibrate` without writing Rust.

# Cargo features

- `parallel`: `Qualifier::evaluate_batch_par` decides a batch on every
  core with rayon.

## rhai's features

leadgate enables rhai's `sync` feature, which makes compiled packs
`Send + Sync`; as cargo unifies features, a host's own rhai gets it too.
Never enable rhai's `unchecked` feature in a build that uses leadgate: it
removes every limit of the sandbox, and leadgate refuses to compile with it.
*/
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod account;
pub mod authoring;
pub mod calibration;
pub mod decision;
pub mod engine;
pub mod funnel;
pub mod lead;
pub mod pack;
mod suggest;
pub mod workflow;

// What every user touches: the lead model, packs, the qualifier, the
// decision, and their errors. Everything else is in the modules above.
pub use decision::Decision;
pub use engine::{EvalError, Limits, Qualifier};
pub use lead::ValueError;
pub use lead::{
    Assessment, BuyingRole, Channel, CriterionStatus, Currency, Direction, Grade, InputError, Lead, Money,
    Seniority, Stage, StageChange, Team, Temperature, Text, Timeline, Touchpoint, TransitionError,
    read_leads, read_leads_from,
};
pub use pack::{Pack, PackError};

// The README's Rust example compiles and runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The rule-authoring guide (`docs/RULES.md`): writing rule packs, for script
/// writers.
pub mod guide {
    #![doc = include_str!("../docs/RULES.md")]
}
