//! `leadgate sql`: SQL over lead files on the embedded DataFusion engine,
//! with leadgate's functions registered (`leadgate-datafusion`). Built only
//! with the `sql` feature, so the default tool does not build DataFusion.

use std::io::{BufWriter, Write};
use std::path::Path;

use clap::Args;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use futures::StreamExt;
use leadgate::Lead;
use leadgate_datafusion::datafusion;
use leadgate_datafusion::{Registry, leads_to_arrow, register};

use crate::input::SAMPLE_LEADS;
use crate::style::Style;
use crate::{Error, Outcome, PackArgs};

/// Runs SQL over lead files, with leadgate's functions: Parquet, CSV or
/// NDJSON leads, decided by a pack per row.
#[derive(Args)]
#[command(after_help = "\
Functions: qualify(lead, as_of [, pack]) and qualify_json(json, as_of [, pack]) return the
decision struct; explain(...) and explain_json(...) every contribution. See docs/DATAFUSION.md.

Examples:
  leadgate sql \"SELECT id, qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z')['score'] AS score FROM leads\"
  leadgate sql --table leads=leads.parquet \"SELECT count(*) FROM leads
      WHERE qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z')['handoff_stage'] IS NOT NULL\"
  leadgate sql --table crm=export.ndjson --pack meddic=packs/meddic --format json \\
      \"SELECT id, qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z', 'meddic') AS d FROM crm\"")]
pub struct SqlArgs {
    /// The query: one SQL statement.
    query: String,
    /// A file as a table, NAME=PATH (repeatable): Parquet (.parquet) and CSV
    /// (.csv) as they are; leads in NDJSON (.ndjson, .jsonl, .json) as
    /// leadgate reads them, into a table of `id` and `lead` [default: the
    /// shipped sample leads as `leads`].
    #[arg(long = "table", value_name = "NAME=PATH", value_parser = crate::parse_param)]
    tables: Vec<(String, String)>,
    /// The pack for rows that name none (`--rules`), and its parameters.
    #[command(flatten)]
    pack: PackArgs,
    /// A pack rows may name, NAME=PATH (repeatable): `qualify(lead, as_of, 'NAME')`.
    #[arg(long = "pack", value_name = "NAME=PATH", value_parser = crate::parse_param)]
    packs: Vec<(String, String)>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// How the result is written.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A readable table, after the last row.
    Table,
    /// One JSON object per row (NDJSON), nested values as JSON; null fields are left out.
    Json,
    /// CSV with a header line; nested values as the table shows them, nulls empty.
    Csv,
}

pub fn run(args: SqlArgs) -> Result<Outcome, Error> {
    let (_, default) = args.pack.qualifier()?;
    let err = Style::stderr();
    for warning in default.warnings() {
        err.warning(&warning.to_string());
    }
    let mut registry = Registry::new(default);
    for (name, path) in &args.packs {
        let pack = crate::load_pack(Path::new(path))?;
        let qualifier = leadgate::Qualifier::new(&pack)
            .map_err(|e| Error::Pack(format!("{path}: the rule pack cannot be used:\n{e}")))?;
        registry = registry.with(name.as_str(), qualifier);
    }
    // DataFusion runs on tokio; its threads are the machine's cores.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the query engine: {e}")))?;
    runtime.block_on(query(args, registry))
}

async fn query(args: SqlArgs, registry: Registry) -> Result<Outcome, Error> {
    let ctx = SessionContext::new();
    register(&ctx, registry);
    let mut outcome = Outcome::Success;
    if args.tables.is_empty() {
        let (batch, _) = leads_table("the sample leads", SAMPLE_LEADS)?;
        ctx.register_batch("leads", batch).map_err(|e| Error::Usage(e.to_string()))?;
    }
    for (name, path) in &args.tables {
        if register_file(&ctx, name, path).await? > 0 {
            outcome = Outcome::Failures;
        }
    }
    let failed = |e: datafusion::error::DataFusionError| Error::Usage(format!("the query failed: {e}"));
    let frame = ctx.sql(&args.query).await.map_err(failed)?;
    let names: Vec<String> = frame.schema().fields().iter().map(|f| f.name().clone()).collect();
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    match args.format {
        // A table needs every row for its widths.
        Format::Table => {
            let batches = frame.collect().await.map_err(failed)?;
            let table =
                datafusion::arrow::util::pretty::pretty_format_batches(&batches).map_err(failed_arrow)?;
            writeln!(out, "{table}")?;
            let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
            writeln!(out, "{}", crate::count(rows, "row"))?;
        }
        // The others stream, batch by batch.
        Format::Json => {
            let mut stream = frame.execute_stream().await.map_err(failed)?;
            let mut writer = datafusion::arrow::json::LineDelimitedWriter::new(&mut out);
            while let Some(batch) = stream.next().await {
                writer.write(&batch.map_err(failed)?).map_err(failed_arrow)?;
            }
            writer.finish().map_err(failed_arrow)?;
        }
        Format::Csv => {
            let mut stream = frame.execute_stream().await.map_err(failed)?;
            let mut writer = csv::Writer::from_writer(&mut out);
            writer.write_record(&names).map_err(csv_error)?;
            while let Some(batch) = stream.next().await {
                write_csv(&mut writer, &batch.map_err(failed)?)?;
            }
            writer.flush()?;
        }
    }
    out.flush()?;
    Ok(outcome)
}

/// Registers the file at `path` as table `name`, by its extension; returns
/// how many of its leads could not be read (each reported on stderr).
async fn register_file(ctx: &SessionContext, name: &str, path: &str) -> Result<usize, Error> {
    let extension = Path::new(path).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let registered = match extension.as_str() {
        "parquet" => ctx.register_parquet(name, path, ParquetReadOptions::default()).await,
        "csv" => ctx.register_csv(name, path, CsvReadOptions::new()).await,
        "ndjson" | "jsonl" | "json" => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{path}: {e}")))?;
            let (batch, bad) = leads_table(path, &text)?;
            ctx.register_batch(name, batch).map_err(|e| Error::Usage(e.to_string()))?;
            return Ok(bad);
        }
        _ => {
            return Err(Error::Usage(format!(
                "{path}: cannot tell the file's format from its name; use .parquet, .csv, .ndjson, .jsonl or .json"
            )));
        }
    };
    registered.map_err(|e| Error::Io(format!("{path}: {e}")))?;
    Ok(0)
}

/// Leads read as `leadgate qualify` reads them, as a table of `id` and
/// `lead`; a lead that cannot be read is reported with its line and left out.
fn leads_table(source: &str, text: &str) -> Result<(RecordBatch, usize), Error> {
    let err = Style::stderr();
    let mut leads: Vec<Lead> = Vec::new();
    let mut bad = 0;
    for record in leadgate::read_leads(text) {
        match record {
            Ok(record) => leads.push(record.lead),
            Err(e) => {
                bad += 1;
                err.error(&format!("{source}: {e}; the lead is left out"));
            }
        }
    }
    let batch = leads_to_arrow(&leads).map_err(|e| Error::Usage(format!("{source}: {e}")))?;
    Ok((batch, bad))
}

/// One CSV record per row; nested values as the table shows them, nulls empty.
fn write_csv(writer: &mut csv::Writer<impl Write>, batch: &RecordBatch) -> Result<(), Error> {
    let options = FormatOptions::default();
    let columns = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed_arrow)?;
    let mut field = String::new();
    for row in 0..batch.num_rows() {
        for column in &columns {
            field.clear();
            if column.value(row).write(&mut field).is_err() {
                field.clear();
            }
            writer.write_field(&field).map_err(csv_error)?;
        }
        writer.write_record(None::<&[u8]>).map_err(csv_error)?;
    }
    Ok(())
}

fn failed_arrow(e: datafusion::arrow::error::ArrowError) -> Error {
    Error::Usage(format!("the result cannot be written: {e}"))
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::Write(e),
        other => Error::Usage(format!("the result cannot be written as CSV: {other:?}")),
    }
}
