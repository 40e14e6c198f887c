//! Hostile packs on disk: a pack reads only its own regular files, each with
//! a bound, and its problems never show another file's content.

use std::path::PathBuf;

use leadgate::lead::MAX_LEAD_BYTES;
use leadgate::pack::ProblemKind;
use leadgate::{Pack, PackError};

/// What the file outside every pack holds: no error may show it.
const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-PACK";

const HEAD: &str = "name = \"p\"\nversion = \"1\"\n";

/// A scratch directory holding `pack/` (the pack) and `other/rules.rhai`
/// (a file outside it); removed when dropped.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let root = std::env::temp_dir().join(format!("leadgate-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("pack")).unwrap();
        std::fs::create_dir_all(root.join("other")).unwrap();
        std::fs::write(root.join("other/rules.rhai"), format!("// {SECRET}\n")).unwrap();
        Scratch { root }
    }

    fn pack(&self) -> PathBuf {
        self.root.join("pack")
    }

    fn outside(&self) -> PathBuf {
        self.root.join("other/rules.rhai")
    }

    /// Writes `pack.toml` with one rule whose `file` is `file`.
    fn rule_file(&self, file: &str) {
        let manifest = format!("{HEAD}[[rules]]\nname = \"r\"\nfile = {}\n", toml_string(file));
        std::fs::write(self.pack().join("pack.toml"), manifest).unwrap();
    }

    /// Writes `pack.toml` with one inline rule and one test whose `lead_file` is `file`.
    fn lead_file(&self, file: &str) {
        let manifest = format!(
            "{HEAD}[[rules]]\nname = \"r\"\nscript = 'decision.fit(1, \"x\")'\n\
             [[tests]]\nname = \"t\"\nas_of = \"2026-11-23T00:00:00Z\"\nlead_file = {}\n",
            toml_string(file)
        );
        std::fs::write(self.pack().join("pack.toml"), manifest).unwrap();
    }

    /// Loads the pack, which must fail with one problem of `kind`, and
    /// returns that problem's text.
    fn refused(&self, kind: ProblemKind) -> String {
        let err: PackError = Pack::load(self.pack()).expect_err("the pack must not load");
        assert_eq!(err.problems().len(), 1, "{err}");
        let problem = &err.problems()[0];
        assert_eq!(problem.kind(), kind, "{err}");
        let text = err.to_string();
        assert!(!text.contains(SECRET), "{text}");
        text
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

const NOT_OWN: &str = "a pack reads files from its own directory only";

#[test]
fn a_rule_file_with_dot_dot_is_refused() {
    let s = Scratch::new("rule-dotdot");
    s.rule_file("../other/rules.rhai");
    assert_eq!(
        s.refused(ProblemKind::Io),
        format!("rule \"r\": cannot read \"../other/rules.rhai\": `..` is refused: {NOT_OWN}")
    );
    // Even when it comes back in.
    s.rule_file("sub/../../pack/x.rhai");
    assert_eq!(
        s.refused(ProblemKind::Io),
        format!("rule \"r\": cannot read \"sub/../../pack/x.rhai\": `..` is refused: {NOT_OWN}")
    );
}

#[test]
fn a_rule_file_with_an_absolute_path_is_refused() {
    let s = Scratch::new("rule-absolute");
    let outside = s.outside().display().to_string();
    s.rule_file(&outside);
    assert_eq!(
        s.refused(ProblemKind::Io),
        format!("rule \"r\": cannot read {outside:?}: an absolute path is refused: {NOT_OWN}")
    );
    s.rule_file("/dev/zero");
    assert_eq!(
        s.refused(ProblemKind::Io),
        format!("rule \"r\": cannot read \"/dev/zero\": an absolute path is refused: {NOT_OWN}")
    );
}

#[cfg(unix)]
#[test]
fn a_rule_file_linked_outside_the_pack_is_refused() {
    let s = Scratch::new("rule-symlink");
    std::os::unix::fs::symlink(s.outside(), s.pack().join("rules.rhai")).unwrap();
    s.rule_file("rules.rhai");
    assert_eq!(
        s.refused(ProblemKind::Io),
        "rule \"r\": cannot read \"rules.rhai\": it leads outside the pack directory; \
         a pack reads files from its own directory only"
    );
    // A link to a directory outside, then a file in it.
    std::os::unix::fs::symlink(s.root.join("other"), s.pack().join("linked")).unwrap();
    s.rule_file("linked/rules.rhai");
    assert_eq!(
        s.refused(ProblemKind::Io),
        "rule \"r\": cannot read \"linked/rules.rhai\": it leads outside the pack directory; \
         a pack reads files from its own directory only"
    );
    // A link to a device.
    std::os::unix::fs::symlink("/dev/zero", s.pack().join("zero.rhai")).unwrap();
    s.rule_file("zero.rhai");
    assert_eq!(
        s.refused(ProblemKind::Io),
        "rule \"r\": cannot read \"zero.rhai\": it leads outside the pack directory; \
         a pack reads files from its own directory only"
    );
    // A link that stays inside is fine.
    std::fs::write(s.pack().join("real.rhai"), "decision.fit(1, \"x\")").unwrap();
    std::os::unix::fs::symlink(s.pack().join("real.rhai"), s.pack().join("alias.rhai")).unwrap();
    s.rule_file("./alias.rhai");
    assert_eq!(Pack::load(s.pack()).unwrap().rules().collect::<Vec<_>>(), ["r"]);
}

#[test]
fn a_rule_file_that_is_not_a_regular_file_is_refused() {
    let s = Scratch::new("rule-directory");
    std::fs::create_dir(s.pack().join("dir.rhai")).unwrap();
    s.rule_file("dir.rhai");
    assert_eq!(s.refused(ProblemKind::Io), "rule \"r\": cannot read \"dir.rhai\": not a regular file");
    s.rule_file(".");
    assert_eq!(s.refused(ProblemKind::Io), "rule \"r\": cannot read \".\": not a regular file");
}

#[cfg(unix)]
#[test]
fn a_rule_file_that_is_a_fifo_is_refused_without_waiting() {
    let s = Scratch::new("rule-fifo");
    let status = std::process::Command::new("mkfifo").arg(s.pack().join("fifo.rhai")).status().unwrap();
    assert!(status.success());
    s.rule_file("fifo.rhai");
    // Opening a FIFO for reading would wait for a writer: this returns at once.
    assert_eq!(s.refused(ProblemKind::Io), "rule \"r\": cannot read \"fifo.rhai\": not a regular file");
}

#[test]
fn a_missing_rule_file_is_an_io_problem() {
    let s = Scratch::new("rule-missing");
    s.rule_file("nope.rhai");
    let text = s.refused(ProblemKind::Io);
    assert!(text.starts_with("rule \"r\": cannot read \"nope.rhai\": "), "{text}");
}

#[test]
fn an_oversize_rule_file_is_refused_at_its_limit() {
    let limit = leadgate::Limits::default().max_source_size;
    assert_eq!(limit, 64 * 1024);
    let s = Scratch::new("rule-oversize");
    // Exactly the limit loads.
    let fits = format!("decision.fit(1, \"x\");\n{}", " ".repeat(limit - 22));
    assert_eq!(fits.len(), limit);
    std::fs::write(s.pack().join("big.rhai"), &fits).unwrap();
    s.rule_file("big.rhai");
    assert!(Pack::load(s.pack()).is_ok());
    // One byte more does not.
    std::fs::write(s.pack().join("big.rhai"), format!("{fits} ")).unwrap();
    assert_eq!(
        s.refused(ProblemKind::TooLarge),
        format!("rule \"r\": \"big.rhai\" is larger than the limit of {limit} bytes")
    );
}

#[test]
fn an_oversize_or_special_manifest_is_refused() {
    let s = Scratch::new("manifest");
    let manifest = s.pack().join("pack.toml");
    let shown = manifest.display().to_string();
    // A directory named pack.toml.
    std::fs::create_dir(&manifest).unwrap();
    let err = Pack::load(s.pack()).unwrap_err();
    assert_eq!(err.problems()[0].kind(), ProblemKind::Io);
    assert_eq!(err.to_string(), format!("cannot read {shown:?}: not a regular file"));
    std::fs::remove_dir(&manifest).unwrap();
    // Over the bound: refused after reading one byte more than it.
    let big = format!("{HEAD}#{}\n", "x".repeat(Pack::MAX_MANIFEST_BYTES));
    std::fs::write(&manifest, big).unwrap();
    let err = Pack::load(s.pack()).unwrap_err();
    assert_eq!(err.problems()[0].kind(), ProblemKind::TooLarge);
    assert_eq!(err.to_string(), format!("{shown:?} is larger than the limit of 1048576 bytes"));
    assert_eq!(Pack::MAX_MANIFEST_BYTES, 1 << 20);
}

#[cfg(unix)]
#[test]
fn a_device_as_a_single_script_or_manifest_is_refused() {
    let s = Scratch::new("device");
    let script = s.root.join("zero.rhai");
    std::os::unix::fs::symlink("/dev/zero", &script).unwrap();
    let err = Pack::load(&script).unwrap_err();
    assert_eq!(err.problems()[0].kind(), ProblemKind::Io);
    assert_eq!(
        err.to_string(),
        format!("cannot read {:?}: not a regular file", script.display().to_string())
    );
    // A device given as the manifest: not a regular file, not read.
    let err = Pack::load("/dev/zero").unwrap_err();
    assert_eq!(err.problems()[0].kind(), ProblemKind::Io);
    assert_eq!(err.to_string(), "cannot read \"/dev/zero\": not a regular file");
}

#[test]
fn a_lead_file_reads_only_the_packs_own_files() {
    let s = Scratch::new("lead-file");
    let t = |why: &str, file: &str| format!("test \"t\": lead_file: cannot read {file:?}: {why}");
    s.lead_file("../other/rules.rhai");
    assert_eq!(s.refused(ProblemKind::Io), t(&format!("`..` is refused: {NOT_OWN}"), "../other/rules.rhai"));
    let outside = s.outside().display().to_string();
    s.lead_file(&outside);
    assert_eq!(s.refused(ProblemKind::Io), t(&format!("an absolute path is refused: {NOT_OWN}"), &outside));
    s.lead_file("/dev/zero");
    assert_eq!(
        s.refused(ProblemKind::Io),
        t(&format!("an absolute path is refused: {NOT_OWN}"), "/dev/zero")
    );
    std::fs::create_dir(s.pack().join("leads")).unwrap();
    s.lead_file("leads");
    assert_eq!(s.refused(ProblemKind::Io), t("not a regular file", "leads"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(s.outside(), s.pack().join("lead.json")).unwrap();
        s.lead_file("lead.json");
        assert_eq!(
            s.refused(ProblemKind::Io),
            t(&format!("it leads outside the pack directory; {NOT_OWN}"), "lead.json")
        );
        std::os::unix::fs::symlink("/dev/zero", s.pack().join("zero.json")).unwrap();
        s.lead_file("zero.json");
        assert_eq!(
            s.refused(ProblemKind::Io),
            t(&format!("it leads outside the pack directory; {NOT_OWN}"), "zero.json")
        );
    }
}

#[test]
fn an_oversize_lead_file_is_refused_at_its_limit() {
    let s = Scratch::new("lead-oversize");
    let lead = |len: usize| {
        let head = r#"{"id": "h", "created_at": "2026-11-01T00:00:00Z", "pad": ""#;
        let json = format!("{head}{}\"}}", "x".repeat(len - head.len() - 2));
        assert_eq!(json.len(), len);
        json
    };
    std::fs::write(s.pack().join("lead.json"), lead(MAX_LEAD_BYTES)).unwrap();
    s.lead_file("lead.json");
    let pack = Pack::load(s.pack()).unwrap();
    assert!(pack.run_tests().unwrap().passed());
    std::fs::write(s.pack().join("lead.json"), lead(MAX_LEAD_BYTES + 1)).unwrap();
    assert_eq!(
        s.refused(ProblemKind::TooLarge),
        format!("test \"t\": lead_file: \"lead.json\" is larger than the limit of {MAX_LEAD_BYTES} bytes")
    );
}
