//! Input and packs read in linear time, with the same answers as before:
//! line numbers, size limits at the byte, times that write back, and every
//! duplicate named. (Timings are in `benches/input.rs`.)

use leadgate::lead::MAX_LEAD_BYTES;
use leadgate::lead::Record;
use leadgate::pack::ProblemKind;
use leadgate::{InputError, Lead, Pack, read_leads, read_leads_from};

fn ok(id: usize) -> String {
    format!(r#"{{"id": "L-{id}", "created_at": "2026-01-01T00:00:00Z"}}"#)
}

fn bad(id: usize) -> String {
    format!(r#"{{"id": "L-{id}", "created_at": 5}}"#)
}

/// Reads `input` both ways, which must agree; returns (line, Ok(id) or Err(text)).
fn both(input: &str) -> Vec<(Option<usize>, Result<String, String>)> {
    let flat = |r: Result<Record, InputError>| match r {
        Ok(r) => (Some(r.line), Ok(r.lead.id.to_string())),
        Err(e) => (e.line(), Err(e.to_string())),
    };
    let from_str: Vec<_> = read_leads(input).map(flat).collect();
    let from_reader: Vec<_> = read_leads_from(input.as_bytes()).map(flat).collect();
    assert_eq!(from_str, from_reader);
    from_str
}

#[test]
fn array_elements_keep_their_line_numbers_deep_into_a_large_array() {
    // Leads one per line, some spread over three lines, every seventh broken.
    let mut input = String::from("[\n");
    let mut expected = Vec::new();
    let mut line = 2;
    for i in 0..3000 {
        let json = if i % 7 == 3 { bad(i) } else { ok(i) };
        let sep = if i + 1 < 3000 { "," } else { "" };
        if i % 5 == 0 {
            // `{` on this line, the fields on the next two.
            let spread = json.replacen("{", "{\n", 1).replacen(", ", ",\n", 1);
            input.push_str(&format!("{spread}{sep}\n"));
            expected.push((line, i));
            line += 3;
        } else {
            input.push_str(&format!("{json}{sep}\n"));
            expected.push((line, i));
            line += 1;
        }
    }
    input.push_str("]\n");
    let results = both(&input);
    assert_eq!(results.len(), 3000);
    for ((got_line, got), (line, i)) in results.into_iter().zip(expected) {
        assert_eq!(got_line, Some(line), "lead {i}");
        if i % 7 == 3 {
            assert_eq!(
                got,
                Err(format!(
                    "line {line}: lead \"L-{i}\": created_at: invalid type: integer `5`, \
                     expected an RFC 3339 time such as \"2026-11-23T09:30:00Z\""
                ))
            );
        } else {
            assert_eq!(got, Ok(format!("L-{i}")));
        }
    }
}

#[test]
fn an_array_after_blank_lines_and_crlf_counts_every_line() {
    let input = format!("\r\n\r\n[{},\r\n{},\r\n\r\n{}]\r\n", ok(1), bad(2), ok(3));
    let results = both(&input);
    assert_eq!(results[0], (Some(3), Ok("L-1".into())));
    assert_eq!(results[1].0, Some(4));
    assert_eq!(results[2], (Some(6), Ok("L-3".into())));
}

/// A lead of exactly `len` bytes of JSON.
fn lead_of(id: &str, len: usize) -> String {
    let head = format!(r#"{{"id": "{id}", "created_at": "2026-01-01T00:00:00Z", "pad": ""#);
    let json = format!("{head}{}\"}}", "x".repeat(len - head.len() - 2));
    assert_eq!(json.len(), len);
    json
}

#[test]
fn a_lead_of_exactly_the_limit_is_read_with_lf_or_crlf() {
    for end in ["\n", "\r\n"] {
        let input = [ok(1), lead_of("fits", MAX_LEAD_BYTES), ok(3)].join(end) + end;
        let results = both(&input);
        assert_eq!(
            results,
            [(Some(1), Ok("L-1".into())), (Some(2), Ok("fits".into())), (Some(3), Ok("L-3".into()))],
            "{end:?}"
        );
        // Without a line ending at the end of the input, too.
        let input = [ok(1), lead_of("fits", MAX_LEAD_BYTES)].join(end);
        assert_eq!(both(&input)[1], (Some(2), Ok("fits".into())), "{end:?}");
    }
}

#[test]
fn a_lead_one_byte_over_the_limit_is_refused_with_lf_or_crlf() {
    let over = |len: usize| format!("{len} bytes of JSON, over the limit of {MAX_LEAD_BYTES}");
    for end in ["\n", "\r\n"] {
        for extra in [1, 2, 3, 1000] {
            let len = MAX_LEAD_BYTES + extra;
            let input = [ok(1), lead_of("big", len), ok(3)].join(end) + end;
            let results = both(&input);
            assert_eq!(
                results,
                [
                    (Some(1), Ok("L-1".into())),
                    (Some(2), Err(format!("line 2: {}", over(len)))),
                    (Some(3), Ok("L-3".into()))
                ],
                "{end:?} +{extra}"
            );
        }
    }
    // A lone `\r` is not a line ending: it counts.
    let input = format!("{}\r", lead_of("cr", MAX_LEAD_BYTES));
    let err = read_leads_from(input.as_bytes()).next().unwrap().unwrap_err();
    assert_eq!(err.to_string(), format!("line 1: {}", over(MAX_LEAD_BYTES + 1)));
}

#[test]
fn times_that_cannot_be_written_back_are_refused_naming_the_field() {
    let cases = [
        (
            r#"{"id": "a", "created_at": "9999-12-31T23:00:00-02:00"}"#,
            "created_at",
            "9999-12-31T23:00:00-02:00",
        ),
        (
            r#"{"id": "a", "created_at": "0000-01-01T00:30:00+01:00"}"#,
            "created_at",
            "0000-01-01T00:30:00+01:00",
        ),
        (
            r#"{"id": "a", "created_at": "2026-01-01T00:00:00Z",
                "touchpoints": [{"at": "9999-12-31T23:59:59-00:01", "channel": "web_visit"}]}"#,
            "touchpoints[0].at",
            "9999-12-31T23:59:59-00:01",
        ),
    ];
    for (json, path, time) in cases {
        let err = Lead::from_json(json).unwrap_err();
        assert_eq!((err.lead_id(), err.path()), (Some("a"), Some(path)), "{err}");
        assert_eq!(
            err.message(),
            format!(
                "time {time:?} is outside the years 0000 to 9999 in UTC, so RFC 3339 cannot write it back"
            )
        );
    }
    // The edges themselves are read and written back.
    let lead =
        Lead::from_json(r#"{"id": "a", "created_at": "9999-12-31T22:59:59.999999999-01:00"}"#).unwrap();
    let again = Lead::from_json(&serde_json::to_string(&lead).unwrap()).unwrap();
    assert_eq!(again, lead);
}

/// A manifest of `n` inline rules, `r0` to `r{n-1}`.
fn many_rules(n: usize) -> String {
    let mut toml = String::from("name = \"many\"\nversion = \"1\"\n");
    for i in 0..n {
        toml.push_str(&format!(
            "[[rules]]\nname = \"r{i}\"\nscript = '''\ndecision.fit(1, \"r{i}\");\n'''\n"
        ));
    }
    toml
}

#[test]
fn many_rules_load_and_every_duplicate_is_named() {
    let pack = Pack::from_toml(&many_rules(2000)).unwrap();
    assert_eq!(pack.rules().count(), 2000);
    assert_eq!(pack.rules().last(), Some("r1999"));
    let toml = many_rules(2000)
        .replace("name = \"r1999\"", "name = \"r5\"")
        .replace("name = \"r1000\"", "name = \"r7\"");
    let err = Pack::from_toml(&toml).unwrap_err();
    let messages: Vec<_> = err.problems().iter().map(|p| (p.kind(), p.message())).collect();
    assert_eq!(
        messages,
        [
            (ProblemKind::Invalid, "rule \"r7\" is declared twice"),
            (ProblemKind::Invalid, "rule \"r5\" is declared twice")
        ]
    );
    let mut toml = String::from("name = \"c\"\nversion = \"1\"\ncriteria = [");
    for i in 0..2000 {
        toml.push_str(&format!("\"c{}\", ", i % 1999));
    }
    toml.push_str("]\n");
    let err = Pack::from_toml(&toml).unwrap_err();
    assert_eq!(err.to_string(), "criterion \"c0\" is declared twice");
}

#[test]
fn a_table_after_many_scripts_names_the_first_script_and_its_place() {
    let mut toml = many_rules(1000);
    toml.push_str("[[rules]]\nname = \"late\"\ntable = [{ fit = 1, reason = \"Anyone\" }]\n");
    let line = toml.lines().count();
    let err = Pack::from_toml(&toml).unwrap_err();
    assert_eq!(
        err.to_string(),
        "table \"late\" comes after script \"r0\": tables run before scripts, so write them first"
    );
    // A table that does not parse is located by line and column, however deep.
    let toml = toml.replace("{ fit = 1,", "{ nope = 1, fit = 1,");
    let err = Pack::from_toml(&toml).unwrap_err();
    let location = err.problems()[0].location().expect("a location");
    assert_eq!((location.script.as_str(), location.line, location.column), ("pack.toml", line, 9));
}
