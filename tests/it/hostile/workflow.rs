//! A hostile workflow: no SLA, time or stale record can panic, loop for long
//! or lose a handoff.

use chrono::{DateTime, Duration, TimeDelta, Utc};
use leadgate::workflow::{
    Calendar, HandoffStatus, Rejection, Sla, SlaError, SlaErrorKind, Workflow, WorkflowErrorKind,
};
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
    for sla in [Sla::hours(u32::MAX), Sla::business_hours(u32::MAX), Sla::business_minutes(u32::MAX)] {
        let mut lead = hot();
        let decision = q.evaluate(&lead, at(MONDAY)).unwrap();
        assert!(decision.handoff.is_some());
        let before = lead.clone();
        let err = Workflow::new(sla.clone()).hand_off(&mut lead, &decision, at(MONDAY)).unwrap_err();
        assert_eq!((err.kind(), err.lead_id()), (WorkflowErrorKind::Sla, "h"), "{sla:?}");
        assert_eq!(
            err.to_string(),
            "lead \"h\": a handoff at 2026-11-23T09:00:00Z would be due outside the years RFC 3339 can write (0000 to 9999)"
        );
        let source = std::error::Error::source(&err).unwrap().downcast_ref::<SlaError>().unwrap();
        assert_eq!(source.kind(), SlaErrorKind::OutOfRange);
        assert_eq!(lead, before);
        assert_eq!(lead.stage(), Stage::Lead);
        // With an SLA that fits, the same lead is handed off.
        let h = Workflow::new(Sla::hours(24)).hand_off(&mut lead, &decision, at(MONDAY)).unwrap().unwrap();
        assert_eq!(h.due, at("2026-11-24T09:00:00Z"));
    }
}

#[test]
fn a_calendar_that_is_never_open_gives_no_due_time() {
    let never = Calendar::default().weekdays(&[]);
    let err = Sla::business_hours(1).with_calendar(never).due(at(MONDAY)).unwrap_err();
    assert_eq!(err.kind(), SlaErrorKind::NeverOpen);
    assert_eq!(err.to_string(), "the calendar has no working weekday");
    // Around the clock, the calendar is not consulted.
    assert_eq!(Sla::hours(1).due(at(MONDAY)), Ok(at("2026-11-23T10:00:00Z")));
}

#[test]
fn a_due_time_past_9999_is_refused_even_when_chrono_has_it() {
    // 24 hours before the end of 9999: 23 fit, 24 do not (it would be year 10000).
    let late = at("9999-12-31T00:00:00Z");
    assert_eq!(Sla::hours(23).due(late), Ok(at("9999-12-31T23:00:00Z")));
    assert_eq!(Sla::hours(24).due(late).unwrap_err().kind(), SlaErrorKind::OutOfRange);
    // 9999-12-31 is a Friday: 8 business hours fit, 9 would be Monday in 10000.
    assert_eq!(Sla::business_hours(8).due(late), Ok(at("9999-12-31T17:00:00Z")));
    assert_eq!(Sla::business_hours(9).due(late).unwrap_err().kind(), SlaErrorKind::OutOfRange);
    // East of UTC the last business day of 9999 ends before midnight UTC, so it fits.
    let tokyo = Calendar::new("Asia/Tokyo").unwrap();
    assert_eq!(Sla::business_hours(8).with_calendar(tokyo.clone()).due(late), Ok(at("9999-12-31T08:00:00Z")));
    assert_eq!(
        Sla::business_hours(9).with_calendar(tokyo).due(late).unwrap_err().kind(),
        SlaErrorKind::OutOfRange
    );
}

/// Calendars at the edges: every zone offset extreme, a day of one minute,
/// a day of 24 hours, one working weekday, many holidays.
fn edge_calendars() -> Vec<Calendar> {
    let mut holidays = String::new();
    for day in 0..400 {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + TimeDelta::days(day);
        holidays.push_str(&format!("{date}\n"));
    }
    vec![
        Calendar::default(),
        Calendar::default().hours("00:00", "24:00").unwrap(),
        Calendar::default().hours("23:59", "24:00").unwrap(),
        Calendar::new("Pacific/Kiritimati").unwrap().hours("00:00", "00:01").unwrap(),
        Calendar::new("Pacific/Pago_Pago").unwrap().weekdays(&[chrono::Weekday::Sun]),
        Calendar::new("America/Los_Angeles").unwrap().holidays(&holidays).unwrap(),
        Calendar::new("Europe/London").unwrap().hours("00:00", "24:00").unwrap(),
    ]
}

#[test]
fn extreme_slas_and_times_never_panic() {
    let times = [
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        DateTime::<Utc>::MAX_UTC - Duration::hours(1),
        last_writable(),
        first_writable(),
        at(MONDAY),
    ];
    let lengths = [0, 1, 8, 24, 168, 1 << 20, u32::MAX - 1, u32::MAX];
    let calendars = edge_calendars();
    for &t in &times {
        for &n in &lengths {
            let mut slas = vec![Sla::hours(n), Sla::minutes(n)];
            for c in &calendars {
                slas.push(Sla::business_hours(n).with_calendar(c.clone()));
                slas.push(Sla::business_minutes(n).with_calendar(c.clone()));
            }
            for sla in slas {
                if let Ok(due) = sla.due(t) {
                    assert!(
                        due >= t && due >= first_writable() && due <= last_writable(),
                        "{sla} at {t}: {due}"
                    );
                }
            }
        }
    }
    // Far from the edges, a huge SLA is due at a time computed, not walked to:
    // 100 years of 40-hour weeks from Monday 09:00.
    let sla = Sla::business_hours(40 * 52 * 100);
    assert_eq!(sla.due(at(MONDAY)), Ok(at("2126-07-19T17:00:00Z")));
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
        let calendar = Calendar::default().hours(&format!("{start:02}:00"), &format!("{end:02}:00")).unwrap();
        let sla = Sla::business_hours(hours).with_calendar(calendar);
        // The walk ends at the close of the last business hour, as the SLA does.
        prop_assert_eq!(sla.due(from), Ok(walked(from, hours, start, end)));
    }

    #[test]
    fn due_never_panics(secs in any::<i64>(), nanos in 0u32..1_000_000_000, n in any::<u32>(),
                        calendar in 0usize..8, minutes in any::<bool>()) {
        let t = DateTime::from_timestamp(secs % 8_210_298_412_800, nanos).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let sla = match (edge_calendars().get(calendar), minutes) {
            (None, true) => Sla::minutes(n),
            (None, false) => Sla::hours(n),
            (Some(c), true) => Sla::business_minutes(n).with_calendar(c.clone()),
            (Some(c), false) => Sla::business_hours(n).with_calendar(c.clone()),
        };
        if let Ok(due) = sla.due(t) {
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
