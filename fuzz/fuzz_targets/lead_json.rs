//! Any bytes as lead input: one lead, a string batch, a streamed batch.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(lead) = leadgate::Lead::from_json(text) {
            // What was read writes back and reads again as the same lead.
            let json = serde_json::to_string(&lead).expect("a lead serializes");
            let again = leadgate::Lead::from_json(&json).expect("written JSON reads back");
            assert_eq!(again, lead);
        }
        let _ = leadgate::read_leads(text).count();
    }
    let _ = leadgate::read_leads_from(data).count();
});
