//! A hostile workflow: no SLA, time or stale record can panic, loop for long
//! or lose a handoff.

use chrono::{DateTime, Duration, TimeDelta, Utc};
use leadgate::workflow::{HandoffStatus, Rejection, Sla, Workflow, WorkflowErrorKind};
use leadgate::{Lead, Pack, Qualifier, Stage};
use proptest::prelude::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A lead the default pack hands off.
fn hot() -> Lead {
    crate::lead(
        r#"{"id": "h", "created_at": "2026-11-01T00:00:00Z",
            "person": {"seniority": "vp"}, "company": {"industry": "software", "employees": 500, "country": "US"},
            "touchpoints": [{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}]}"#,
    )
}

const MONDAY: &str = "2026-11-23T09:00:00Z";

/// The first instant RFC 3339 can write.
fn first_writable() -> DateTime<Utc> {
    at("0000-01-01T00:00:00Z")
}

/// The last instant RFC 3339 can write.
fn last_writable() -> DateTime<Utc> {
    at("9999-12-31T23:59:59.999999999Z")
}

#[test]
fn an_sla_that_overflows_leaves_the_lead_unchanged() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    for sla in [Sla::hours(u32::MAX), Sla::business_hours(u32::MAX)] {
        let mut lead = hot();
        let decision = q.evaluate(&lead, at(MONDAY)).unwrap();
        assert!(decision.handoff.is_some());
        let before = lead.clone();
        let err = Workflow::new(sla).hand_off(&mut lead, &decision, at(MONDAY)).unwrap_err();
        assert_eq!((err.kind(), err.lead_id()), (WorkflowErrorKind::SlaOverflow, "h"), "{sla:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "the handoff of lead \"h\" at 2026-11-23T09:00:00Z would be due {} hours later, \
                 outside the years RFC 3339 can write (0000 to 9999)",
                u32::MAX
            )
        );
        assert_eq!(lead, before);
        assert_eq!(lead.stage(), Stage::Lead);
        // With an SLA that fits, the same lead is handed off.
        let h = Workflow::new(Sla::hours(24)).hand_off(&mut lead, &decision, at(MONDAY)).unwrap().unwrap();
        assert_eq!(h.due, at("2026-11-24T09:00:00Z"));
    }
}

#[test]
fn a_due_time_past_9999_is_refused_even_when_chrono_has_it() {
    // 24 hours before the end of 9999: 23 fit, 24 do not (it would be year 10000).
    let late = at("9999-12-31T00:00:00Z");
    assert_eq!(Sla::hours(23).checked_due(late), Some(at("9999-12-31T23:00:00Z")));
    assert_eq!(Sla::hours(24).checked_due(late), None);
    assert_eq!(Sla::hours(24).due(late), DateTime::<Utc>::MAX_UTC);
    // 9999-12-31 is a Friday: 8 business hours fit, 9 would be Monday in 10000.
    assert_eq!(Sla::business_hours(8).checked_due(late), Some(at("9999-12-31T17:00:00Z")));
    assert_eq!(Sla::business_hours(9).checked_due(late), None);
}

#[test]
fn extreme_slas_and_times_never_panic() {
    let times = [
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        DateTime::<Utc>::MAX_UTC - Duration::hours(1),
        last_writable(),
        at("0000-01-01T00:00:00Z"),
        at(MONDAY),
    ];
    let hours = [0, 1, 8, 24, 168, 1 << 20, u32::MAX - 1, u32::MAX];
    let days = [
        (0, 0),
        (9, 17),
        (0, 24),
        (23, 24),
        (17, 9),
        (0, u32::MAX),
        (u32::MAX, u32::MAX),
        (u32::MAX - 1, u32::MAX),
    ];
    for &t in &times {
        for &h in &hours {
            for &(day_start, day_end) in &days {
                for business in [false, true] {
                    let mut sla = if business { Sla::business_hours(h) } else { Sla::hours(h) };
                    (sla.day_start, sla.day_end) = (day_start, day_end);
                    let due = sla.checked_due(t);
                    if let Some(due) = due {
                        assert!(
                            due >= t && due >= first_writable() && due <= last_writable(),
                            "{sla:?} at {t}: {due}"
                        );
                    }
                    assert_eq!(sla.due(t), due.unwrap_or(DateTime::<Utc>::MAX_UTC));
                }
            }
        }
    }
    // Far from the edges, a huge SLA is due at a time computed, not walked to.
    let sla = Sla::business_hours(40 * 52 * 100);
    assert_eq!(sla.checked_due(at(MONDAY)), Some(at("2126-07-19T17:00:00Z")));
}

/// The business-hours due time the slow way: hour by hour. `hours` whole
/// hours from an `at` on the hour.
fn walked(at: DateTime<Utc>, hours: u32, start: u32, end: u32) -> DateTime<Utc> {
    use chrono::{Datelike, Timelike, Weekday};
    let mut t = at;
    let mut left = hours;
    let open = |t: DateTime<Utc>| {
        !matches!(t.weekday(), Weekday::Sat | Weekday::Sun) && t.hour() >= start && t.hour() < end
    };
    while left > 0 {
        if open(t) {
            left -= 1;
        }
        t += TimeDelta::hours(1);
    }
    t
}

proptest! {
    #[test]
    fn business_hours_match_walking_hour_by_hour(
        day in 0i64..2000,
        hour in 0i64..24,
        hours in 1u32..600,
        start in 0u32..23,
        len in 1u32..=24,
    ) {
        let end = (start + len).min(24);
        let from = at("2020-01-01T00:00:00Z") + TimeDelta::days(day) + TimeDelta::hours(hour);
        let mut sla = Sla::business_hours(hours);
        (sla.day_start, sla.day_end) = (start, end);
        // The walk ends at the close of the last business hour, as the SLA does.
        prop_assert_eq!(sla.checked_due(from), Some(walked(from, hours, start, end)));
    }

    #[test]
    fn due_never_panics(secs in any::<i64>(), nanos in 0u32..1_000_000_000, hours in any::<u32>(),
                        start in any::<u32>(), end in any::<u32>(), business in any::<bool>()) {
        let t = DateTime::from_timestamp(secs % 8_210_298_412_800, nanos).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut sla = if business { Sla::business_hours(hours) } else { Sla::hours(hours) };
        (sla.day_start, sla.day_end) = (start, end);
        if let Some(due) = sla.checked_due(t) {
            prop_assert!(due >= t && due >= first_writable() && due <= last_writable());
        }
    }
}

#[test]
fn a_stale_handoff_record_cannot_answer_for_a_newer_handoff() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let w = Workflow::new(Sla::hours(24));
    let mut lead = hot();
    let first_at = at(MONDAY);
    let decision = q.evaluate(&lead, first_at).unwrap();
    let mut first = w.hand_off(&mut lead, &decision, first_at).unwrap().unwrap();
    // A copy of the record kept before sales answered it.
    let mut stale = first.clone();
    w.reject(&mut lead, &mut first, first_at + Duration::hours(1), Rejection::BadTiming, Some("Q2")).unwrap();
    assert_eq!(lead.stage(), Stage::Recycled);
    // New activity, a new handoff.
    let later = at("2026-12-07T09:00:00Z");
    lead.touchpoints.push(
        crate::lead(
            r#"{"id": "x", "created_at": "2026-01-01T00:00:00Z",
            "touchpoints": [{"at": "2026-12-06T10:00:00Z", "channel": "demo_request"}]}"#,
        )
        .touchpoints[0]
            .clone(),
    );
    let decision = q.evaluate(&lead, later).unwrap();
    let mut current = w.hand_off(&mut lead, &decision, later).unwrap().expect("handed off again");
    let before = lead.clone();
    let superseded = w.accept(&mut lead, &mut stale, later).unwrap_err();
    assert_eq!(superseded.kind(), WorkflowErrorKind::Superseded);
    assert_eq!(w.reject(&mut lead, &mut stale, later, Rejection::NoNeed, None).unwrap_err(), superseded);
    assert_eq!(
        superseded.to_string(),
        "the handoff of lead \"h\" made at 2026-11-23T09:00:00Z is not its current handoff"
    );
    assert_eq!(lead, before);
    assert_eq!(stale.status, HandoffStatus::Open);
    // The current record still answers.
    w.accept(&mut lead, &mut current, later).unwrap();
    assert_eq!(lead.stage(), Stage::Sal);
}

#[test]
fn an_open_record_of_a_lead_that_moved_on_is_stale() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let w = Workflow::default();
    let mut lead = hot();
    let decision = q.evaluate(&lead, at(MONDAY)).unwrap();
    let mut h = w.hand_off(&mut lead, &decision, at(MONDAY)).unwrap().unwrap();
    // Marketing takes the lead back without answering through the record.
    lead.move_to(Stage::Recycled, at(MONDAY) + Duration::hours(1), Some("taken back")).unwrap();
    let before = lead.clone();
    let err = w.accept(&mut lead, &mut h, at(MONDAY) + Duration::hours(2)).unwrap_err();
    assert_eq!(err.kind(), WorkflowErrorKind::Superseded);
    assert_eq!(
        err.to_string(),
        "the handoff of lead \"h\" made at 2026-11-23T09:00:00Z is not its current handoff"
    );
    assert_eq!(lead, before);
}
