//! Any text as a rule: compiling and evaluating it gives a result or an error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use leadgate::{Lead, Limits, Pack, Qualifier};

fn lead() -> &'static Lead {
    static LEAD: OnceLock<Lead> = OnceLock::new();
    LEAD.get_or_init(|| {
        Lead::from_json(
            r#"{"id": "F-1", "created_at": "2026-10-01T00:00:00Z",
                "person": {"email": "a@b.io", "seniority": "vp"},
                "company": {"industry": "software", "employees": 300},
                "qualification": {"budget": {"amount": 5000, "currency": "EUR"}, "need": "x"},
                "touchpoints": [{"at": "2026-11-20T00:00:00Z", "channel": "webinar", "campaign": "c"},
                                {"at": "2026-11-21T00:00:00Z", "channel": "pricing_page"},
                                {"at": "2026-11-21T01:00:00Z", "channel": "email_sent"}],
                "attributes": {"n": 1, "s": "t", "l": [1, "a", [2]], "o": {"k": "v", "n": [1]}}}"#,
        )
        .expect("the fuzz lead is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else { return };
    if script.len() > 32 * 1024 {
        return;
    }
    let Ok(pack) = Pack::from_script("fuzz", script) else { return };
    let mut limits = Limits::default();
    limits.max_operations = 20_000;
    let Ok(q) = Qualifier::builder(&pack).limits(limits).build() else { return };
    // On the 2 MiB stack of rayon's workers and most hosts' threads: a stack
    // overflow there aborts, which libFuzzer reports.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            if let Ok(d) = q.evaluate(lead(), "2026-11-23T00:00:00Z".parse().expect("a time")) {
                assert_eq!(d.contributions.iter().map(|c| i128::from(c.points)).sum::<i128>(), i128::from(d.score));
                assert_eq!(q.evaluate(lead(), d.as_of).ok(), Some(d));
            }
        })
        .expect("a thread")
        .join()
        .expect("no panic");
});
