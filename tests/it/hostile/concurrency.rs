//! One compiled pack shared by many threads decides exactly as one thread does.

use leadgate::{Pack, Qualifier};

#[test]
fn eight_threads_decide_as_one() {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let leads = crate::sample_leads();
    let expected = q.evaluate_batch(&leads, crate::as_of());
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (q, leads) = (q.clone(), &leads);
                // Each thread walks the leads from a different start.
                s.spawn(move || {
                    let mut out: Vec<_> = (0..leads.len())
                        .map(|j| (i * 7 + j) % leads.len())
                        .map(|k| (k, q.evaluate(&leads[k], crate::as_of())))
                        .collect();
                    out.sort_by_key(|(k, _)| *k);
                    out.into_iter().map(|(_, r)| r).collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), expected);
        }
    });
}
