//! The script API as a table: every `lead.`, `params.` and `decision.`
//! name with its arguments and type. The load-time checks read it, the
//! editor definitions are written from it, and a test holds it to what
//! `script` registers.

/// What the first argument of a function names, for load-time checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arg {
    Any,
    Channel,
    Team,
    Stage,
    Grade,
    Temperature,
    Criterion,
    Role,
}

/// One field or function of `lead` or `decision` that rules may use.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) object: &'static str,
    pub(crate) name: &'static str,
    /// Parameters besides the object, as (name, type); `None` for a field.
    pub(crate) params: Option<&'static [(&'static str, &'static str)]>,
    /// How many trailing parameters may be left out.
    pub(crate) optional: usize,
    pub(crate) returns: &'static str,
    pub(crate) first: Arg,
    pub(crate) doc: &'static str,
}

impl Entry {
    /// The argument counts a call accepts; empty for a field.
    pub(crate) fn arities(&self) -> Vec<usize> {
        self.params.map_or_else(Vec::new, |p| (p.len() - self.optional..=p.len()).collect())
    }
}

macro_rules! api {
    ($(
        #[doc = $doc:literal]
        $object:ident . $name:ident
        $( ( $($param:ident : $ty:ident),* $(; $($opt:ident : $opt_ty:ident),*)? ) )?
        -> $returns:ident $([$first:ident])?;
    )*) => {
        /// The script API as rules see it: the load-time checks and the editor
        /// definitions are made from it, and a test checks it against the
        /// registrations below, both ways.
        pub(crate) const API: &[Entry] = &[$(
            Entry {
                object: stringify!($object),
                name: stringify!($name),
                params: api!(@params $( ( $($param : $ty),* $(; $($opt : $opt_ty),*)? ) )?),
                optional: api!(@optional $( ( $($param : $ty),* $(; $($opt : $opt_ty),*)? ) )?),
                returns: stringify!($returns),
                first: api!(@first $($first)?),
                doc: $doc.trim_ascii(),
            },
        )*];
    };
    (@params) => { None };
    (@params ( $($param:ident : $ty:ident),* $(; $($opt:ident : $opt_ty:ident),*)? )) => {
        Some(&[$((stringify!($param), stringify!($ty)),)* $($((stringify!($opt), stringify!($opt_ty)),)*)?])
    };
    (@optional) => { 0 };
    (@optional ( $($param:ident : $ty:ident),* $(; $($opt:ident : $opt_ty:ident),*)? )) => {
        0 $($(+ { let _ = stringify!($opt); 1 })*)?
    };
    (@first) => { Arg::Any };
    (@first $first:ident) => { Arg::$first };
}

api! {
    /// The lead's id.
    lead.id -> String;
    /// Days since the lead was created, as of the evaluation time.
    lead.age_days -> float;
    /// Where the lead came from; "" when unknown.
    lead.source -> String;
    /// The campaign that brought the lead; "" when unknown.
    lead.campaign -> String;
    /// The lead's stage at the evaluation time: "lead", "mql", "sal"...
    lead.stage -> String;
    /// The team owning that stage: "marketing", "sales", or "" when disqualified.
    lead.owner -> String;
    /// Days in the current stage, or () when not recorded.
    lead.days_in_stage -> float;
    /// The person's name; "" when unknown.
    lead.name -> String;
    /// The email address; "" when unknown.
    lead.email -> String;
    /// The email's domain, lower-cased; "" when unknown.
    lead.email_domain -> String;
    /// Whether the email is at a free-mail provider (gmail.com, outlook.com...).
    lead.free_email -> bool;
    /// The job title as written; "" when unknown.
    lead.job_title -> String;
    /// "c_level", "vp", "director", "manager", "individual_contributor", "student" or "".
    lead.seniority -> String;
    /// The department; "" when unknown.
    lead.department -> String;
    /// The company's name; "" when unknown.
    lead.company -> String;
    /// The company's web domain; "" when unknown.
    lead.domain -> String;
    /// The company's industry as written; "" when unknown.
    lead.industry -> String;
    /// Number of employees, or () when unknown.
    lead.employees -> int;
    /// Annual revenue, or () when unknown.
    lead.revenue -> float;
    /// The revenue's currency code; "" when unknown.
    lead.revenue_currency -> String;
    /// The country, preferably an ISO 3166 code; "" when unknown.
    lead.country -> String;
    /// The declared budget, or () when unknown.
    lead.budget -> float;
    /// The budget's currency code; "" when unknown.
    lead.budget_currency -> String;
    /// true or false when known, () when not.
    lead.budget_confirmed -> bool;
    /// "decision_maker", "economic_buyer", "champion", "influencer", "evaluator", "end_user", "gatekeeper" or "".
    lead.buying_role -> String;
    /// The stated need; "" when unknown.
    lead.need -> String;
    /// The pain points mentioned, as a list of text.
    lead.pain_points -> List;
    /// "immediate", "within_3_months", "within_6_months", "within_12_months", "over_12_months", "no_plans" or "".
    lead.timeline -> String;
    /// Days until the expected purchase (from the purchase date, else the timeline), or ().
    lead.days_to_purchase -> int;
    /// A custom attribute, with its JSON type kept; () when absent.
    lead.attr(name: String) -> Dynamic;
    /// Touchpoints up to the evaluation time, all or within the last `days`.
    lead.touches(; days: float) -> int;
    /// Touchpoints on a channel, all or within the last `days`.
    lead.count(channel: String; days: float) -> int [Channel];
    /// Touchpoints owned by a team ("marketing" or "sales"), all or within the last `days`.
    lead.count_team(team: String; days: float) -> int [Team];
    /// Touchpoints in a campaign, all or within the last `days`.
    lead.count_campaign(campaign: String; days: float) -> int;
    /// Distinct channels touched, all or within the last `days`.
    lead.channels(; days: float) -> int;
    /// Days since the most recent touchpoint, or () when there is none.
    lead.days_since_last() -> float;
    /// Days since the most recent touchpoint on a channel, or ().
    lead.days_since(channel: String) -> float [Channel];
    /// `points` per touch on a channel, each halved every `half_life_days`, summed.
    lead.decayed(channel: String, points: float, half_life_days: float) -> float [Channel];
    /// The account's id: the host's account id, or its company's domain.
    account.id -> String;
    /// The account's company name; "" when no contact knows it.
    account.company -> String;
    /// The company's domain.
    account.domain -> String;
    /// The company's industry.
    account.industry -> String;
    /// The company's head count; () when unknown.
    account.employees -> int;
    /// The company's annual revenue; () when unknown.
    account.revenue -> float;
    /// The currency of the annual revenue.
    account.revenue_currency -> String;
    /// The company's country.
    account.country -> String;
    /// Contacts, disqualified ones left out.
    account.contacts -> int;
    /// Contacts engaged within the section's `engaged_days`.
    account.engaged_contacts -> int;
    /// Contacts in a buying role.
    account.role_count(role: String) -> int [Role];
    /// Engaged contacts in a buying role.
    account.engaged_count(role: String) -> int [Role];
    /// Contacts with an inbound touch within the last `days`.
    account.engaged_within(days: float) -> int;
    /// The highest score among the contacts' own decisions; 0 without contacts.
    account.max_score() -> int;
    /// Contacts whose own decision met a criterion of the lead rules.
    account.met_count(criterion: String) -> int;
    /// Contacts in a stage (as of the decision), such as "sal".
    account.stage_count(stage: String) -> int [Stage];
    /// Adds fit points with a reason (decimals are rounded).
    decision.fit(points: float, reason: String) -> unit;
    /// Adds engagement points with a reason (decimals are rounded).
    decision.engagement(points: float, reason: String) -> unit;
    /// Takes points away with a reason (the sign is ignored).
    decision.negative(points: float, reason: String) -> unit;
    /// Marks a criterion met, with the evidence.
    decision.met(criterion: String, evidence: String) -> unit [Criterion];
    /// Marks a criterion not met, with the evidence.
    decision.not_met(criterion: String, evidence: String) -> unit [Criterion];
    /// Marks a criterion unknown, with a note.
    decision.unknown(criterion: String, evidence: String) -> unit [Criterion];
    /// Sets the grade, "A" to "F".
    decision.grade(grade: String) -> unit [Grade];
    /// Sets the temperature: "cold", "warm" or "hot".
    decision.temperature(temperature: String) -> unit [Temperature];
    /// Recommends a stage, with the reason.
    decision.stage(stage: String, reason: String) -> unit [Stage];
    /// Hands the lead to sales now, with the reason.
    decision.handoff(reason: String) -> unit;
    /// Keeps the lead from sales for now, with the reason.
    decision.hold(reason: String) -> unit;
    /// Disqualifies the lead and ends evaluation.
    decision.disqualify(reason: String) -> unit;
    /// Ends evaluation without disqualifying.
    decision.stop() -> unit;
    /// A criterion's status: "met", "not_met" or "unknown".
    decision.status(criterion: String) -> String [Criterion];
    /// Whether a criterion is met.
    decision.is_met(criterion: String) -> bool [Criterion];
    /// The total score so far, caps applied.
    decision.score -> int;
    /// The fit score so far, caps applied.
    decision.fit_score -> int;
    /// The engagement score so far, caps applied.
    decision.engagement_score -> int;
    /// The negative points so far (zero or less).
    decision.negative_score -> int;
    /// How many criteria are met.
    decision.met_count -> int;
    /// How many criteria are not met.
    decision.not_met_count -> int;
    /// How many criteria are still unknown.
    decision.unknown_count -> int;
}

/// The script API as a Rhai definition file, for editors: completion and
/// signatures for `lead`, `params` and `decision`.
///
/// It is made from the same table the load-time checks use, which a test
/// holds to the engine's registrations; `docs/leadgate.d.rhai` is this text,
/// and a test keeps it current.
///
/// ```
/// let defs = leadgate::authoring::editor_definitions();
/// assert!(defs.starts_with("module static;"));
/// assert!(defs.contains("fn count(this: Lead, channel: String, days: float) -> int;"));
/// ```
pub fn editor_definitions() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "module static;\n\n\
         // Generated by leadgate::authoring::editor_definitions(): do not edit by hand.\n\n\
         /// The lead being decided, as of the evaluation time (read-only).\nconst lead: Lead;\n\n\
         /// The pack's parameters (read-only): `params.name` or `params[\"name\"]`.\nconst params: Params;\n\n\
         /// The decision the rules fill.\nconst decision: Decision;\n\n\
         /// In account rules (`[[account.rules]]`), the account being decided, instead of `lead`.\n\
         const account: Account;\n",
    );
    for e in API {
        let this = match e.object {
            "lead" => "Lead",
            "account" => "Account",
            _ => "Decision",
        };
        let _ = writeln!(out);
        let Some(params) = e.params else {
            let _ = writeln!(out, "/// {}\nfn get {}(this: {this}) -> {};", e.doc, e.name, e.returns);
            continue;
        };
        let _ = writeln!(out, "/// {}", e.doc);
        for n in e.arities() {
            let args: String = params[..n].iter().map(|(p, t)| format!(", {p}: {t}")).collect();
            let returns = if e.returns == "unit" { String::new() } else { format!(" -> {}", e.returns) };
            let _ = writeln!(out, "fn {}(this: {this}{args}){returns};", e.name);
        }
    }
    out.push_str(
        "\n/// Whether a list parameter holds the text: `x in params.list`.\n\
         fn contains(this: List, item: String) -> bool;\n\n/// The number of items in a list parameter.\n\
         fn len(this: List) -> int;\n",
    );
    out
}
