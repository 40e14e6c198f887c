//! The rule author's tools: `check`, `test`, `diff`, `new` and
//! `definitions`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Args;
use leadgate::calibration::Outcome as LeadOutcome;
use leadgate::{Lead, Qualifier};

use crate::input::LeadArgs;
use crate::style::Style;
use crate::{Error, Outcome, load_pack};

/// Checks a pack: every problem with its position and a suggestion.
///
/// Loads and compiles the pack, and reports each problem with its file,
/// line and column and a suggestion, then the warnings.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate check packs/b2b-bant
  leadgate check my-pack/pack.toml
  leadgate check rules.rhai

Exit codes: 0 the pack is usable (warnings allowed); 1 it has problems; 2 it cannot be read.")]
pub struct CheckArgs {
    /// A pack directory, a `pack.toml` or a single `.rhai` file.
    #[arg(value_name = "PACK")]
    pack: PathBuf,
}

/// A pack for a rule author: one that cannot be read is an error (exit
/// code 2); one with problems has them printed (exit code 1).
fn load_for_author(path: &Path, style: Style) -> Result<Option<leadgate::Pack>, Error> {
    match leadgate::Pack::load(path) {
        Ok(pack) => Ok(Some(pack)),
        Err(e) if e.problems().iter().all(|p| p.kind() == leadgate::pack::ProblemKind::Io) => {
            Err(Error::Pack(format!("{}: the pack cannot be read:\n{e}", path.display())))
        }
        Err(e) => {
            for problem in e.problems() {
                outln!("{} {problem}", style.red("error:"));
            }
            outln!("{} problem(s)", e.problems().len());
            Ok(None)
        }
    }
}

pub fn check(args: CheckArgs) -> Result<Outcome, Error> {
    let style = Style::stdout();
    let Some(pack) = load_for_author(&args.pack, style)? else { return Ok(Outcome::Failures) };
    match Qualifier::new(&pack) {
        Ok(q) => {
            for w in q.warnings() {
                outln!("{} {w}", style.yellow("warning:"));
            }
            let tests = pack.run_tests().map_or(0, |r| r.cases().len());
            let accounts = match pack.account_rules().count() {
                0 => String::new(),
                n => format!(", {}", crate::count(n, "account rule")),
            };
            outln!(
                "{} {}: {}{accounts}, {} test cases, no problems",
                pack.name(),
                pack.version(),
                crate::count(pack.rules().count(), "rule"),
                tests
            );
            Ok(Outcome::Success)
        }
        Err(e) => {
            for problem in e.problems() {
                outln!("{} {problem}", style.red("error:"));
            }
            outln!("{} problem(s)", e.problems().len());
            Ok(Outcome::Failures)
        }
    }
}

/// Runs a pack's test cases and reports rule coverage.
///
/// The cases are the `[[tests]]` of its manifest; coverage is which rules
/// fired in some case, and which never did.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate test packs/b2b-bant
  leadgate test my-pack --junit target/leadgate-tests.xml   for CI systems

Exit codes: 0 every case passed; 1 some failed, or the pack has problems; 2 it cannot be read.")]
pub struct TestArgs {
    /// A pack directory or a `pack.toml`.
    #[arg(value_name = "PACK")]
    pack: PathBuf,
    /// Also writes the results as JUnit XML, which CI systems display.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

pub fn test(args: TestArgs) -> Result<Outcome, Error> {
    let style = Style::stdout();
    let Some(pack) = load_for_author(&args.pack, style)? else { return Ok(Outcome::Failures) };
    let report = match pack.run_tests() {
        Ok(r) => r,
        Err(e) => {
            for problem in e.problems() {
                outln!("{} {problem}", style.red("error:"));
            }
            return Ok(Outcome::Failures);
        }
    };
    if report.cases().is_empty() {
        outln!(
            "{} has no test cases: add [[tests]] to its manifest (see \"Checking, testing and previewing a change\" in the guide)",
            pack.name()
        );
        return Ok(Outcome::Success);
    }
    for line in report.to_string().lines() {
        match line.strip_prefix("FAILED") {
            Some(rest) => outln!("{}{rest}", style.red("FAILED")),
            None => outln!("{line}"),
        }
    }
    for case in report.cases().iter().filter(|c| !c.passed()) {
        let Some(d) = &case.decision else { continue };
        outln!("\n{}: the decision in full", case.name);
        let mut out = std::io::stdout().lock();
        crate::qualify::explain(&mut out, d).map_err(|e| Error::Io(e.to_string()))?;
        if let Some(h) = &d.handoff {
            outln!("handoff as {}: {}", h.stage, h.reason);
        }
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(pack.name(), &report))
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    }
    Ok(if report.passed() { Outcome::Success } else { Outcome::Failures })
}

/// The report as JUnit XML: one test suite, one test case per pack case.
fn junit(pack: &str, report: &leadgate::authoring::TestReport) -> String {
    let cases = report.cases();
    let failures = cases.iter().filter(|c| !c.passed()).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml += &format!(
        "<testsuites tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
        cases.len(),
        escape(pack),
        cases.len()
    );
    for case in cases {
        xml += &format!("    <testcase classname=\"{}\" name=\"{}\"", escape(pack), escape(&case.name));
        if case.passed() {
            xml += "/>\n";
        } else {
            let message = case.failures.join("; ");
            xml += &format!(
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                escape(&message),
                escape(&case.failures.join("\n"))
            );
        }
    }
    xml += "  </testsuite>\n</testsuites>\n";
    xml
}

/// Escapes text for XML content and attributes.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Previews a pack change on the same leads, optionally against outcomes.
///
/// Decides the same leads with the live and the candidate pack and reports
/// every change to someone's work; with `--outcomes`, what the candidate
/// would have done to the leads whose outcome is known.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate diff packs/b2b-bant my-pack
  leadgate diff packs/b2b-bant packs/b2b-bant --param mql_threshold=50 --as-of 2026-11-23
  leadgate diff live-pack candidate-pack --leads leads.ndjson --outcomes outcomes.csv
  leadgate diff packs/b2b-bant packs/b2b-bant --accounts --leads examples/data/accounts.ndjson --param account_mqa_threshold=20

The outcomes file has `lead_id,outcome` lines (`converted`, `not_converted` or `unknown`; a header
line is allowed; a lead not listed is unknown).

Exit codes: 0 the comparison ran; 2 a usage, file or pack error.")]
pub struct DiffArgs {
    /// The pack in use.
    #[arg(value_name = "LIVE")]
    live: PathBuf,
    /// The pack to try.
    #[arg(value_name = "CANDIDATE")]
    candidate: PathBuf,
    #[command(flatten)]
    leads: LeadArgs,
    /// Overrides a parameter of the candidate (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = crate::parse_param)]
    params: Vec<(String, String)>,
    /// The time to decide as of: RFC 3339 or a date [default: now].
    #[arg(long, value_name = "TIME", value_parser = crate::parse_time)]
    as_of: Option<DateTime<Utc>>,
    /// What became of the leads: `lead_id,outcome` lines.
    #[arg(long, value_name = "FILE")]
    outcomes: Option<PathBuf>,
    /// Compares the accounts the leads form instead of the leads.
    #[arg(long, conflicts_with = "outcomes")]
    accounts: bool,
}

pub fn diff(args: DiffArgs) -> Result<Outcome, Error> {
    let outcomes = args.outcomes.as_deref().map(read_outcomes).transpose()?;
    let live = Qualifier::new(&load_pack(&args.live)?)
        .map_err(|e| Error::Pack(format!("{}: the pack cannot be used:\n{e}", args.live.display())))?;
    let candidate = load_pack(&args.candidate)?;
    let mut builder = Qualifier::builder(&candidate);
    for (name, value) in &args.params {
        builder = builder.param_str(name, value);
    }
    let candidate = builder
        .build()
        .map_err(|e| Error::Pack(format!("{}: the pack cannot be used:\n{e}", args.candidate.display())))?;
    let leads = read_all(&args.leads)?;
    let as_of = args.as_of.unwrap_or_else(Utc::now);
    outln!("as of {}", as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    if args.accounts {
        let grouping = leadgate::account::group(&leads);
        let report =
            leadgate::authoring::shadow_compare_accounts(&live, &candidate, &grouping.accounts, as_of);
        out!("{report}");
        return Ok(Outcome::Success);
    }
    let report = match outcomes {
        Some(outcomes) => {
            let outcome = |lead: &Lead| outcomes.get(lead.id.as_str()).map_or(LeadOutcome::Unknown, |o| o.0);
            leadgate::authoring::shadow_compare_with_outcomes(&live, &candidate, &leads, as_of, outcome)
        }
        None => leadgate::authoring::shadow_compare(&live, &candidate, &leads, as_of),
    };
    out!("{report}");
    Ok(Outcome::Success)
}

/// Every lead of a source, in memory; a lead that cannot be read is
/// reported on standard error and left out.
pub fn read_all(args: &LeadArgs) -> Result<Vec<Lead>, Error> {
    let err = Style::stderr();
    let mut leads = Vec::new();
    for item in args.open(None, None)?.items {
        match item {
            Ok(item) => leads.push(item.lead),
            Err(f) => err.warning(&format!("skipped: {}", f.error)),
        }
    }
    Ok(leads)
}

/// `lead_id,outcome[,value]` lines, with an optional header; every bad
/// line is reported, with its number.
pub fn read_outcomes(path: &Path) -> Result<HashMap<String, (LeadOutcome, Option<f64>)>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    let mut outcomes = HashMap::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.replace(' ', "").starts_with("lead_id,outcome")) {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed = match fields[..] {
            [id, outcome] | [id, outcome, _] if !id.is_empty() => {
                let value = match fields.get(2).filter(|v| !v.is_empty()) {
                    Some(v) => match v.parse::<f64>() {
                        Ok(v) => Ok(Some(v)),
                        Err(_) => Err(format!("the value {v:?} is not a number")),
                    },
                    None => Ok(None),
                };
                match (outcome.parse::<LeadOutcome>(), value) {
                    (Ok(o), Ok(v)) if outcomes.insert(id.to_owned(), (o, v)).is_none() => Ok(()),
                    (Ok(_), Ok(_)) => Err(format!("lead {id:?} is listed twice")),
                    (Err(e), _) => Err(e.to_string()),
                    (_, Err(e)) => Err(e),
                }
            }
            _ => Err(format!("expected lead_id,outcome[,value], got {line:?}")),
        };
        if let Err(e) = parsed {
            bad.push(format!("{}:{}: {e}", path.display(), i + 1));
        }
    }
    if bad.is_empty() { Ok(outcomes) } else { Err(Error::Usage(bad.join("\n"))) }
}

/// Creates a starter pack that `check` and `test` accept as it is.
///
/// A manifest with criteria, parameters, a point table, decision tables, a
/// script and test cases.
#[derive(Args)]
#[command(after_help = "\
Examples:
  leadgate new my-pack
  leadgate test my-pack

Exit codes: 0 created; 2 the directory exists and is not empty, or cannot be written.")]
pub struct NewArgs {
    /// The directory to create.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

const STARTER_MANIFEST: &str = include_str!("../starter/pack.toml");
const STARTER_SCRIPT: &str = include_str!("../starter/engagement.rhai");

pub fn new(args: NewArgs) -> Result<Outcome, Error> {
    let dir = &args.dir;
    let io = |e: std::io::Error| Error::Io(format!("{}: {e}", dir.display()));
    if dir.exists() && std::fs::read_dir(dir).map_err(io)?.next().is_some() {
        return Err(Error::Usage(format!("{} exists and is not empty", dir.display())));
    }
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = dir.file_name().and_then(|n| n.to_str()).filter(|n| !n.is_empty()).unwrap_or("my-pack");
    let manifest = STARTER_MANIFEST.replace("name = \"starter\"", &format!("name = {name:?}"));
    std::fs::write(dir.join("pack.toml"), manifest).map_err(io)?;
    std::fs::write(dir.join("engagement.rhai"), STARTER_SCRIPT).map_err(io)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "created {0}/pack.toml and {0}/engagement.rhai\nnext: leadgate test {0}, then edit the rules and run it again",
        dir.display()
    )
    .map_err(|e| Error::Io(e.to_string()))?;
    Ok(Outcome::Success)
}

/// Prints the editor definitions, a Rhai definition file.
///
/// `lead`, `params` and `decision` with every field and function, for a
/// Rhai language server.
#[derive(Args)]
#[command(after_help = "Example:\n  leadgate definitions > leadgate.d.rhai")]
pub struct DefinitionsArgs {}

pub fn definitions(_: DefinitionsArgs) -> Result<Outcome, Error> {
    out!("{}", leadgate::authoring::editor_definitions());
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_escapes_and_counts() {
        let report = leadgate::Pack::b2b_bant().run_tests().unwrap();
        let xml = junit("b2b <bant>", &report);
        assert!(xml.contains("<testsuite name=\"b2b &lt;bant&gt;\" tests=\"10\" failures=\"0\">"), "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 10);
    }

    #[test]
    fn the_starter_pack_checks_and_passes_its_tests() {
        let dir = std::env::temp_dir().join(format!("leadgate-starter-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pack.toml"), STARTER_MANIFEST).unwrap();
        std::fs::write(dir.join("engagement.rhai"), STARTER_SCRIPT).unwrap();
        let pack = leadgate::Pack::load(&dir).unwrap();
        let q = Qualifier::new(&pack).unwrap();
        assert!(q.warnings().is_empty(), "{:?}", q.warnings());
        let report = pack.run_tests().unwrap();
        assert!(report.passed(), "{report}");
        assert!(report.never_fired().is_empty(), "{report}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
