//! Where leads come from: JSON files (NDJSON or an array), standard input,
//! CRM exports in CSV through a mapping, or the shipped sample leads.
//!
//! Every source is read lazily, one lead at a time, so a decision can be
//! written before the next lead arrives and memory does not grow with the
//! input (a CSV's activities file is the exception: it is indexed whole).

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::Args;
use leadgate::Lead;

use crate::Error;
use crate::mapping::{Activities, CsvLeads, Mapping};

/// The shipped sample leads: 50 made-up leads around 2026-11-23.
pub const SAMPLE_LEADS: &str = include_str!("../../examples/data/leads.ndjson");

/// The leads to read.
#[derive(Args, Clone, Default)]
pub struct LeadArgs {
    /// Lead files: NDJSON or a JSON array, or CSV with `--mapping`; `-` is
    /// standard input. Without any, standard input when it is a pipe or a
    /// file, else the shipped sample leads.
    #[arg(value_name = "LEADS")]
    pub files: Vec<PathBuf>,
    /// A lead file, as a positional LEADS (repeatable).
    #[arg(long = "leads", value_name = "FILE")]
    pub more_files: Vec<PathBuf>,
    /// Reads the lead files as CSV through this mapping: a mapping file, or
    /// a shipped one (`hubspot-contacts`, `salesforce-leads`).
    #[arg(long, value_name = "MAPPING")]
    pub mapping: Option<String>,
    /// A CSV of activities (lead id, time, type) that the mapping turns
    /// into touchpoints.
    #[arg(long, value_name = "FILE", requires = "mapping")]
    pub activities: Option<PathBuf>,
}

/// A lead read from a source, with the line it started on.
pub struct Item {
    pub line: usize,
    pub lead: Lead,
}

/// A lead that could not be read: where, which lead if known, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failed {
    pub line: Option<usize>,
    pub lead_id: Option<String>,
    pub error: String,
}

pub type Items = Box<dyn Iterator<Item = Result<Item, Failed>>>;

/// The leads, and how many rows of the activities file failed (each
/// already reported on standard error).
pub struct Opened {
    pub items: Items,
    pub failed_activities: usize,
}

/// Called before a read that may wait for input: the place to flush what
/// was written so far, so that a reader downstream sees it now.
pub type BeforeWait = Rc<dyn Fn()>;

impl LeadArgs {
    /// All lead files, positional first.
    fn paths(&self) -> Vec<PathBuf> {
        self.files.iter().chain(&self.more_files).cloned().collect()
    }

    /// The total size of the lead files, when every lead comes from a file
    /// (not standard input or the samples): the progress bar's length.
    pub fn total_file_bytes(&self) -> Option<u64> {
        let paths = self.paths();
        if paths.is_empty() || paths.iter().any(|p| p.as_os_str() == "-") {
            return None;
        }
        Some(paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum())
    }

    /// Opens every source (so a missing file is an error before any output)
    /// and chains them. `progress` counts the bytes read from files;
    /// `before_wait` runs before any read that may block.
    pub fn open(
        &self,
        progress: Option<&indicatif::ProgressBar>,
        before_wait: Option<BeforeWait>,
    ) -> Result<Opened, Error> {
        let err = crate::style::Style::stderr();
        let mapping = self.mapping.as_deref().map(Mapping::load).transpose()?.map(Rc::new);
        let activities = match (&mapping, &self.activities) {
            (Some(m), Some(path)) => Some(Rc::new(Activities::load(m, path)?)),
            _ => None,
        };
        let failed_activities = activities.as_ref().map_or(0, |a| a.failed.len());
        if let (Some(a), Some(path)) = (&activities, &self.activities) {
            for (line, e) in &a.failed {
                err.error(&format!("{}: line {line}: {e}; the activity is left out", path.display()));
            }
        }
        let mut paths = self.paths();
        if paths.is_empty() {
            if !stdin_has_input() {
                if mapping.is_some() {
                    return Err(Error::Usage("--mapping needs a CSV file of leads".into()));
                }
                let samples = leadgate::read_leads(SAMPLE_LEADS).map(convert).collect::<Vec<_>>();
                return Ok(Opened { items: Box::new(samples.into_iter()), failed_activities });
            }
            paths.push(PathBuf::from("-"));
        }
        let several = paths.len() > 1;
        let mut sources: Vec<Items> = Vec::new();
        for path in paths {
            let reader: Box<dyn Read> = if path.as_os_str() == "-" {
                Box::new(io::stdin())
            } else {
                let file = File::open(&path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
                match progress {
                    Some(bar) => Box::new(bar.wrap_read(file)),
                    None => Box::new(file),
                }
            };
            let reader = BufReader::with_capacity(
                64 * 1024,
                WaitHook { inner: reader, before_wait: before_wait.clone() },
            );
            let items: Items = match &mapping {
                Some(m) => {
                    let leads = CsvLeads::new(reader, m.clone(), activities.clone())?;
                    for (column, target) in leads.missing() {
                        err.warning(&format!(
                            "{}: no column {column:?}, so no lead has {target}",
                            path.display()
                        ));
                    }
                    Box::new(leads)
                }
                None if is_csv(&path) => {
                    return Err(Error::Usage(format!(
                        "{}: a CSV needs --mapping (a mapping file, or hubspot-contacts or salesforce-leads)",
                        path.display()
                    )));
                }
                None => Box::new(leadgate::lead::read_lead_stream(reader).map(convert)),
            };
            sources.push(if several { Box::new(items.map(named(&path))) } else { items });
        }
        Ok(Opened { items: Box::new(sources.into_iter().flatten()), failed_activities })
    }
}

fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// With several files, errors name the file.
fn named(path: &Path) -> impl FnMut(Result<Item, Failed>) -> Result<Item, Failed> + use<> {
    let name = path.display().to_string();
    move |item| {
        item.map_err(|mut f| {
            f.error = format!("{name}: {}", f.error);
            f
        })
    }
}

fn convert(record: Result<leadgate::lead::Record, leadgate::InputError>) -> Result<Item, Failed> {
    match record {
        Ok(r) => Ok(Item { line: r.line, lead: r.lead }),
        Err(e) => {
            Err(Failed { line: e.line(), lead_id: e.lead_id().map(str::to_owned), error: e.to_string() })
        }
    }
}

/// Whether standard input is a pipe, a file or a socket: something to read
/// leads from, unlike a terminal or `/dev/null`.
fn stdin_has_input() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata("/dev/stdin").is_ok_and(|m| {
            let t = m.file_type();
            t.is_fifo() || t.is_file() || t.is_socket()
        })
    }
    #[cfg(not(unix))]
    {
        !io::stdin().is_terminal()
    }
}

/// Runs a hook before every read of the underlying source. Under a
/// `BufReader` that is exactly when the buffered input is used up, the one
/// moment a read may wait.
struct WaitHook {
    inner: Box<dyn Read>,
    before_wait: Option<BeforeWait>,
}

impl Read for WaitHook {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(hook) = &self.before_wait {
            hook();
        }
        self.inner.read(buf)
    }
}

/// A progress bar on standard error, for a run over files whose size is
/// known, when standard error is a terminal and standard output is not
/// (there the output itself shows progress).
pub fn progress_bar(total: Option<u64>) -> Option<indicatif::ProgressBar> {
    let total = total?;
    if !io::stderr().is_terminal() || io::stdout().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    let style =
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}
