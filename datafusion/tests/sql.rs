//! The SQL functions against the library: every decision through DataFusion
//! equals `Qualifier::evaluate`, field for field, from Arrow structs, from
//! JSON and from Parquet; bad rows are errors in their row, and the query
//! goes on.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema};
use datafusion::prelude::ParquetReadOptions;
use leadgate::{Lead, Pack, Qualifier};
use leadgate_datafusion::leads_to_arrow;

mod common;

use common::*;

#[tokio::test]
async fn every_sample_lead_decided_in_sql_is_the_library_decision() {
    let ctx = context();
    let leads = samples();
    ctx.register_batch("leads", leads_to_arrow(&leads).unwrap()).unwrap();
    let batch = query(
        &ctx,
        &format!(
            "SELECT qualify(lead, TIMESTAMP '{AS_OF}') AS bant, qualify(lead, TIMESTAMP '{AS_OF}', 'meddic') AS meddic FROM leads"
        ),
    )
    .await;
    assert_eq!(rows(batch.column(0)), library(&Pack::b2b_bant(), &leads));
    assert_eq!(rows(batch.column(1)), library(&Pack::meddic(), &leads));
}

#[tokio::test]
async fn json_text_is_decided_alike() {
    let ctx = context();
    let json: StringArray = SAMPLES.lines().map(Some).collect();
    let schema = Schema::new(vec![Field::new("json", DataType::Utf8, true)]);
    ctx.register_batch("raw", RecordBatch::try_new(Arc::new(schema), vec![Arc::new(json)]).unwrap()).unwrap();
    let batch = query(&ctx, &format!("SELECT qualify_json(json, TIMESTAMP '{AS_OF}') FROM raw")).await;
    assert_eq!(rows(batch.column(0)), library(&Pack::b2b_bant(), &samples()));
}

#[tokio::test]
async fn parquet_round_trips_the_leads() {
    let dir = std::env::temp_dir().join(format!("leadgate-datafusion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("leads.parquet");
    let batch = leads_to_arrow(&samples()).unwrap();
    let mut writer = datafusion::parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let ctx = context();
    ctx.register_parquet("leads", path.to_str().unwrap(), ParquetReadOptions::default()).await.unwrap();
    let batch = query(&ctx, &format!("SELECT qualify(lead, TIMESTAMP '{AS_OF}') FROM leads")).await;
    assert_eq!(rows(batch.column(0)), library(&Pack::b2b_bant(), &samples()));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Leads whose Arrow form is broken in every way a table can break one,
/// between good ones: each bad row is an error naming its field.
#[tokio::test]
async fn bad_rows_are_errors_in_their_row_and_the_query_goes_on() {
    let mut leads = vec![Lead::new("good-1", "2026-11-01T00:00:00Z".parse().unwrap())];
    let mut empty = samples()[0].clone();
    empty.id = "empty-lists".into();
    empty.touchpoints.clear();
    empty.qualification.pain_points.clear();
    leads.push(empty);
    let batch = leads_to_arrow(&leads).unwrap();
    let good = batch.column(1).as_struct().clone();
    let ctx = context();
    ctx.register_batch("good", batch.clone()).unwrap();
    let decided = query(&ctx, &format!("SELECT qualify(lead, TIMESTAMP '{AS_OF}') FROM good")).await;
    assert_eq!(rows(decided.column(0)), library(&Pack::b2b_bant(), &leads));

    // Bad values, set through the JSON of a lead the Arrow writer never makes.
    let bad = |json: &str| format!("'{json}'");
    let cases = [
        (
            bad(r#"{"id": "x", "created_at": "2026-11-01T00:00:00Z", "person": {"seniority": "vpp"}}"#),
            "person.seniority",
        ),
        (
            bad(
                r#"{"id": "x", "created_at": "2026-11-01T00:00:00Z", "touchpoints": [{"at": "2026-11-02T00:00:00Z", "channel": "webnar"}]}"#,
            ),
            "channel",
        ),
        (bad(r#"{"id": "", "created_at": "2026-11-01T00:00:00Z"}"#), "id"),
        ("'not json'".to_owned(), "expected"),
        ("NULL".to_owned(), "the lead is null"),
    ];
    for (json, needle) in &cases {
        let batch = query(&ctx, &format!("SELECT qualify_json({json}, TIMESTAMP '{AS_OF}')")).await;
        let row = &rows(batch.column(0))[0];
        assert!(row.error.as_deref().is_some_and(|e| e.contains(needle)), "{json}: {row:?}");
        assert_eq!(row.numbers, [None; 4]);
    }

    // Arrow values the JSON cannot carry: a null lead, null structs and
    // lists, a negative head count, a history that does not match.
    let columns = |f: &dyn Fn(&str, &ArrayRef) -> ArrayRef| -> Vec<ArrayRef> {
        good.fields().iter().zip(good.columns()).map(|(field, c)| f(field.name(), c)).collect()
    };
    let null_all = |c: &ArrayRef| datafusion::arrow::array::new_null_array(c.data_type(), c.len());
    let nulled = StructArray::try_new(
        good.fields().clone(),
        columns(&|name, c| match name {
            "person" | "company" | "qualification" | "touchpoints" | "stage_history" | "attributes" => {
                null_all(c)
            }
            _ => c.clone(),
        }),
        Some(vec![true, false].into()),
    )
    .unwrap();
    let schema = Schema::new(vec![Field::new("lead", nulled.data_type().clone(), true)]);
    ctx.register_batch("nulled", RecordBatch::try_new(Arc::new(schema), vec![Arc::new(nulled)]).unwrap())
        .unwrap();
    let batch = query(&ctx, &format!("SELECT qualify(lead, TIMESTAMP '{AS_OF}') FROM nulled")).await;
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    assert_eq!(
        rows(batch.column(0)),
        [expected(&q.evaluate(&leads[0], as_of()).unwrap()), failed("the lead is null")]
    );

    // A lead table with only some of the fields: what is absent is null.
    let few = StructArray::try_new(
        vec![Field::new("id", DataType::Utf8, false), Field::new("created_at", DataType::Utf8, false)].into(),
        vec![
            Arc::new(StringArray::from(vec!["a", "b"])),
            Arc::new(StringArray::from(vec!["2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"])),
        ],
        None,
    )
    .unwrap();
    let schema = Schema::new(vec![
        Field::new("lead", few.data_type().clone(), false),
        Field::new("pack", DataType::Utf8, true),
    ]);
    let packs: ArrayRef = Arc::new(StringArray::from(vec![None, Some("nowhere")]));
    ctx.register_batch("few", RecordBatch::try_new(Arc::new(schema), vec![Arc::new(few), packs]).unwrap())
        .unwrap();
    let batch = query(&ctx, &format!("SELECT qualify(lead, TIMESTAMP '{AS_OF}', pack) FROM few")).await;
    let got = rows(batch.column(0));
    assert_eq!(
        got[0],
        expected(&q.evaluate(&Lead::new("a", "2026-11-01T00:00:00Z".parse().unwrap()), as_of()).unwrap())
    );
    assert_eq!(got[1], failed("unknown pack \"nowhere\"; the registry has meddic, strict"));
}

#[tokio::test]
async fn a_pack_per_row_and_as_of_per_row() {
    let ctx = context();
    let leads = samples();
    ctx.register_batch("leads", leads_to_arrow(&leads).unwrap()).unwrap();
    let batch = query(
        &ctx,
        &format!(
            "SELECT id, qualify(lead, TIMESTAMP '{AS_OF}', CASE WHEN id < 'L-1025' THEN 'strict' END) AS d, \
             qualify(lead, lead['created_at']) AS at_creation FROM leads"
        ),
    )
    .await;
    let strict = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 90).build().unwrap();
    let default = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let expect: Vec<Row> = leads
        .iter()
        .map(|l| {
            expected(&if l.id.as_str() < "L-1025" { &strict } else { &default }.evaluate(l, as_of()).unwrap())
        })
        .collect();
    assert_eq!(rows(batch.column(1)), expect);
    let at_creation: Vec<Row> =
        leads.iter().map(|l| expected(&default.evaluate(l, l.created_at).unwrap())).collect();
    assert_eq!(rows(batch.column(2)), at_creation);
}

#[tokio::test]
async fn explain_lists_every_contribution() {
    let ctx = context();
    let leads = samples();
    ctx.register_batch("leads", leads_to_arrow(&leads).unwrap()).unwrap();
    let batch = query(&ctx, &format!("SELECT explain(lead, TIMESTAMP '{AS_OF}') FROM leads")).await;
    let lists = batch.column(0).as_list::<i32>();
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    for (i, lead) in leads.iter().enumerate() {
        let d = q.evaluate(lead, as_of()).unwrap();
        let items = lists.value(i);
        let items = items.as_struct();
        let points = items.column_by_name("points").unwrap().as_primitive::<Int64Type>();
        let reasons = items.column_by_name("reason").unwrap().as_string::<i32>();
        let got: Vec<(i64, &str)> = (0..items.len()).map(|k| (points.value(k), reasons.value(k))).collect();
        let want: Vec<(i64, &str)> = d.contributions.iter().map(|c| (c.points, c.reason.as_str())).collect();
        assert_eq!(got, want, "lead {}", lead.id);
    }
    let totals =
        query(&ctx, &format!("SELECT qualify(lead, TIMESTAMP '{AS_OF}')['score'] AS s FROM leads")).await;
    let scores: BTreeMap<usize, i64> =
        (0..totals.num_rows()).map(|i| (i, totals.column(0).as_primitive::<Int64Type>().value(i))).collect();
    assert_eq!(scores.len(), leads.len());
}

#[tokio::test]
async fn wrong_arguments_are_plan_errors() {
    let ctx = context();
    let err = ctx.sql("SELECT qualify_json('{}')").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("qualify_json takes (lead json text, as_of timestamp [, pack text]), got 1 arguments"),
        "{err}"
    );
    let err = ctx.sql("SELECT qualify(1, TIMESTAMP '2026-11-23T00:00:00Z')").await.unwrap_err();
    assert!(err.to_string().contains("qualify takes (lead struct"), "{err}");
}

#[tokio::test]
async fn an_events_table_is_one_query_away_from_decisions() {
    let leads = samples();
    let nested = leads_to_arrow(&leads).unwrap();
    let lead = nested.column(1).as_struct();
    // The leads without their touchpoints, as a warehouse keeps them, and the events apart.
    let (fields, columns): (Vec<Field>, Vec<ArrayRef>) = lead
        .fields()
        .iter()
        .zip(lead.columns())
        .filter(|(f, _)| f.name() != "touchpoints")
        .map(|(f, c)| (f.as_ref().clone(), c.clone()))
        .unzip();
    let flat = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    let touches = lead.column_by_name("touchpoints").unwrap().as_list::<i32>();
    let ids = lead.column_by_name("id").unwrap().as_string::<i32>();
    let lead_ids: StringArray = (0..touches.len())
        .flat_map(|i| std::iter::repeat_n(Some(ids.value(i)), touches.value_length(i) as usize))
        .collect();
    let items = touches.values().as_struct();
    let mut fields = vec![Field::new("lead_id", DataType::Utf8, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(lead_ids)];
    for (f, c) in items.fields().iter().zip(items.columns()) {
        fields.push(f.as_ref().clone());
        columns.push(c.clone());
    }
    let events = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    let ctx = context();
    ctx.register_batch("crm_leads", flat).unwrap();
    ctx.register_batch("crm_events", events).unwrap();
    ctx.register_table(
        "nested",
        leadgate_datafusion::nest_events(&ctx, "crm_leads", "crm_events").await.unwrap().into_view(),
    )
    .unwrap();
    let batch =
        query(&ctx, &format!("SELECT id, qualify(lead, TIMESTAMP '{AS_OF}') FROM nested ORDER BY id")).await;
    let mut sorted = leads.clone();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(rows(batch.column(1)), library(&Pack::b2b_bant(), &sorted));
    let err = leadgate_datafusion::nest_events(&ctx, "crm_events", "crm_leads").await.unwrap_err();
    assert!(err.to_string().contains("the leads table crm_events has no `id` column"), "{err}");
}

#[tokio::test]
async fn a_thousand_generated_leads_decide_alike_in_sql_and_in_the_library() {
    let mut rng = 0xDA7A_u64;
    let leads: Vec<Lead> = (0..1000).map(|i| generated(&mut rng, i)).collect();
    let ctx = context();
    ctx.register_batch("leads", leads_to_arrow(&leads).unwrap()).unwrap();
    let batch = query(
        &ctx,
        &format!("SELECT qualify(lead, TIMESTAMP '{AS_OF}'), qualify(lead, TIMESTAMP '{AS_OF}', 'meddic') FROM leads"),
    )
    .await;
    let bant = library(&Pack::b2b_bant(), &leads);
    assert_eq!(rows(batch.column(0)), bant);
    assert_eq!(rows(batch.column(1)), library(&Pack::meddic(), &leads));
    // The set reaches the branches that matter: handoffs and disqualifications.
    let handed_off = bant.iter().filter(|r| r.texts[4].is_some()).count();
    let disqualified = bant.iter().filter(|r| r.texts[6].is_some()).count();
    assert_eq!((handed_off, disqualified), (35, 225));
}

/// The queries `docs/DATAFUSION.md` shows, on the sample leads.
#[tokio::test]
async fn the_documented_queries_run() {
    let ctx = context();
    let leads = samples();
    ctx.register_batch("leads", leads_to_arrow(&leads).unwrap()).unwrap();
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let handed_off = leads.iter().filter(|l| q.evaluate(l, as_of()).unwrap().handoff.is_some()).count();
    let batch = query(
        &ctx,
        "SELECT id, d['handoff_stage'], d['handoff_reason'] \
         FROM (SELECT id, qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z') AS d FROM leads) \
         WHERE d['handoff_stage'] IS NOT NULL",
    )
    .await;
    assert_eq!(batch.num_rows(), handed_off);
    let batch = query(
        &ctx,
        "SELECT id, d['error'] FROM (SELECT id, qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z') AS d FROM leads) \
         WHERE d['error'] IS NOT NULL",
    )
    .await;
    assert_eq!(batch.num_rows(), 0);
    let batch = query(
        &ctx,
        "SELECT unnest(explain(lead, TIMESTAMP '2026-11-23T00:00:00Z')) FROM leads WHERE id = 'L-1004'",
    )
    .await;
    let l1004 = leads.iter().find(|l| l.id == "L-1004").unwrap();
    assert_eq!(batch.num_rows(), q.evaluate(l1004, as_of()).unwrap().contributions.len());
    let batch = query(&ctx, "SELECT id, qualify(lead, lead['created_at'])['score'] FROM leads").await;
    assert_eq!(batch.num_rows(), leads.len());
}
