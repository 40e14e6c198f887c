//! Deciding an account against deciding its contacts alone, and against a
//! native implementation of the same roll-up, in the same run.
//!
//! `cargo bench --bench accounts`. Before timing, the native account is
//! checked to agree with the engine on thousands of generated accounts.
//! `benches/instructions.rs` counts the same work exactly (`account`,
//! `contacts`, `native-account`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use leadgate::account::{self, Account, AccountKey};
use leadgate::{Pack, Qualifier};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/leads.rs"]
mod leads;
mod native;

/// Every field of the native account against the engine's, on 10,000
/// generated leads in 400 accounts and on the bench's account.
fn check_native_agrees(q: &Qualifier) {
    let leads = accounts::generated_accounts(10_000, 400);
    let grouping = account::group(&leads);
    let bench = accounts::contacts(50, 30);
    let mut all = grouping.accounts.clone();
    all.push(Account::new(AccountKey::Domain("brightlane.io".into()), &bench));
    let (mut handed_off, mut disqualified, mut capped) = (0, 0, 0);
    for account in &all {
        let e = q.evaluate_account(account, leads::as_of()).unwrap();
        let n = accounts::decide(account, leads::as_of());
        let engine =
            (e.fit, e.engagement, e.negative, e.score, e.grade, e.temperature, e.disqualified.is_some());
        let native =
            (n.fit, n.engagement, n.negative, n.score, Some(n.grade), Some(n.temperature), n.disqualified);
        assert_eq!(engine, native, "account {}", account.key);
        let group =
            e.handoff.as_ref().map(|h| h.buying_group.iter().map(|t| t.to_string()).collect::<Vec<_>>());
        assert_eq!(group, n.handoff, "account {}", account.key);
        let engine: Vec<_> =
            e.contributions.iter().map(|c| (c.rule.as_str(), c.points, c.reason.as_str())).collect();
        let native: Vec<_> = n.contributions.iter().map(|(r, p, reason)| (*r, *p, &**reason)).collect();
        assert_eq!(engine, native, "account {}", account.key);
        handed_off += usize::from(n.handoff.is_some());
        disqualified += usize::from(n.disqualified);
        capped += usize::from(n.contributions.iter().any(|c| c.0 == "caps"));
    }
    println!(
        "the native account agrees with the engine on {} accounts ({handed_off} handed off, {disqualified} \
         disqualified, {capped} capped)",
        all.len()
    );
    assert!(handed_off >= 20 && disqualified >= 20 && capped >= 20, "the generated accounts miss a branch");
}

fn account(c: &mut Criterion) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    check_native_agrees(&q);
    let contacts = accounts::contacts(50, 30);
    let account = Account::new(AccountKey::Domain("brightlane.io".into()), &contacts);
    let as_of = leads::as_of();
    let mut group = c.benchmark_group("account of 50 contacts, 30 touchpoints each");
    group.bench_function("engine: the account, explained", |b| {
        b.iter(|| q.evaluate_account(black_box(&account), as_of).unwrap())
    });
    group.bench_function("engine: its 50 contacts alone", |b| {
        b.iter(|| {
            for lead in black_box(&contacts) {
                black_box(q.evaluate(lead, as_of).unwrap());
            }
        })
    });
    group.bench_function("native: the account", |b| b.iter(|| accounts::decide(black_box(&account), as_of)));
    group.finish();
}

criterion_group!(benches, account);
criterion_main!(benches);
