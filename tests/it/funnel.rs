//! Funnel numbers over the shipped sample leads' histories.

use leadgate::Stage;
use leadgate::funnel::{Funnel, GroupBy, rejection_reasons, time_in_stage};

#[test]
fn the_sample_leads_funnel() {
    let leads = crate::sample_leads();
    let funnel = Funnel::of(&leads);
    assert_eq!(funnel.leads, 50);
    let lead_to_mql = funnel.step(Stage::Lead).unwrap();
    assert_eq!(lead_to_mql.reached, 50, "every sample lead is at least a lead");
    assert_eq!((lead_to_mql.converted, funnel.step(Stage::Sal).unwrap().reached), (4, 3), "{funnel:?}");

    let by_source = Funnel::grouped(&leads, &GroupBy::Source);
    assert!(by_source.contains_key("webinar") && by_source.contains_key("(none)"));
    let by_first_touch = Funnel::grouped(&leads, &GroupBy::FirstTouch);
    assert_eq!(by_first_touch.len(), 15);

    let stays = time_in_stage(&leads);
    assert!(stays.contains_key(&Stage::Mql), "{stays:?}");
    let recycled = rejection_reasons(&leads, &GroupBy::Source);
    assert!(recycled.values().flat_map(|r| r.keys()).any(|reason| reason == "bad timing"), "{recycled:?}");

    // The report is plain data for dashboards.
    let json = serde_json::to_value(&funnel).unwrap();
    assert_eq!(json["steps"][0]["from"], "lead");
}
