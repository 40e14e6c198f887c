/*!
leadgate decides when marketing passes a lead to sales.

It gives a host application (a CRM, a marketing-automation tool, any Rust
program with leads) the domain types of the lead lifecycle and a
qualification engine whose rules are scripts written by the host's users.

# Quick start

```
use leadgate::{Lead, Stage};

let lead = Lead::from_json(r#"{
    "id": "L-1001",
    "created_at": "2026-11-01T09:30:00Z",
    "person": {"name": "Ada Lovelace", "seniority": "vp"},
    "company": {"industry": "software", "employees": 450},
    "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "pricing_page"}]
}"#)?;
assert_eq!(lead.stage(), Stage::Lead);
assert_eq!(lead.touchpoints.len(), 1);
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod assessment;
mod decision;
mod input;
mod lead;
mod pack;
mod params;
mod qualifier;
mod sandbox;
mod script;
mod stage;
mod suggest;
mod temperature;
mod text;
mod time;
mod touchpoint;

pub use assessment::{Assessment, Criterion, CriterionStatus};
pub use decision::{Category, Contribution, Decision, Handoff, PackId, Reasoned, WhyNotYet};
pub use input::{read_leads, read_leads_from, InputError, Record};
pub use lead::{BuyingRole, Company, Currency, Lead, Money, Person, Qualification, Seniority, Timeline};
pub use pack::{Location, Pack, PackError, Problem, ProblemKind};
pub use params::ParamValue;
pub use qualifier::{EvalError, EvalErrorKind, Qualifier, QualifierBuilder};
pub use sandbox::Limits;
pub use stage::{Stage, StageChange, TransitionError};
pub use temperature::{Grade, Temperature};
pub use text::Text;
pub use touchpoint::{Channel, Team, Touchpoint};
