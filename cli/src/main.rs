//! `leadgate`: qualify leads and CRM exports with a rule pack, and every
//! rule author's tool, on the command line.
//!
//! Each command lives in a module of its own; this file holds the argument
//! definitions (clap derive), the exit codes and the errors they map from.

/// `println!` that returns a closed pipe (`| head`) as an error instead of
/// panicking; `main` ends quietly on it.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err($crate::Error::from)?
    }};
}

/// `print!`, as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*).map_err($crate::Error::from)?
    }};
}

mod accounts;
mod calibrate;
mod funnel;
mod input;
mod json;
mod mapping;
mod pack_tools;
mod qualify;
#[cfg(feature = "sql")]
mod sql;
mod style;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Decides when marketing passes a lead to sales, and explains every decision.
#[derive(Parser)]
#[command(name = "leadgate", version, about, long_about = None)]
#[command(after_help = "\
Examples:
  leadgate qualify                               the default pack on the shipped sample leads
  leadgate qualify leads.ndjson --format json    one decision per line
  leadgate qualify --leads contacts.csv --mapping hubspot-contacts --activities activities.csv
  leadgate check my-pack                         every problem in a pack, with its position
  leadgate test my-pack                          a pack's test cases and rule coverage

Exit codes: 0 success; 1 some leads failed, or a check or test failed; 2 a usage, file or pack error.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Qualify(qualify::QualifyArgs),
    Check(pack_tools::CheckArgs),
    Test(pack_tools::TestArgs),
    Diff(pack_tools::DiffArgs),
    Calibrate(calibrate::CalibrateArgs),
    Funnel(funnel::FunnelArgs),
    #[command(subcommand)]
    Mapping(mapping::MappingCommand),
    New(pack_tools::NewArgs),
    #[cfg(feature = "sql")]
    Sql(sql::SqlArgs),
    Definitions(pack_tools::DefinitionsArgs),
    Completions(CompletionsArgs),
}

/// Prints a completion script for a shell.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate completions bash > ~/.local/share/bash-completion/completions/leadgate
  leadgate completions zsh > ~/.zfunc/_leadgate
  leadgate completions fish > ~/.config/fish/completions/leadgate.fish")]
struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

/// The rule pack to use, and its parameters.
#[derive(Args, Clone)]
struct PackArgs {
    /// A pack directory, a `pack.toml` or a single `.rhai` file [default: the shipped b2b-bant pack].
    #[arg(long, value_name = "PATH")]
    rules: Option<PathBuf>,
    /// Overrides a pack parameter, as a tenant would (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, String)>,
}

impl PackArgs {
    /// The pack, compiled with the parameters.
    fn qualifier(&self) -> Result<(leadgate::Pack, leadgate::Qualifier), Error> {
        let pack = match &self.rules {
            Some(path) => load_pack(path)?,
            None => leadgate::Pack::b2b_bant(),
        };
        let mut builder = leadgate::Qualifier::builder(&pack);
        for (name, value) in &self.params {
            builder = builder.param_str(name, value);
        }
        let qualifier =
            builder.build().map_err(|e| Error::Pack(format!("the rule pack cannot be used:\n{e}")))?;
        Ok((pack, qualifier))
    }
}

/// Loads a pack, naming the path in the error.
fn load_pack(path: &std::path::Path) -> Result<leadgate::Pack, Error> {
    leadgate::Pack::load(path)
        .map_err(|e| Error::Pack(format!("{}: the pack cannot be loaded:\n{e}", path.display())))
}

/// How a report is written.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Report {
    /// A readable table.
    Table,
    /// JSON.
    Json,
}

/// How decisions are written.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A readable table.
    Table,
    /// One JSON decision per line (NDJSON); a lead that failed is `{"line", "lead_id", "error"}`.
    Json,
    /// CSV with a header line.
    Csv,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    let (name, value) = s.split_once('=').ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))?;
    Ok((name.trim().to_owned(), value.to_owned()))
}

/// `n` and the noun, singular for one: `1 lead`, `2 leads`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// An RFC 3339 time, or a date (midnight UTC).
fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|_| {
            format!("expected an RFC 3339 time (2026-11-23T09:00:00Z) or a date (2026-11-23), got {s:?}")
        })
}

/// Why a command could not do its work (exit code 2), or did it and found
/// failures (exit code 1).
#[derive(Debug)]
enum Error {
    /// A file that cannot be read or written.
    Io(String),
    /// A pack that cannot be loaded or compiled.
    Pack(String),
    /// Options that do not go together, or input in the wrong shape.
    Usage(String),
    /// Standard output cannot be written.
    Write(std::io::Error),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Write(e)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(m) | Error::Pack(m) | Error::Usage(m) => f.write_str(m),
            Error::Write(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

/// What a command found: all well, or some failures it reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Failures,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Qualify(args) => qualify::run(args),
        Command::Check(args) => pack_tools::check(args),
        Command::Test(args) => pack_tools::test(args),
        Command::Diff(args) => pack_tools::diff(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Funnel(args) => funnel::run(args),
        Command::Mapping(command) => mapping::run(command),
        Command::New(args) => pack_tools::new(args),
        #[cfg(feature = "sql")]
        Command::Sql(args) => sql::run(args),
        Command::Definitions(args) => pack_tools::definitions(args),
        Command::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "leadgate", &mut script);
            std::io::Write::write_all(&mut std::io::stdout().lock(), &script)
                .map(|()| Outcome::Success)
                .map_err(Error::from)
        }
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failures) => ExitCode::FAILURE,
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(Error::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            style::Style::stderr().error(&e.to_string());
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn times_and_dates_parse() {
        assert_eq!(parse_time("2026-11-23").unwrap().to_rfc3339(), "2026-11-23T00:00:00+00:00");
        assert_eq!(
            parse_time("2026-11-23T10:00:00+01:00").unwrap().to_rfc3339(),
            "2026-11-23T09:00:00+00:00"
        );
        assert!(parse_time("yesterday").unwrap_err().contains("\"yesterday\""));
    }

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(
            (count(0, "lead"), count(1, "lead"), count(2, "row")),
            ("0 leads".into(), "1 lead".into(), "2 rows".into())
        );
    }

    #[test]
    fn params_split_on_the_first_equals_sign() {
        assert_eq!(parse_param("a = b=c").unwrap(), ("a".into(), " b=c".into()));
        assert!(parse_param("a").is_err());
    }
}
