//! What the SQL tests and the Ballista test share: the leads, the registry,
//! and a decision as the SQL struct carries it, read back for comparison.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::prelude::SessionContext;
use leadgate::{Decision, Lead, Pack, Qualifier};
use leadgate_datafusion::{Registry, register};

pub const SAMPLES: &str = include_str!("../../../examples/data/leads.ndjson");
pub const AS_OF: &str = "2026-11-23T00:00:00Z";

pub fn as_of() -> DateTime<Utc> {
    AS_OF.parse().unwrap()
}

pub fn samples() -> Vec<Lead> {
    leadgate::read_leads(SAMPLES).map(|r| r.unwrap().lead).collect()
}

pub fn registry() -> Registry {
    Registry::new(Qualifier::new(&Pack::b2b_bant()).unwrap())
        .with("meddic", Qualifier::new(&Pack::meddic()).unwrap())
        .with("strict", Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 90).build().unwrap())
}

pub fn context() -> SessionContext {
    let ctx = SessionContext::new();
    register(&ctx, registry());
    ctx
}

pub async fn query(ctx: &SessionContext, sql: &str) -> RecordBatch {
    let df = ctx.sql(sql).await.unwrap_or_else(|e| panic!("{e}"));
    let schema = Arc::new(df.schema().as_arrow().clone());
    let batches = df.collect().await.unwrap();
    datafusion::arrow::compute::concat_batches(&schema, &batches).unwrap()
}

/// A decision as the SQL struct carries it.
#[derive(Debug, PartialEq)]
pub struct Row {
    pub numbers: [Option<i64>; 4],
    pub texts: [Option<String>; 7],
    pub criteria: Vec<(String, String)>,
    pub pack: Option<String>,
    pub pack_hash: Option<String>,
    pub error: Option<String>,
}

pub fn expected(d: &Decision) -> Row {
    Row {
        numbers: [Some(d.score), Some(d.fit), Some(d.engagement), Some(d.negative)],
        texts: [
            d.grade.map(|g| g.to_string()),
            d.temperature.map(|t| t.to_string()),
            Some(d.lead_stage.to_string()),
            Some(d.stage.to_string()),
            d.handoff.as_ref().map(|h| h.stage.to_string()),
            d.handoff.as_ref().map(|h| h.reason.to_string()),
            d.disqualified.as_ref().map(|q| q.reason.to_string()),
        ],
        criteria: d.criteria.iter().map(|(n, c)| (n.to_owned(), c.status.to_string())).collect(),
        pack: Some(format!("{} {}", d.pack.name, d.pack.version)),
        pack_hash: Some(d.pack.hash.to_string()),
        error: None,
    }
}

pub fn failed(error: &str) -> Row {
    Row {
        numbers: [None; 4],
        texts: Default::default(),
        criteria: Vec::new(),
        pack: None,
        pack_hash: None,
        error: Some(error.into()),
    }
}

pub fn rows(column: &ArrayRef) -> Vec<Row> {
    let s = column.as_struct();
    let number = |name: &str, i: usize| {
        let a = s.column_by_name(name).unwrap().as_primitive::<Int64Type>();
        a.is_valid(i).then(|| a.value(i))
    };
    let text = |name: &str, i: usize| {
        let a = s.column_by_name(name).unwrap().as_string::<i32>();
        a.is_valid(i).then(|| a.value(i).to_owned())
    };
    let criteria = s.column_by_name("criteria").unwrap().as_list::<i32>();
    (0..s.len())
        .map(|i| Row {
            numbers: ["score", "fit", "engagement", "negative"].map(|n| number(n, i)),
            texts: [
                "grade",
                "temperature",
                "lead_stage",
                "stage",
                "handoff_stage",
                "handoff_reason",
                "disqualified",
            ]
            .map(|n| text(n, i)),
            criteria: if criteria.is_valid(i) {
                let items = criteria.value(i);
                let items = items.as_struct();
                let (names, statuses) =
                    (items.column(0).as_string::<i32>(), items.column(1).as_string::<i32>());
                (0..items.len()).map(|k| (names.value(k).to_owned(), statuses.value(k).to_owned())).collect()
            } else {
                Vec::new()
            },
            pack: text("pack", i),
            pack_hash: text("pack_hash", i),
            error: text("error", i),
        })
        .collect()
}

pub fn library(pack: &Pack, leads: &[Lead]) -> Vec<Row> {
    let q = Qualifier::new(pack).unwrap();
    leads.iter().map(|l| expected(&q.evaluate(l, as_of()).unwrap())).collect()
}

/// xorshift64*: the same generated leads on every run.
pub fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// A lead with any mix of present and absent fields, touches and history.
pub fn generated(rng: &mut u64, i: usize) -> Lead {
    let mut pick = |items: &[&str]| items[(next(rng) % items.len() as u64) as usize].to_owned();
    let json = format!(
        r#"{{"id": "G-{i}", "created_at": "2026-06-01T00:00:00Z", "stage": {stage}, "source": {source},
            "person": {{"email": {email}, "seniority": {seniority}}},
            "company": {{"industry": {industry}, "employees": {employees}, "country": {country},
                         "annual_revenue": {revenue}}},
            "qualification": {{"budget": {budget}, "budget_confirmed": {confirmed}, "buying_role": {role},
                               "need": {need}, "pain_points": {pains}, "timeline": {timeline}, "purchase_date": {purchase}}},
            "attributes": {attributes},
            "touchpoints": [{touches}]}}"#,
        stage = pick(&["\"lead\"", "\"subscriber\"", "\"mql\"", "\"recycled\"", "null"]),
        source = pick(&["\"webinar\"", "null"]),
        email = pick(&["\"a@acme.io\"", "\"a@gmail.com\"", "\"spy@rivalcrm.com\"", "null"]),
        seniority = pick(&["\"vp\"", "\"c_level\"", "\"student\"", "null"]),
        industry = pick(&["\"software\"", "\"retail\"", "null"]),
        employees = pick(&["10", "120", "5000", "null"]),
        country = pick(&["\"US\"", "\"BR\"", "null"]),
        revenue = pick(&["{\"amount\": 1000000, \"currency\": \"USD\"}", "null"]),
        budget = pick(&[
            "{\"amount\": 5000, \"currency\": \"EUR\"}",
            "{\"amount\": 50000.5, \"currency\": \"GBP\"}",
            "null"
        ]),
        confirmed = pick(&["true", "false", "null"]),
        role = pick(&["\"economic_buyer\"", "\"end_user\"", "\"influencer\"", "null"]),
        need = pick(&["\"routing\"", "null"]),
        pains = pick(&["[]", "[\"slow\", \"manual\"]"]),
        timeline = pick(&["\"immediate\"", "\"no_plans\"", "null"]),
        purchase = pick(&["\"2026-12-20\"", "null"]),
        attributes = pick(&["{}", "{\"plan_interest\": \"growth\", \"seats\": 4}"]),
        touches = {
            let n = next(rng) % 12;
            let channels = [
                "webinar",
                "pricing_page",
                "demo_request",
                "email_open",
                "unsubscribe",
                "call",
                "custom:podcast",
            ];
            (0..n)
                .map(|k| {
                    let day = 1 + (next(rng) % 28);
                    let month = 9 + (next(rng) % 3);
                    let channel = channels[(next(rng) % channels.len() as u64) as usize];
                    format!(
                        r#"{{"at": "2026-{month:02}-{day:02}T{:02}:00:00Z", "channel": "{channel}"}}"#,
                        k % 24
                    )
                })
                .collect::<Vec<_>>()
                .join(",")
        },
    );
    Lead::from_json(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}
