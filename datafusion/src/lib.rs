//! leadgate inside [Apache DataFusion](https://datafusion.apache.org): decide
//! leads in SQL, from Arrow columns (Parquet, CSV, a warehouse's tables) or
//! from JSON text, with a compiled pack per tenant.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use datafusion::prelude::SessionContext;
//! use leadgate::{Lead, Pack, Qualifier};
//! use leadgate_datafusion::{Registry, leads_to_arrow, register};
//!
//! // Leads as an Arrow table: `id` and the `lead` struct (Parquet would do as well).
//! let lead = Lead::from_json(r#"{"id": "L-1", "created_at": "2026-11-01T00:00:00Z",
//!     "company": {"industry": "software", "employees": 300},
//!     "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#)?;
//! let ctx = SessionContext::new();
//! ctx.register_batch("leads", leads_to_arrow(&[lead])?)?;
//! register(&ctx, Registry::new(Qualifier::new(&Pack::b2b_bant())?));
//!
//! let df = ctx.sql("SELECT id, qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z')['score'] AS score FROM leads").await?;
//! let batches = df.collect().await?;
//! let pretty = datafusion::arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
//! assert!(pretty.contains("| L-1 | 54    |"), "{pretty}");
//! # Ok(()) }
//! ```
//!
//! The functions are [`register`]ed in a `SessionContext`; the shapes they
//! read and write are [`lead_type`], [`decision_type`] and
//! [`explanation_type`]. Decisions are those of
//! [`Qualifier::evaluate`](leadgate::Qualifier::evaluate), field for field.

mod arrow_lead;
#[cfg(feature = "ballista")]
pub mod ballista;
mod functions;
mod schema;

/// The DataFusion this package is built with: callers that name its types
/// through this path always have the version the functions are built for.
pub use datafusion;

pub use arrow_lead::leads_to_arrow;
pub use functions::{Registry, functions, nest_events, register};
pub use schema::{decision_type, explanation_type, lead_type};
