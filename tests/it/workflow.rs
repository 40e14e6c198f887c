//! The closed loop: handoffs, sales' answers, re-qualification, SLAs.

use chrono::{DateTime, Duration, Utc};
use leadgate::funnel::Funnel;
use leadgate::workflow::{
    HandoffStatus, Rejection, Sla, Workflow, WorkflowError, WorkflowErrorKind, overdue, sla_breach_rate,
};
use leadgate::{Lead, Pack, Qualifier, Stage};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn qualifier() -> Qualifier {
    Qualifier::new(&Pack::b2b_bant()).unwrap()
}

/// A lead the default pack hands off (a VP at a software company with a fresh demo request).
fn hot(id: &str) -> Lead {
    crate::lead(&format!(
        r#"{{"id": "{id}", "created_at": "2026-11-01T00:00:00Z",
            "person": {{"seniority": "vp"}}, "company": {{"industry": "software", "employees": 500, "country": "US"}},
            "touchpoints": [{{"at": "2026-11-20T10:00:00Z", "channel": "demo_request"}}]}}"#
    ))
}

const MONDAY: &str = "2026-11-23T09:00:00Z";

/// Decides `lead` as of `now` and acts on the decision.
fn decide(
    w: &Workflow,
    q: &Qualifier,
    lead: &mut Lead,
    now: DateTime<Utc>,
) -> Option<leadgate::workflow::HandoffRecord> {
    let decision = q.evaluate(lead, now).unwrap();
    w.hand_off(lead, &decision, now).unwrap()
}

#[test]
fn a_handoff_records_the_decision_and_its_deadline() {
    let q = qualifier();
    let mut lead = hot("a");
    let decision = q.evaluate(&lead, at(MONDAY)).unwrap();
    let h =
        Workflow::new(Sla::business_hours(8)).hand_off(&mut lead, &decision, at(MONDAY)).unwrap().unwrap();
    assert_eq!((h.lead_id.as_str(), h.score, h.status.clone()), ("a", decision.score, HandoffStatus::Open));
    assert_eq!(h.pack.hash, decision.pack.hash);
    assert_eq!(h.criteria, decision.criteria);
    assert_eq!(h.due, at("2026-11-23T17:00:00Z"));
    assert_eq!(lead.stage(), Stage::Mql);
    assert_eq!(lead.history().last().unwrap().reason.as_deref(), Some(&*h.reason));
}

#[test]
fn deciding_again_never_hands_off_twice() {
    let (q, w) = (qualifier(), Workflow::default());
    let mut lead = hot("a");
    let first = q.evaluate(&lead, at(MONDAY)).unwrap();
    assert!(w.hand_off(&mut lead, &first, at(MONDAY)).unwrap().is_some());
    for hours in 1..5 {
        let now = at(MONDAY) + Duration::hours(hours);
        let again = q.evaluate(&lead, now).unwrap();
        assert!(w.hand_off(&mut lead, &again, now).unwrap().is_none());
    }
    assert_eq!(lead.history().len(), 1);
    // A decision for another lead is refused.
    let other = q.evaluate(&hot("b"), at(MONDAY)).unwrap();
    assert!(
        matches!(w.hand_off(&mut lead, &other, at(MONDAY)), Err(e) if e.kind() == WorkflowErrorKind::WrongLead)
    );
}

#[test]
fn every_rejection_reason_recycles_or_disqualifies_as_documented() {
    let (q, w) = (qualifier(), Workflow::default());
    for &reason in Rejection::ALL {
        let mut lead = hot("a");
        let mut h = decide(&w, &q, &mut lead, at(MONDAY)).unwrap();
        let later = at(MONDAY) + Duration::hours(2);
        let to = w.reject(&mut lead, &mut h, later, reason, Some("from the call")).unwrap();
        assert_eq!((to, lead.stage()), (reason.outcome(), reason.outcome()), "{reason}");
        assert_eq!(
            lead.history().last().unwrap().reason.as_deref(),
            Some(&*format!("{reason}: from the call"))
        );
        assert!(matches!(h.status, HandoffStatus::Rejected { reason: r, .. } if r == reason));
        // Answered once only.
        assert!(
            matches!(w.accept(&mut lead, &mut h, later), Err(e) if e.kind() == WorkflowErrorKind::AlreadyAnswered)
        );
    }
}

#[test]
fn an_accepted_lead_goes_all_the_way_or_is_lost() {
    let (q, w) = (qualifier(), Workflow::default());
    let mut lead = hot("a");
    let mut h = decide(&w, &q, &mut lead, at(MONDAY)).unwrap();
    let t = |h: i64| at(MONDAY) + Duration::hours(h);
    w.accept(&mut lead, &mut h, t(1)).unwrap();
    w.qualify(&mut lead, t(2), Some("BANT confirmed on the call")).unwrap();
    let mut lost = lead.clone();
    w.open_opportunity(&mut lead, t(3)).unwrap();
    w.win(&mut lead, t(4)).unwrap();
    let stages: Vec<_> = lead.history().iter().map(|c| c.stage).collect();
    assert_eq!(stages, [Stage::Mql, Stage::Sal, Stage::Sql, Stage::Opportunity, Stage::Customer]);

    w.open_opportunity(&mut lost, t(3)).unwrap();
    assert_eq!(w.lose(&mut lost, t(4), Rejection::NoBudget, Some("frozen")).unwrap(), Stage::Recycled);
    assert_eq!(lost.history().last().unwrap().reason.as_deref(), Some("lost: no_budget: frozen"));
    // The table still rules: a customer cannot be lost.
    assert!(
        matches!(w.lose(&mut lead, t(5), Rejection::Other, None), Err(e) if e.kind() == WorkflowErrorKind::Transition)
    );
}

#[test]
fn a_recycled_lead_comes_back_only_on_new_activity() {
    let (q, w) = (qualifier(), Workflow::default());
    let mut lead = hot("a");
    let mut h = decide(&w, &q, &mut lead, at(MONDAY)).unwrap();
    w.reject(&mut lead, &mut h, at("2026-11-23T10:00:00Z"), Rejection::BadTiming, None).unwrap();

    // Same facts, no new touch: held, and the decision says why.
    let d = q.evaluate(&lead, at("2026-11-24T00:00:00Z")).unwrap();
    assert!(d.handoff.is_none());
    let held = d.why_not_yet.unwrap().held.unwrap();
    assert_eq!(&*held.reason, "Recycled on 2026-11-23 10:00 UTC; no new activity from the lead since");
    assert_eq!(&*held.rule, "lifecycle");
    assert_eq!(d.fired.last().map(|r| r.as_str()), Some("lifecycle"));
    assert!(decide(&w, &q, &mut lead, at("2026-11-24T00:00:00Z")).is_none());

    // New activity: back to sales, saying so.
    lead.touchpoints
        .push(leadgate::Touchpoint::new(at("2026-11-25T10:00:00Z"), leadgate::Channel::PricingPage));
    let now = at("2026-11-25T12:00:00Z");
    let d = q.evaluate(&lead, now).unwrap();
    let handoff = d.handoff.as_ref().expect("re-qualified");
    assert!(
        handoff.reason.ends_with(", with new activity since it was recycled on 2026-11-23 10:00 UTC"),
        "{}",
        handoff.reason
    );
    assert!(w.hand_off(&mut lead, &d, now).unwrap().is_some());
    assert_eq!(lead.stage(), Stage::Mql);
}

#[test]
fn sla_deadlines_overdue_and_breach_rate() {
    let friday_late = at("2026-11-20T16:00:00Z");
    assert_eq!(Sla::business_hours(1).due(friday_late).unwrap(), at("2026-11-20T17:00:00Z"));
    assert_eq!(Sla::business_hours(9).due(friday_late).unwrap(), at("2026-11-23T17:00:00Z"));
    assert_eq!(
        Sla::business_hours(2).due(at("2026-11-21T12:00:00Z")).unwrap(),
        at("2026-11-23T11:00:00Z"),
        "from a Saturday"
    );
    assert_eq!(
        Sla::business_hours(2).due(at("2026-11-23T07:00:00Z")).unwrap(),
        at("2026-11-23T11:00:00Z"),
        "before opening"
    );
    assert_eq!(Sla::hours(48).due(friday_late).unwrap(), at("2026-11-22T16:00:00Z"));

    let (q, w) = (qualifier(), Workflow::new(Sla::hours(4)));
    let mut handoffs = Vec::new();
    for id in ["a", "b", "c"] {
        let mut lead = hot(id);
        let d = q.evaluate(&lead, at(MONDAY)).unwrap();
        let mut h = w.hand_off(&mut lead, &d, at(MONDAY)).unwrap().unwrap();
        match id {
            "a" => w.accept(&mut lead, &mut h, at("2026-11-23T10:00:00Z")).unwrap(), // in time
            "b" => w.accept(&mut lead, &mut h, at("2026-11-23T15:00:00Z")).unwrap(), // late
            _ => {}                                                                  // never
        }
        handoffs.push(h);
    }
    let noon = at("2026-11-23T12:00:00Z");
    assert!(overdue(&handoffs, noon).is_empty());
    assert!(handoffs[2].is_at_risk(noon, Duration::hours(2)));
    let chase: Vec<_> = leadgate::workflow::at_risk(&handoffs, noon, Duration::hours(2))
        .iter()
        .map(|h| h.lead_id.as_str())
        .collect();
    assert_eq!(chase, ["c"], "a and b were answered");
    let evening = at("2026-11-23T18:00:00Z");
    assert_eq!(overdue(&handoffs, evening).iter().map(|h| h.lead_id.as_str()).collect::<Vec<_>>(), ["c"]);
    assert_eq!(sla_breach_rate(&handoffs, evening), Some(2.0 / 3.0));
}

#[test]
fn funnel_numbers_follow_the_workflow() {
    let (q, w) = (qualifier(), Workflow::default());
    let mut leads = Vec::new();
    for (i, fate) in ["win", "reject", "open", "cold"].iter().enumerate() {
        let mut lead = if *fate == "cold" { crate::lead_with("") } else { hot(&format!("L{i}")) };
        let d = q.evaluate(&lead, at(MONDAY)).unwrap();
        if let Some(mut h) = w.hand_off(&mut lead, &d, at(MONDAY)).unwrap() {
            let t = |n: i64| at(MONDAY) + Duration::hours(n);
            match *fate {
                "win" => {
                    w.accept(&mut lead, &mut h, t(1)).unwrap();
                    w.qualify(&mut lead, t(2), None).unwrap();
                    w.open_opportunity(&mut lead, t(3)).unwrap();
                    w.win(&mut lead, t(4)).unwrap();
                }
                "reject" => {
                    w.reject(&mut lead, &mut h, t(1), Rejection::NoBudget, None).unwrap();
                }
                _ => {}
            }
        }
        leads.push(lead);
    }
    let f = Funnel::of(&leads);
    let conversions: Vec<_> = f.steps.iter().map(|s| (s.reached, s.converted)).collect();
    assert_eq!(conversions, [(4, 3), (3, 1), (1, 1), (1, 1), (1, 1)]);
    // A history replayed from JSON gives the same numbers.
    let replayed: Vec<Lead> =
        leads.iter().map(|l| Lead::from_json(&serde_json::to_string(l).unwrap()).unwrap()).collect();
    assert_eq!(Funnel::of(&replayed), f);
    let reasons = leadgate::funnel::rejection_reasons(&leads, &leadgate::funnel::GroupBy::Source);
    assert_eq!(reasons["(none)"]["no_budget"], 1);
}

#[test]
fn a_decision_from_before_a_recycle_cannot_hand_the_lead_back() {
    let (q, w) = (qualifier(), Workflow::default());
    let mut lead = hot("a");
    let before = q.evaluate(&lead, at(MONDAY)).unwrap();
    let mut h = w.hand_off(&mut lead, &before, at(MONDAY)).unwrap().unwrap();
    let recycled_at = at("2026-11-23T10:00:00Z");
    w.reject(&mut lead, &mut h, recycled_at, Rejection::BadTiming, None).unwrap();

    // The old decision saw a `lead` and still says "hand off": refused, nothing changes.
    let unchanged = lead.clone();
    let err = w.hand_off(&mut lead, &before, at("2026-11-24T00:00:00Z")).unwrap_err();
    assert_eq!((err.kind(), err.lead_id()), (WorkflowErrorKind::StaleDecision, "a"));
    assert_eq!(
        err.to_string(),
        "the decision on lead \"a\" as of 2026-11-23T09:00:00Z saw it in stage lead, but it is in recycled \
         since 2026-11-23T10:00:00Z: decide again"
    );
    assert_eq!(lead, unchanged);

    // A replay as of a time before the recycle is stale too, though it saw the recycled lead's past.
    let replay = q.evaluate(&lead, at("2026-11-23T09:30:00Z")).unwrap();
    assert_eq!(replay.lead_stage, Stage::Mql);
    let stale =
        |r: Result<_, WorkflowError>| matches!(r, Err(e) if e.kind() == WorkflowErrorKind::StaleDecision);
    assert!(stale(w.hand_off(&mut lead, &replay, recycled_at)));

    // A decision on an out-of-date copy of the lead (it never saw the recycle) is refused as well.
    let copy = hot("a");
    let on_copy = q.evaluate(&copy, at("2026-11-24T00:00:00Z")).unwrap();
    assert_eq!(on_copy.lead_stage, Stage::Lead);
    let err = w.hand_off(&mut lead, &on_copy, at("2026-11-24T00:00:00Z")).unwrap_err();
    assert_eq!(err.kind(), WorkflowErrorKind::StaleDecision);
    assert!(err.to_string().contains("saw it in stage lead, but it is in recycled"), "{err}");

    // A fresh decision holds it until the lead acts; then it goes back, once.
    let fresh = q.evaluate(&lead, at("2026-11-24T00:00:00Z")).unwrap();
    assert!(fresh.handoff.is_none());
    assert_eq!(w.hand_off(&mut lead, &fresh, at("2026-11-24T00:00:00Z")).unwrap(), None);
    lead.touchpoints.push(leadgate::Touchpoint::new(at("2026-11-25T08:00:00Z"), leadgate::Channel::WebVisit));
    let now = at("2026-11-25T09:00:00Z");
    let back = q.evaluate(&lead, now).unwrap();
    assert_eq!(back.lead_stage, Stage::Recycled);
    let h = w.hand_off(&mut lead, &back, now).unwrap().expect("handed off again");
    assert!(
        h.reason.ends_with(", with new activity since it was recycled on 2026-11-23 10:00 UTC"),
        "{}",
        h.reason
    );
    assert_eq!(lead.stage(), Stage::Mql);
    // And that decision, now stale, cannot act twice.
    assert!(stale(w.hand_off(&mut lead, &back, now)));
}

#[test]
fn a_lead_imported_mid_funnel_moves_on_by_the_table() {
    let (q, w) = (qualifier(), Workflow::default());
    let mut lead = crate::lead(r#"{"id": "imp", "created_at": "2026-11-01T00:00:00Z", "stage": "sal"}"#);
    let d = q.evaluate(&lead, at(MONDAY)).unwrap();
    assert_eq!(d.lead_stage, Stage::Sal);
    // Sales owns it: no handoff, and the decision is not stale.
    assert_eq!(w.hand_off(&mut lead, &d, at(MONDAY)).unwrap(), None);
    assert!(matches!(w.win(&mut lead, at(MONDAY)), Err(e) if e.kind() == WorkflowErrorKind::Transition));
    w.qualify(&mut lead, at(MONDAY), Some("confirmed")).unwrap();
    w.open_opportunity(&mut lead, at(MONDAY)).unwrap();
    w.win(&mut lead, at(MONDAY)).unwrap();
    let stages: Vec<_> = lead.history().iter().map(|c| c.stage).collect();
    assert_eq!(stages, [Stage::Sql, Stage::Opportunity, Stage::Customer]);
}
