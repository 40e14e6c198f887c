//! Exact instruction counts, for a machine too noisy for timings: decides
//! the same leads `N` times with the engine or the native baseline, to be
//! run under callgrind, which counts every instruction.
//!
//! ```sh
//! cargo bench --bench instructions --no-run       # prints the binary's path
//! B=target/release/deps/instructions-<hash>
//! for n in 1 101; do valgrind --tool=callgrind --callgrind-out-file=/dev/null $B $n engine 30; done
//! ```
//!
//! The difference between the two totals over 100 is the instructions of
//! one round: one decision of a lead with 30 touchpoints (the `qualify`
//! bench's lead), or of the 50 sample leads when no count is given.
//! Arguments: rounds, `engine` or `native`, and a number of touchpoints.
//! `tenants N` decides the sample leads round-robin over `N` tenants (the
//! default pack, each with its own threshold), each lead to the next. Its
//! cost in time is cache misses, which cachegrind counts exactly:
//! `valgrind --tool=cachegrind --cache-sim=yes $B $n tenants 1000` (the D1
//! misses of 11 rounds less 1, against `tenants 1`). `scripts N` and
//! `lists N` decide one lead with a pack of `N` one-`if` scripted rules;
//! `parse` reads the 50 sample leads from NDJSON.

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/leads.rs"]
mod leads;
mod native;

use leadgate::account::{Account, AccountKey};
use leadgate::{Pack, Qualifier};

fn main() {
    // `cargo bench` passes `--bench`; only the positional arguments count.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1);
    let mode = args.get(1).map_or("engine", String::as_str);
    if matches!(mode, "account" | "contacts" | "native-account") {
        return accounts(rounds, mode);
    }
    if mode == "tenants" {
        return tenants(rounds, args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1));
    }
    if mode == "parse" {
        return parse(rounds);
    }
    if matches!(mode, "scripts" | "lists") {
        return scripts(rounds, mode, args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1));
    }
    let native = mode == "native";
    let touches: Option<usize> = args.get(2).and_then(|a| a.parse().ok());
    let as_of = leads::as_of();
    // As `benches/qualify.rs` decides them: L-1001's profile with touches over 90 days, or the samples.
    let leads = match touches {
        Some(n) => vec![leads::lead_with_touchpoints(n)],
        None => leads::sample_leads(),
    };
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let mut total = 0;
    for _ in 0..rounds {
        for lead in &leads {
            let lead = std::hint::black_box(lead);
            total += if native {
                native::decide(lead, as_of).score
            } else {
                q.evaluate(lead, as_of).unwrap().score
            };
        }
    }
    println!("{total}");
}

/// The `accounts` bench's account, `rounds` times, as `mode` says.
fn accounts(rounds: usize, mode: &str) {
    let q = Qualifier::new(&Pack::b2b_bant()).unwrap();
    let contacts = accounts::contacts(50, 30);
    let account = Account::new(AccountKey::Domain("brightlane.io".into()), &contacts);
    let as_of = leads::as_of();
    let mut total = 0;
    for _ in 0..rounds {
        let account = std::hint::black_box(&account);
        total += match mode {
            "account" => q.evaluate_account(account, as_of).unwrap().score,
            "contacts" => account.contacts.iter().map(|l| q.evaluate(l, as_of).unwrap().score).sum(),
            _ => accounts::decide(account, as_of).score,
        };
    }
    println!("{total}");
}

/// The sample leads `rounds` times, each to the next of `n` tenants.
fn tenants(rounds: usize, n: usize) {
    let pack = Pack::b2b_bant();
    let tenants: Vec<Qualifier> = (0..n.max(1))
        .map(|i| Qualifier::builder(&pack).param("mql_threshold", 40 + (i % 40) as i64).build().unwrap())
        .collect();
    let leads = leads::sample_leads();
    let as_of = leads::as_of();
    let (mut total, mut next) = (0, 0);
    for _ in 0..rounds {
        for lead in &leads {
            next = (next + 1) % tenants.len();
            total += tenants[next].evaluate(std::hint::black_box(lead), as_of).unwrap().score;
        }
    }
    println!("{total}");
}

/// A pack of `n` scripted rules, each one `if` not taken (see
/// `leads::ONE_IF`: `scripts` compares a number, `lists` asks whether a
/// text is in a list parameter), on a lead with no touchpoints, `rounds`
/// times. Against `n = 0`, the difference over `n` is one such rule's cost.
fn scripts(rounds: usize, mode: &str, n: usize) {
    let test = leads::ONE_IF[usize::from(mode == "lists")].1;
    let q = Qualifier::new(&leads::scripted_pack(n, test)).unwrap();
    let lead = leads::lead_with_touchpoints(0);
    let as_of = leads::as_of();
    let mut total = 0;
    for _ in 0..rounds {
        total += q.evaluate(std::hint::black_box(&lead), as_of).unwrap().score;
    }
    println!("{total}");
}

/// Reads the sample leads from NDJSON `rounds` times.
fn parse(rounds: usize) {
    let mut total = 0;
    for _ in 0..rounds {
        total +=
            leadgate::read_leads(std::hint::black_box(leads::SAMPLE_LEADS)).filter(Result::is_ok).count();
    }
    println!("{total}");
}
