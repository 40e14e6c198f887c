//! The built `leadgate` binary, run as a user runs it: output, exit codes,
//! streaming, CSV exports.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use leadgate::{Pack, Qualifier};

const AS_OF: &str = "2026-11-23T00:00:00Z";
const SAMPLES: &str = include_str!("../../examples/data/leads.ndjson");

fn leadgate() -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("leadgate"));
    command.current_dir(root()).env_remove("NO_COLOR");
    command
}

/// The repository's root, where the shipped packs and samples are.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(args: &[&str]) -> Output {
    leadgate().args(args).stdin(Stdio::null()).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A fresh directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("leadgate-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The library's decisions on the sample leads, as JSON lines.
fn library_decisions(pack: &Pack) -> Vec<String> {
    let q = Qualifier::new(pack).unwrap();
    leadgate::read_leads(SAMPLES)
        .map(|r| {
            serde_json::to_string(&q.evaluate(&r.unwrap().lead, AS_OF.parse().unwrap()).unwrap()).unwrap()
        })
        .collect()
}

#[test]
fn qualify_json_is_the_library_decision_for_every_sample_lead() {
    let out = run(&["qualify", "--as-of", AS_OF, "--format=json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines, library_decisions(&Pack::b2b_bant()));
    assert_eq!(stderr(&out), "");
}

#[test]
fn qualify_table_names_the_pack_and_counts_handoffs() {
    let out = run(&["qualify", "--as-of", AS_OF, "--explain", "L-1001"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(!text.contains('\x1b'), "no colour outside a terminal");
    let pack = Pack::b2b_bant();
    let hash = &pack.hash()[..12];
    assert_eq!(text.lines().next().unwrap(), format!("pack b2b-bant 1.0.0 ({hash}…), as of {AS_OF}"));
    let handed: usize =
        library_decisions(&Pack::b2b_bant()).iter().filter(|d| !d.contains("\"handoff\":null")).count();
    assert_eq!(handed, 17);
    assert!(text.contains("\n50 leads: 17 handed to sales, 0 failed."), "{text}");
    assert!(text.contains("\nwhy L-1001 scored 98 (fit 47, engagement 51, negative 0):\n"), "{text}");
}

#[test]
fn qualify_csv_has_a_column_per_criterion() {
    let out = run(&["qualify", "--as-of", AS_OF, "--format", "csv", "--rules", "packs/meddic"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    let criteria = Pack::meddic().criteria().join(",");
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "line,lead_id,score,fit,engagement,negative,grade,temperature,stage,handoff_stage,handoff_reason,\
             disqualified,why_not_yet,error,{criteria}"
        )
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 50);
    let decisions = library_decisions(&Pack::meddic());
    for (row, decision) in rows.iter().zip(&decisions) {
        let d: serde_json::Value = serde_json::from_str(decision).unwrap();
        assert_eq!(row.get(1), d["lead_id"].as_str());
        assert_eq!(row.get(2), Some(d["score"].to_string().as_str()));
    }
}

#[test]
fn a_bad_lead_is_reported_by_line_and_the_others_are_decided() {
    let out = run(&["qualify", "--as-of", AS_OF, "--format", "json", "examples/data/bad-leads.ndjson"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let errors: Vec<(u64, &str)> = lines
        .iter()
        .filter(|l| l.get("error").is_some())
        .map(|l| (l["line"].as_u64().unwrap(), l["lead_id"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(errors, [(2, "L-BAD-1"), (5, "L-BAD-2"), (7, "")]);
    assert_eq!(lines.len() - errors.len(), 5);
}

#[test]
fn qualify_streams_a_decision_before_the_input_ends() {
    let mut child = leadgate()
        .args(["qualify", "--as-of", AS_OF, "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    input.write_all(SAMPLES.lines().next().unwrap().as_bytes()).unwrap();
    input.write_all(b"\n").unwrap();
    input.flush().unwrap();
    // The input is still open: the decision must come anyway.
    let mut first = String::new();
    output.read_line(&mut first).unwrap();
    assert!(first.starts_with("{\"lead_id\":\"L-1001\""), "{first}");
    input.write_all(SAMPLES.lines().nth(1).unwrap().as_bytes()).unwrap();
    drop(input);
    let mut second = String::new();
    output.read_line(&mut second).unwrap();
    assert!(second.starts_with("{\"lead_id\":\"L-1002\""), "{second}");
    assert!(child.wait().unwrap().success());
}

#[test]
fn standard_input_is_read_when_given() {
    let mut child = leadgate()
        .args(["qualify", "--as-of", AS_OF, "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(SAMPLES.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(stdout(&out).lines().count(), 50);
}

#[test]
fn usage_and_pack_errors_exit_with_2() {
    let out = run(&["qualify", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid value 'xml'"), "{}", stderr(&out));
    let out = run(&["qualify", "--rules", "no-such-pack"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: no-such-pack: the pack cannot be loaded:"), "{}", stderr(&out));
    let out = run(&["qualify", "--param", "mql_threshold=lots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("mql_threshold"), "{}", stderr(&out));
    let out = run(&["qualify", "missing.ndjson"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["qualify", "contacts.csv"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_goes_to_standard_output_with_examples() {
    for command in
        ["qualify", "check", "test", "diff", "calibrate", "funnel", "new", "definitions", "completions"]
    {
        let out = run(&[command, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{command}");
        assert!(stdout(&out).contains("Example"), "{command} --help has an example");
    }
    let out = run(&["mapping", "check", "--help"]);
    assert!(stdout(&out).contains("Examples:"));
}

#[test]
fn check_reports_every_problem_with_its_position() {
    let out = run(&["check", "packs/b2b-bant"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "b2b-bant 1.0.0: 7 rules, 3 account rules, 10 test cases, no problems\n");

    let dir = scratch("check");
    std::fs::write(
        dir.join("pack.toml"),
        "name = \"broken\"\nversion = \"1\"\n[[rules]]\nname = \"a\"\nscript = '''\nif lead.industy == \"x\" { decision.fit(1, \"x\"); }\n'''\n",
    )
    .unwrap();
    let out = run(&["check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("industy"), "{text}");
    assert!(text.contains("did you mean"), "{text}");
    assert!(text.ends_with("1 problem(s)\n"), "{text}");
}

#[test]
fn test_runs_the_cases_and_writes_junit() {
    let dir = scratch("junit");
    let junit = dir.join("report.xml");
    let out = run(&["test", "packs/b2b-bant", "--junit", junit.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("10 passed, 0 failed\n"));
    let xml = std::fs::read_to_string(junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 10);
    assert!(xml.contains("<testsuite name=\"b2b-bant\" tests=\"10\" failures=\"0\">"));
}

#[test]
fn new_makes_a_pack_that_check_and_test_accept() {
    let dir = scratch("new").join("acme-rules");
    let out = run(&["new", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["check", dir.to_str().unwrap()]);
    assert_eq!(stdout(&out), "acme-rules 0.1.0: 3 rules, 2 test cases, no problems\n");
    let out = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("2 passed, 0 failed\nrules fired: "), "{}", stdout(&out));
    // Not over an existing pack.
    let out = run(&["new", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_reports_changes_and_judges_them_against_outcomes() {
    let dir = scratch("diff");
    let outcomes = dir.join("outcomes.csv");
    // L-1003 scores 41: handed off at a threshold of 40, not at 60.
    std::fs::write(&outcomes, "lead_id,outcome\nL-1003,converted\nL-1002,not_converted\n").unwrap();
    let args = ["diff", "packs/b2b-bant", "packs/b2b-bant", "--param", "mql_threshold=40", "--as-of", AS_OF];
    let out = run(&[&args[..], &["--outcomes", outcomes.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(&format!("as of {AS_OF}\nb2b-bant 1.0.0 (pack ")), "{text}");
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let candidate = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build().unwrap();
    let leads: Vec<_> = leadgate::read_leads(SAMPLES).map(|r| r.unwrap().lead).collect();
    let report = leadgate::authoring::shadow_compare_with_outcomes(
        &q,
        &candidate,
        &leads,
        AS_OF.parse().unwrap(),
        |l| match l.id.as_str() {
            "L-1003" => leadgate::calibration::Outcome::Converted,
            "L-1002" => leadgate::calibration::Outcome::NotConverted,
            _ => leadgate::calibration::Outcome::Unknown,
        },
    );
    assert_eq!(text, format!("as of {AS_OF}\n{report}"));
    assert_eq!(report.outcomes.unwrap().converted_newly_handed_off, ["L-1003"]);
}

#[test]
fn calibrate_reads_decisions_and_outcomes() {
    let dir = scratch("calibrate");
    let decisions = dir.join("decisions.ndjson");
    let out = run(&["qualify", "--as-of", AS_OF, "--format", "json"]);
    std::fs::write(&decisions, &out.stdout).unwrap();
    let outcomes = dir.join("outcomes.csv");
    std::fs::write(&outcomes, "L-1001,converted,50000\nL-1002,not_converted\nL-1003,converted\n").unwrap();
    let args =
        ["calibrate", "--decisions", decisions.to_str().unwrap(), "--outcomes", outcomes.to_str().unwrap()];
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .starts_with("50 leads: 3 with a known outcome, 2 won, 47 unknown; base win rate 66.7% [")
    );
    let out = run(&[&args[..], &["--format", "json"]].concat());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((json["leads"].as_u64(), json["unknown"].as_u64()), (Some(50), Some(47)));
    assert_eq!((json["base"]["hits"].as_u64(), json["base"]["count"].as_u64()), (Some(2), Some(3)));

    std::fs::write(&outcomes, "L-1001,won\n").unwrap();
    let out = run(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("outcomes.csv:1: "), "{}", stderr(&out));
}

#[test]
fn funnel_counts_the_sample_leads() {
    let out = run(&["funnel", "--format", "json", "examples/data/leads.ndjson"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["leads"].as_u64(), Some(50));
    let leads: Vec<_> = leadgate::read_leads(SAMPLES).map(|r| r.unwrap().lead).collect();
    let expected = serde_json::to_value(leadgate::funnel::Funnel::of(&leads)).unwrap();
    assert_eq!(json["funnels"][0]["funnel"], expected);
    let out = run(&["funnel", "examples/data/leads.ndjson", "--by", "attribute:plan_interest"]);
    assert!(stdout(&out).starts_with("50 leads\n"));
    let out = run(&["funnel", "examples/data/leads.ndjson", "--by", "region"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn shipped_mappings_read_their_sample_exports() {
    for (mapping, leads, activities) in [
        ("hubspot-contacts", "hubspot-contacts.csv", "hubspot-activities.csv"),
        ("salesforce-leads", "salesforce-leads.csv", "salesforce-tasks.csv"),
    ] {
        let samples = root().join("cli/mappings/samples");
        let (leads, activities) = (samples.join(leads), samples.join(activities));
        let (leads, activities) = (leads.to_str().unwrap(), activities.to_str().unwrap());
        let out = run(&["mapping", "check", "--mapping", mapping, leads, "--activities", activities]);
        assert_eq!(out.status.code(), Some(0), "{mapping}: {}", stdout(&out));
        assert!(
            stdout(&out).contains("6 rows: 6 leads, 0 failed\n10 activity rows, 0 failed\n"),
            "{}",
            stdout(&out)
        );
        let out = run(&[
            "qualify",
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--leads",
            leads,
            "--mapping",
            mapping,
            "--activities",
            activities,
        ]);
        assert_eq!(out.status.code(), Some(0), "{mapping}: {}", stdout(&out));
        let decisions: Vec<serde_json::Value> =
            stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(decisions.len(), 6);
        assert!(decisions.iter().any(|d| d["engagement"].as_i64() > Some(0)), "activities count");
    }
}

#[test]
fn a_csv_with_bad_rows_reports_them_by_line_and_decides_the_rest() {
    let dir = scratch("csv");
    let mapping = dir.join("map.toml");
    std::fs::write(
        &mapping,
        "[columns]\nid = \"Id\"\ncreated_at = \"Created\"\n\"company.employees\" = \"Size\"\nstage = \"Status\"\n\
         [values.Status]\nOpen = \"lead\"\n",
    )
    .unwrap();
    let leads = dir.join("leads.csv");
    std::fs::write(&leads, "Id,Created,Size,Status\na,2026-11-01,300,Open\nb,2026-11-01,lots,Open\nc,2026-11-01,,Won\nd,2026-11-01,20,\n")
        .unwrap();
    let (mapping, leads) = (mapping.to_str().unwrap(), leads.to_str().unwrap());
    let out = run(&["qualify", "--as-of", AS_OF, "--format", "json", "--mapping", mapping, leads]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["lead_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(
        lines[1]["error"],
        "line 3: column \"Size\" (company.employees): expected a whole number, got \"lots\""
    );
    assert_eq!(lines[2]["line"], 4);
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("line 4: column \"Status\" (stage): unknown stage \"Won\"")
    );

    let out = run(&["mapping", "check", "--mapping", mapping, leads]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("4 rows: 2 leads, 2 failed\n"), "{}", stdout(&out));
}

#[test]
fn a_mapping_with_an_unknown_field_is_refused_with_a_suggestion() {
    let dir = scratch("bad-mapping");
    let mapping = dir.join("map.toml");
    std::fs::write(
        &mapping,
        "[columns]\nid = \"Id\"\ncreated_at = \"Created\"\n\"company.industy\" = \"Industry\"\n",
    )
    .unwrap();
    let out = run(&[
        "mapping",
        "check",
        "--mapping",
        mapping.to_str().unwrap(),
        "cli/mappings/samples/hubspot-contacts.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"company.industy\" is not a lead field (did you mean \"company.industry\"?)")
    );
    let out = run(&["mapping", "check", "--mapping", "hubspot", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("(did you mean \"hubspot-contacts\"?)"), "{}", stderr(&out));
}

#[test]
fn a_column_the_export_lacks_is_reported() {
    let dir = scratch("missing-column");
    let leads = dir.join("leads.csv");
    std::fs::write(&leads, "Record ID,Create Date,Email\n1,2026-11-01 10:00,a@b.io\n").unwrap();
    let out = run(&["mapping", "check", "--mapping", "hubspot-contacts", leads.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("missing: column \"Industry\" (for company.industry) is not in the export\n")
    );
}

#[test]
fn definitions_and_completions() {
    let out = run(&["definitions"]);
    assert_eq!(stdout(&out), leadgate::authoring::editor_definitions());
    let out = run(&["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("_leadgate()"));
}

#[test]
fn crlf_exports_report_the_right_lines() {
    let dir = scratch("crlf");
    let mapping = dir.join("map.toml");
    std::fs::write(
        &mapping,
        "[columns]\nid = \"Id\"\ncreated_at = \"Created\"\n\"company.employees\" = \"Size\"\n",
    )
    .unwrap();
    let leads = dir.join("leads.csv");
    std::fs::write(&leads, "Id,Created,Size\r\na,2026-11-01,1\r\nb,2026-11-01,x\r\n").unwrap();
    let out = run(&["mapping", "check", "--mapping", mapping.to_str().unwrap(), leads.to_str().unwrap()]);
    assert!(stdout(&out).contains("error: line 3: column \"Size\""), "{}", stdout(&out));
}

#[test]
fn a_bad_activity_is_reported_and_fails_the_run() {
    let dir = scratch("activities");
    let mapping = dir.join("map.toml");
    std::fs::write(
        &mapping,
        "[columns]\nid = \"Id\"\ncreated_at = \"Created\"\n[activities]\nlead_id = \"Who\"\nat = \"When\"\nchannel = \"Type\"\n",
    )
    .unwrap();
    let (leads, activities) = (dir.join("leads.csv"), dir.join("activities.csv"));
    std::fs::write(&leads, "Id,Created\na,2026-11-01\n").unwrap();
    std::fs::write(&activities, "Who,When,Type\na,2026-11-02,webinar\na,2026-11-03,fax\n").unwrap();
    let out = run(&[
        "qualify",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--mapping",
        mapping.to_str().unwrap(),
        leads.to_str().unwrap(),
        "--activities",
        activities.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("activities.csv: line 3: column \"Type\": no channel for \"fax\""),
        "{}",
        stderr(&out)
    );
    let decision: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(decision["lead_id"], "a");
}

#[test]
fn a_pack_with_problems_fails_check_and_test_with_1() {
    let dir = scratch("table-typo");
    std::fs::write(
        dir.join("pack.toml"),
        "name = \"t\"\nversion = \"1\"\n[[rules]]\nname = \"fit\"\ntable = [ { industy = \"software\", fit = 5, reason = \"x\" } ]\n",
    )
    .unwrap();
    for command in ["check", "test"] {
        let out = run(&[command, dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        assert!(stdout(&out).contains("industy"), "{}", stdout(&out));
        assert!(stdout(&out).ends_with("1 problem(s)\n"), "{}", stdout(&out));
    }
}

#[test]
fn explaining_a_lead_that_is_not_there_fails() {
    let out = run(&["qualify", "--as-of", AS_OF, "--explain", "L-9999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).ends_with("no decision for lead \"L-9999\" to explain\n"));
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    // Output far beyond a pipe's buffer, so the writer meets the closed pipe.
    let dir = scratch("pipe");
    let leads = dir.join("leads.ndjson");
    let mut many = String::new();
    for i in 0..40 {
        for line in SAMPLES.lines() {
            let mut lead: serde_json::Value = serde_json::from_str(line).unwrap();
            lead["id"] = format!("{}-{i}", lead["id"].as_str().unwrap()).into();
            many += &format!("{lead}\n");
        }
    }
    std::fs::write(&leads, many).unwrap();
    let leads = leads.to_str().unwrap();
    for args in [
        &["qualify", "--as-of", AS_OF, "--format", "json", leads][..],
        &["diff", "packs/b2b-bant", "packs/meddic", "--as-of", AS_OF, leads],
    ] {
        let mut child = leadgate().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // Read one line, then close the pipe, as `| head -1` does.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

#[test]
fn a_pack_without_test_cases_says_how_to_add_them() {
    let dir = scratch("no-cases");
    std::fs::write(
        dir.join("pack.toml"),
        "name = \"bare\"\nversion = \"1\"\n[[rules]]\nname = \"fit\"\ntable = [ { industry = \"saas\", fit = 5, reason = \"x\" } ]\n",
    )
    .unwrap();
    let out = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with("bare has no test cases: add [[tests]] to its manifest"),
        "{}",
        stdout(&out)
    );
}

const ACCOUNTS: &str = include_str!("../../examples/data/accounts.ndjson");

#[test]
fn qualify_accounts_json_is_the_library_account_decision() {
    let out =
        run(&["qualify", "--accounts", "examples/data/accounts.ndjson", "--as-of", AS_OF, "--format=json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let leads: Vec<leadgate::Lead> = leadgate::read_leads(ACCOUNTS).map(|r| r.unwrap().lead).collect();
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let expected: Vec<String> = leadgate::account::group(&leads)
        .accounts
        .iter()
        .map(|a| serde_json::to_string(&q.evaluate_account(a, AS_OF.parse().unwrap()).unwrap()).unwrap())
        .collect();
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), expected);
}

#[test]
fn qualify_accounts_table_and_csv() {
    let args = ["qualify", "--accounts", "examples/data/accounts.ndjson", "--as-of", AS_OF];
    let out = run(&[&args[..], &["--explain", "brightlane.io"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(
        "brightlane.io             3/4   113   35   78    0  A     hot   → sales as MQA: Score 113 reached the MQA \
         threshold of 80 with economic buyer engaged; buying group A-101, A-102, A-103\n"
    ));
    assert!(text.contains("5 accounts: 1 handed to sales as MQA, 0 failed; 2 leads without an account"));
    assert!(text.contains(
        "    +30  engagement rollup         A-102      Engagement of A-102, champion (35, capped at 30)\n"
    ));
    assert!(text.contains("  economic_buyer (required)  in role: A-101; engaged: A-101\n"));

    let out = run(&[&args[..], &["--format", "csv"]].concat());
    let csv = stdout(&out);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[3],
        "pinecrestmfg.com,1,1,29,28,1,0,B,cold,false,,,,51 points short of the MQA threshold of 80,,"
    );

    // An account that is not there to explain fails the run, as for leads.
    let out = run(&[&args[..], &["--explain", "nowhere.com"]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).ends_with("no decision for account \"nowhere.com\" to explain\n"));
}

#[test]
fn qualify_accounts_reports_unreadable_leads_and_failing_accounts() {
    let dir = scratch("accounts");
    let file = dir.join("leads.ndjson");
    std::fs::write(
        &file,
        "{\"id\": \"a\", \"created_at\": \"2026-11-01T00:00:00Z\", \"account_id\": \"A\"}\nnot json\n\
         {\"id\": \"late\", \"created_at\": \"2026-12-01T00:00:00Z\", \"account_id\": \"B\"}\n",
    )
    .unwrap();
    let out = run(&["qualify", "--accounts", file.to_str().unwrap(), "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["line"], 2);
    assert_eq!(lines[1]["account"], serde_json::json!({"id": "A"}));
    assert_eq!(
        (&lines[2]["account"], &lines[2]["lead_id"]),
        (&serde_json::json!("B"), &serde_json::json!("late"))
    );
}

#[test]
fn funnel_counts_accounts() {
    let out = run(&["funnel", "examples/data/accounts.ndjson", "--accounts", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["funnels"][0]["group"], "all accounts");
    assert_eq!(report["funnels"][0]["funnel"]["leads"], 5);
    let out = run(&["funnel", "examples/data/accounts.ndjson", "--accounts", "--by", "source"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_compares_accounts() {
    let out = run(&[
        "diff",
        "packs/b2b-bant",
        "packs/b2b-bant",
        "--accounts",
        "--leads",
        "examples/data/accounts.ndjson",
        "--param",
        "account_mqa_threshold=20",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("5 accounts: 1 changed, 4 unchanged, 0 failed\n"), "{text}");
    assert!(text.ends_with("pinecrestmfg.com: score 29 -> 29; handoff, buying group\n"), "{text}");
}

/// `leadgate sql`, built with the `sql` feature (the workspace's test
/// command turns every feature on).
#[cfg(feature = "sql")]
mod sql {
    use super::*;

    const SCORES: &str = "SELECT id, qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z')['score'] AS score, \
         qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z')['error'] AS error FROM leads ORDER BY id";

    /// `id,score,error` lines as the library decides `leads` with `pack`.
    fn library_scores(leads: &[leadgate::Lead], pack: &Pack) -> String {
        let q = Qualifier::new(pack).unwrap();
        let mut sorted: Vec<&leadgate::Lead> = leads.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        let mut csv = String::from("id,score,error\n");
        for lead in sorted {
            let d = q.evaluate(lead, AS_OF.parse().unwrap()).unwrap();
            csv.push_str(&format!("{},{},\n", lead.id, d.score));
        }
        csv
    }

    fn samples() -> Vec<leadgate::Lead> {
        leadgate::read_leads(SAMPLES).map(|r| r.unwrap().lead).collect()
    }

    #[test]
    fn sql_decides_the_sample_leads_as_the_library_does() {
        let out = run(&["sql", "--format", "csv", SCORES]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), library_scores(&samples(), &Pack::b2b_bant()));
        assert_eq!(stderr(&out), "");
    }

    #[test]
    fn sql_reads_parquet_and_a_named_pack_per_row() {
        let dir = scratch("sql-parquet");
        let path = dir.join("leads.parquet");
        let batch = leadgate_datafusion::leads_to_arrow(&samples()).unwrap();
        let file = std::fs::File::create(&path).unwrap();
        let mut writer =
            leadgate_datafusion::datafusion::parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None)
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let table = format!("crm={}", path.display());
        let query = "SELECT id, qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z', 'm')['score'] AS score, \
             qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z', 'm')['error'] AS error FROM crm ORDER BY id";
        let out = run(&["sql", "--table", &table, "--pack", "m=packs/meddic", "--format", "csv", query]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), library_scores(&samples(), &Pack::meddic()));
    }

    #[test]
    fn sql_leaves_out_an_unreadable_lead_and_names_its_line() {
        let dir = scratch("sql-ndjson");
        let path = dir.join("leads.ndjson");
        let good = SAMPLES.lines().take(2).collect::<Vec<_>>();
        let text = format!("{}\n{{\"id\": \"bad\", \"created_at\": \"yesterday\"}}\n{}\n", good[0], good[1]);
        std::fs::write(&path, text).unwrap();
        let table = format!("leads={}", path.display());
        let out = run(&["sql", "--table", &table, "--format", "csv", SCORES]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let first_two: Vec<leadgate::Lead> = samples().into_iter().take(2).collect();
        assert_eq!(stdout(&out), library_scores(&first_two, &Pack::b2b_bant()));
        let err = stderr(&out);
        assert!(err.contains("leads.ndjson: line 2") && err.contains("the lead is left out"), "{err}");
    }

    #[test]
    fn sql_writes_nested_decisions_as_json_and_a_table() {
        let query =
            "SELECT id, qualify(lead, TIMESTAMP '2026-11-23T00:00:00Z') AS d FROM leads WHERE id = 'L-1001'";
        let out = run(&["sql", "--format", "json", query]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let row: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let lead = samples().into_iter().find(|l| l.id == "L-1001").unwrap();
        let d = Qualifier::new(&Pack::b2b_bant()).unwrap().evaluate(&lead, AS_OF.parse().unwrap()).unwrap();
        assert_eq!(row["d"]["score"], d.score);
        assert_eq!(row["d"]["handoff_reason"], d.handoff.as_ref().unwrap().reason.as_str());
        assert_eq!(row["d"]["pack_hash"], Pack::b2b_bant().hash());
        let out = run(&["sql", "SELECT count(*) AS n FROM leads"]);
        assert_eq!(stdout(&out), "+----+\n| n  |\n+----+\n| 50 |\n+----+\n1 row\n");
    }

    #[test]
    fn sql_reports_a_bad_query_or_file_as_a_usage_error() {
        let out = run(&["sql", "SELECT nope FROM leads"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("the query failed: Schema error: No field named nope"),
            "{}",
            stderr(&out)
        );
        let out = run(&["sql", "--table", "t=leads.xlsx", "SELECT 1"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("leads.xlsx: cannot tell the file's format"), "{}", stderr(&out));
    }
}
