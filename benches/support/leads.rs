//! The leads the timing benches share: the sample leads, and L-1001's
//! profile with any number of touchpoints.

use chrono::{DateTime, Duration, Utc};
use leadgate::{Channel, Lead, Touchpoint};

pub const SAMPLE_LEADS: &str = include_str!("../../examples/data/leads.ndjson");

pub fn as_of() -> DateTime<Utc> {
    "2026-11-23T00:00:00Z".parse().unwrap()
}

/// The sample leads, read.
#[allow(dead_code)]
pub fn sample_leads() -> Vec<Lead> {
    leadgate::read_leads(SAMPLE_LEADS).map(|r| r.unwrap().lead).collect()
}

/// A sample-like lead (L-1001's profile) with `n` touchpoints over 90 days.
pub fn lead_with_touchpoints(n: usize) -> Lead {
    let mut lead = leadgate::read_leads(SAMPLE_LEADS).next().unwrap().unwrap().lead;
    let channels = [
        Channel::WebVisit,
        Channel::EmailOpen,
        Channel::EmailClick,
        Channel::PricingPage,
        Channel::ContentDownload,
        Channel::Webinar,
        Channel::AdClick,
        Channel::Call,
    ];
    lead.touchpoints = (0..n)
        .map(|i| {
            let at = as_of() - Duration::minutes((i as i64 * 90 * 24 * 60) / n.max(1) as i64 + 30);
            Touchpoint::new(at, channels[i % channels.len()].clone())
        })
        .collect();
    lead
}
