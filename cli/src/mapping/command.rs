//! `leadgate mapping`: check a mapping on an export, list and show the
//! shipped ones.

use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

use clap::{Args, Subcommand};

use super::export::Header;
use super::{Activities, CsvLeads, Mapping, SHIPPED, suggest};
use crate::style::Style;
use crate::{Error, Outcome};

/// CRM export mappings: check one on an export, list and show the shipped ones.
#[derive(Subcommand)]
pub enum MappingCommand {
    Check(CheckArgs),
    /// Lists the shipped mappings.
    List,
    Show(ShowArgs),
}

/// Tries a mapping on a CRM export and reports what does not map.
///
/// Unmapped columns, mapped columns the export lacks, and every row or
/// value that cannot be mapped, by line.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate mapping check --mapping hubspot-contacts contacts.csv
  leadgate mapping check --mapping my-crm.toml leads.csv --activities activities.csv

Exit codes: 0 every row maps; 1 some rows or columns do not; 2 a usage or file error.")]
pub struct CheckArgs {
    /// A mapping file, or a shipped mapping's name.
    #[arg(long, value_name = "MAPPING")]
    mapping: String,
    /// The CRM export (CSV).
    #[arg(value_name = "LEADS.csv")]
    leads: PathBuf,
    /// A CSV of activities.
    #[arg(long, value_name = "FILE")]
    activities: Option<PathBuf>,
}

/// Prints a shipped mapping, to start your own from.
#[derive(Args)]
#[command(after_help = "Example:\n  leadgate mapping show hubspot-contacts > my-crm.toml")]
pub struct ShowArgs {
    /// The shipped mapping's name (`leadgate mapping list`).
    name: String,
}

pub fn run(command: MappingCommand) -> Result<Outcome, Error> {
    match command {
        MappingCommand::Check(args) => check(args),
        MappingCommand::List => {
            for (name, text) in SHIPPED {
                let about = text.lines().next().unwrap_or("").trim_start_matches('#').trim();
                let about = about.strip_prefix("leadgate mapping: ").unwrap_or(about);
                outln!("{name:<18} {about}");
            }
            Ok(Outcome::Success)
        }
        MappingCommand::Show(args) => match SHIPPED.iter().find(|(n, _)| *n == args.name) {
            Some((_, text)) => {
                out!("{text}");
                Ok(Outcome::Success)
            }
            None => Err(Error::Usage(format!(
                "no shipped mapping {:?}{}; `leadgate mapping list` lists them",
                args.name,
                suggest(&args.name, SHIPPED.map(|(n, _)| n))
            ))),
        },
    }
}

fn check(args: CheckArgs) -> Result<Outcome, Error> {
    let mapping = Rc::new(Mapping::load(&args.mapping)?);
    let style = Style::stdout();
    let mut out = std::io::stdout().lock();
    let activities =
        args.activities.as_deref().map(|p| Activities::load(&mapping, p)).transpose()?.map(Rc::new);
    let file =
        std::fs::File::open(&args.leads).map_err(|e| Error::Io(format!("{}: {e}", args.leads.display())))?;
    let mut csv = csv::ReaderBuilder::new().from_reader(file);
    let header = csv.headers().map_err(|e| Error::Usage(format!("{}: {e}", args.leads.display())))?.clone();
    let header = Header::new(&mapping, &header);
    let mut problems = 0usize;
    writeln!(out, "mapping {:?} on {}", mapping.name, args.leads.display())?;
    if !header.unmapped.is_empty() {
        writeln!(out, "columns not mapped (ignored): {}", header.unmapped.join(", "))?;
    }
    problems += header.missing.len();
    for (column, target) in &header.missing {
        writeln!(out, "{} column {column:?} (for {target}) is not in the export", style.yellow("missing:"))?;
    }
    if let Some((column, target)) = header.lacks_required() {
        writeln!(out, "{} every lead needs {target}, from column {column:?}", style.red("error:"))?;
        return Ok(Outcome::Failures);
    }
    let file =
        std::fs::File::open(&args.leads).map_err(|e| Error::Io(format!("{}: {e}", args.leads.display())))?;
    let leads = CsvLeads::new(std::io::BufReader::new(file), mapping.clone(), activities.clone())?;
    let (mut read, mut failed) = (0usize, 0usize);
    for item in leads {
        read += 1;
        if let Err(f) = item {
            failed += 1;
            writeln!(out, "{} {}", style.red("error:"), f.error)?;
        }
    }
    problems += failed;
    writeln!(out, "{}: {}, {failed} failed", crate::count(read, "row"), crate::count(read - failed, "lead"))?;
    if let (Some(a), Some(path)) = (&activities, &args.activities) {
        for (line, e) in &a.failed {
            writeln!(out, "{} {}: line {line}: {e}", style.red("error:"), path.display())?;
        }
        problems += a.failed.len();
        let left = a.left_over();
        if !left.is_empty() {
            let ids: Vec<&str> = left.iter().take(10).map(|(id, _)| id.as_str()).collect();
            let more = if left.len() > 10 { format!(" and {} more", left.len() - 10) } else { String::new() };
            writeln!(
                out,
                "{} activities of {} not in the export: {}{more}",
                style.yellow("unmatched:"),
                crate::count(left.len(), "lead"),
                ids.join(", ")
            )?;
        }
        writeln!(out, "{}, {} failed", crate::count(a.rows, "activity row"), a.failed.len())?;
    }
    Ok(if problems == 0 { Outcome::Success } else { Outcome::Failures })
}
