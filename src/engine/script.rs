//! What rule scripts see: `lead` (read-only), `params` (read-only) and
//! `decision` (the result the rules fill). Registered natively so that the
//! natural way to write a rule is also the fast one: touchpoint
//! aggregations run in Rust, never as script loops.

use std::sync::{Arc, OnceLock};

use rhai::{
    Dynamic, Engine, EvalAltResult, FLOAT, FuncRegistration, INT, ImmutableString, Module, RhaiNativeFunc,
    Shared,
};

use super::account::AccountView;
use super::draft::{Draft, HandoffChoice, stop, whole_points};
use super::snapshot::{List, ScriptLead, Snapshot, decay, distinct_channels};
use crate::decision::Category;
use crate::lead::ValueError;
use crate::pack::ParamValue;
use crate::pack::fields::Field;
use crate::pack::params::ParamTable;
use crate::{Channel, CriterionStatus, Stage, Team, Text};

type Fallible<T> = Result<T, Box<EvalAltResult>>;
type Ctx<'a> = rhai::NativeCallContext<'a>;

/// The pack's effective parameters, shared by every evaluation.
#[derive(Debug, Clone)]
pub(crate) struct Params(Arc<Vec<(Text, Dynamic)>>);

impl Params {
    /// No parameters, for a pack without scripts: one copy per process.
    pub(crate) fn none() -> Self {
        static NONE: std::sync::LazyLock<Params> = std::sync::LazyLock::new(|| Params(Arc::new(Vec::new())));
        NONE.clone()
    }

    pub(crate) fn new(table: &ParamTable) -> Self {
        let values = table
            .iter()
            .map(|(name, value)| {
                let dynamic = match value {
                    ParamValue::Bool(b) => Dynamic::from_bool(*b),
                    ParamValue::Int(i) => Dynamic::from_int(*i),
                    ParamValue::Float(f) => Dynamic::from_float(*f),
                    ParamValue::Text(t) => t.to_script().into(),
                    ParamValue::List(items) => {
                        Dynamic::from(List::new(items.iter().map(Text::to_script), true))
                    }
                };
                (name.clone(), dynamic)
            })
            .collect();
        Params(Arc::new(values))
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn get(&self, name: &str) -> Fallible<Dynamic> {
        match self.0.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) => Ok(self.0[i].1.clone()),
            Err(_) => Err(crate::suggest::unknown_param(name, self.0.iter().map(|(n, _)| n.as_str())).into()),
        }
    }
}

fn opt<T: Into<Dynamic>>(value: Option<T>) -> Dynamic {
    value.map_or(Dynamic::UNIT, Into::into)
}

fn channel(name: &str) -> Fallible<Channel> {
    name.parse::<Channel>().map_err(|e| e.to_string().into())
}

/// A JSON object from a custom attribute, read-only: `obj.key` or
/// `obj["key"]`. Not a rhai map, which a script could grow with keys of any
/// size.
#[derive(Debug, Clone)]
pub(crate) struct Object(Arc<serde_json::Map<String, serde_json::Value>>);

/// A JSON value as a script value, each node charged before it is made.
fn json_to_dynamic(value: &serde_json::Value) -> Fallible<Dynamic> {
    use serde_json::Value;
    // An object is copied whole, so each of its nodes is charged; any other
    // value is charged as it is made (an array's items by the calls below).
    match value {
        Value::Object(_) => charge_nodes(value)?,
        _ => crate::engine::sandbox::charge(1)?,
    }
    Ok(match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or(f64::NAN).into(),
        },
        Value::String(s) => s.as_str().into(),
        Value::Array(items) => items.iter().map(json_to_dynamic).collect::<Fallible<rhai::Array>>()?.into(),
        Value::Object(map) => Dynamic::from(Object(Arc::new(map.clone()))),
    })
}

/// Charges a copy of `value`, node by node, before it is made.
fn charge_nodes(value: &serde_json::Value) -> Fallible<()> {
    crate::engine::sandbox::charge(1)?;
    match value {
        serde_json::Value::Array(items) => items.iter().try_for_each(charge_nodes),
        serde_json::Value::Object(map) => map.values().try_for_each(charge_nodes),
        _ => Ok(()),
    }
}

/// Registers the script API on `engine`: the type names on the engine, the
/// functions as one module built once per process and shared by every
/// engine (registered on each engine, they cost every compiled pack about
/// 45 KiB).
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Snapshot>("Lead");
    engine.register_type_with_name::<Object>("Object");
    engine.register_type_with_name::<Params>("Params");
    engine.register_type_with_name::<List>("List");
    engine.register_type_with_name::<Draft>("Decision");
    engine.register_type_with_name::<AccountView>("Account");
    static API: OnceLock<Shared<Module>> = OnceLock::new();
    let api = API.get_or_init(|| {
        let mut module = Module::new();
        register_api(&mut module);
        module.build_index();
        module.into()
    });
    engine.register_global_module(api.clone());
}

/// The script API's functions, into `r`.
fn register_api(r: &mut impl Registrar) {
    register_lead(r);
    register_account(r);
    register_params(r);
    register_decision(r);
}

/// Where the script API's functions go: the shared module, or (in tests) a
/// list of what was registered.
trait Registrar {
    /// A function or method, by name.
    fn func<A: 'static, const N: usize, const X: bool, R: 'static, const F: bool, Func>(
        &mut self,
        name: &str,
        f: Func,
    ) where
        Func: RhaiNativeFunc<A, N, X, R, F>;

    /// A property getter, `x.name`: rhai names it `get$name`.
    fn getter<A: 'static, const X: bool, R: 'static, const F: bool, Func>(&mut self, name: &str, f: Func)
    where
        Func: RhaiNativeFunc<A, 1, X, R, F>,
    {
        self.func(&format!("get${name}"), f);
    }

    /// An indexer, `x[i]`: rhai names it `index$get$`.
    fn index_getter<A: 'static, const X: bool, R: 'static, const F: bool, Func>(&mut self, f: Func)
    where
        Func: RhaiNativeFunc<A, 2, X, R, F>,
    {
        self.func("index$get$", f);
    }
}

impl Registrar for Module {
    fn func<A: 'static, const N: usize, const X: bool, R: 'static, const F: bool, Func>(
        &mut self,
        name: &str,
        f: Func,
    ) where
        Func: RhaiNativeFunc<A, N, X, R, F>,
    {
        // Pure (a method may not change its `&mut` receiver) and not
        // volatile, as `Engine::register_fn` registers getters and functions.
        let func = f.into_rhai_function(true, false);
        FuncRegistration::new(name).set_into_module_raw(self, Func::param_types(), func);
    }
}

fn register_lead(r: &mut impl Registrar) {
    for &field in Field::ALL {
        let kind = field.kind();
        r.getter(field.name(), move |l: &mut Snapshot| field.get(l.copied()).to_dynamic(kind));
    }

    r.func("attr", |l: &mut Snapshot, name: &str| -> Fallible<Dynamic> {
        if !l.attributes {
            return Err("custom attributes are not loaded".into());
        }
        l.copy.attributes.get(name).map_or(Ok(Dynamic::UNIT), json_to_dynamic)
    });
    r.index_getter(|o: &mut Object, name: &str| -> Fallible<Dynamic> {
        o.0.get(name).map_or(Ok(Dynamic::UNIT), json_to_dynamic)
    });
    r.func("len", |o: &mut Object| o.0.len() as INT);

    r.func("touches", |l: &mut Snapshot| l.touches.len() as INT);
    r.func("count", |l: &mut Snapshot, ch: &str| -> Fallible<INT> {
        let ch = channel(ch)?;
        Ok(l.scan()?.filter(|t| t.channel == ch).count() as INT)
    });
    r.func("count_team", |l: &mut Snapshot, team: &str| -> Fallible<INT> {
        let team: Team = team.parse().map_err(|e: ValueError| e.to_string())?;
        Ok(l.scan()?.filter(|t| t.team == team).count() as INT)
    });
    r.func("count_campaign", |l: &mut Snapshot, campaign: &str| -> Fallible<INT> {
        Ok(l.scan()?.filter(|t| t.campaign.as_deref() == Some(campaign)).count() as INT)
    });
    r.func("channels", |l: &mut Snapshot| -> Fallible<INT> { Ok(distinct_channels(l.scan()?)) });

    // Windows are in days, whole or not: `lead.count("webinar", 7)`, `lead.touches(0.5)`.
    // Each is registered for integers and floats, whose calls rhai resolves
    // directly, and for any value, which only catches the wrong types.
    macro_rules! windowed {
        ($name:literal, |$l:ident $(, $arg:ident: $ty:ty)*; $days:ident| $body:expr) => {
            r.func($name, |$l: &mut Snapshot $(, $arg: $ty)*, $days: INT| -> Fallible<INT> {
                let $days = $days as FLOAT;
                $body
            });
            r.func($name, |$l: &mut Snapshot $(, $arg: $ty)*, $days: FLOAT| -> Fallible<INT> {
                let $days = window($days.into())?;
                $body
            });
            r.func($name, |$l: &mut Snapshot $(, $arg: $ty)*, $days: Dynamic| -> Fallible<INT> {
                let $days = window($days)?;
                $body
            });
        };
    }
    windowed!("touches", |l; days| Ok(l.within(days)?.count() as INT));
    windowed!("count", |l, ch: &str; days| {
        let ch = channel(ch)?;
        Ok(l.count(&ch, days)? as INT)
    });
    windowed!("count_team", |l, team: &str; days| {
        let team: Team = team.parse().map_err(|e: ValueError| e.to_string())?;
        Ok(l.within(days)?.filter(|t| t.team == team).count() as INT)
    });
    windowed!("count_campaign", |l, campaign: &str; days| {
        Ok(l.within(days)?.filter(|t| t.campaign.as_deref() == Some(campaign)).count() as INT)
    });
    windowed!("channels", |l; days| Ok(distinct_channels(l.within(days)?)));
    r.func("days_since_last", |l: &mut Snapshot| -> Fallible<Dynamic> {
        Ok(opt(l.scan()?.map(|t| t.age_days).min_by(f64::total_cmp)))
    });
    r.func("days_since", |l: &mut Snapshot, ch: &str| -> Fallible<Dynamic> {
        let ch = channel(ch)?;
        Ok(opt(l.scan()?.filter(|t| t.channel == ch).map(|t| t.age_days).min_by(f64::total_cmp)))
    });
    macro_rules! decayed {
        ($points:ty, $half_life:ty) => {
            r.func("decayed", |l: &mut Snapshot, ch: &str, points: $points, half_life: $half_life| {
                decayed(l, ch, points as FLOAT, half_life as FLOAT)
            });
        };
    }
    decayed!(INT, INT);
    decayed!(INT, FLOAT);
    decayed!(FLOAT, INT);
    decayed!(FLOAT, FLOAT);
    r.func("decayed", |l: &mut Snapshot, ch: &str, points: Dynamic, half_life: Dynamic| {
        decayed(l, ch, number(points, "points")?, number(half_life, "half_life_days")?)
    });
}

fn register_account(r: &mut impl Registrar) {
    r.getter("id", |a: &mut AccountView| a.0.key.to_script());
    for field in crate::pack::table::ACCOUNT_FIELDS {
        let kind = field.kind();
        r.getter(field.name(), move |a: &mut AccountView| field.get(a.0.company.copied()).to_dynamic(kind));
    }
    r.getter("contacts", |a: &mut AccountView| a.0.facts.contacts);
    r.getter("engaged_contacts", |a: &mut AccountView| a.0.facts.engaged);
    fn role(name: &str) -> Fallible<crate::BuyingRole> {
        name.parse().map_err(|e: ValueError| e.to_string().into())
    }
    r.func("role_count", |a: &mut AccountView, r: &str| -> Fallible<INT> { Ok(a.0.facts.role(role(r)?).0) });
    r.func("engaged_count", |a: &mut AccountView, r: &str| -> Fallible<INT> {
        Ok(a.0.facts.role(role(r)?).1)
    });
    // Each scans the contacts: charged first, as a lead's touches are.
    fn contacts(a: &AccountView) -> Fallible<std::slice::Iter<'_, super::account::ContactView>> {
        crate::engine::sandbox::charge(a.0.contacts.len())?;
        Ok(a.0.contacts.iter())
    }
    let engaged_within = |a: &AccountView, days: FLOAT| -> Fallible<INT> {
        Ok(contacts(a)?.filter(|c| c.last_inbound.is_some_and(|d| d <= days)).count() as INT)
    };
    r.func("engaged_within", move |a: &mut AccountView, days: INT| engaged_within(a, days as FLOAT));
    r.func("engaged_within", move |a: &mut AccountView, days: FLOAT| engaged_within(a, window(days.into())?));
    r.func("engaged_within", move |a: &mut AccountView, days: Dynamic| engaged_within(a, window(days)?));
    r.func("max_score", |a: &mut AccountView| -> Fallible<INT> {
        Ok(contacts(a)?.map(|c| c.score).max().unwrap_or(0))
    });
    r.func("met_count", |a: &mut AccountView, criterion: &str| -> Fallible<INT> {
        Ok(contacts(a)?.filter(|c| c.met.iter().any(|m| m == criterion)).count() as INT)
    });
    r.func("stage_count", |a: &mut AccountView, stage: &str| -> Fallible<INT> {
        let stage: Stage = stage.parse().map_err(|e: ValueError| e.to_string())?;
        Ok(contacts(a)?.filter(|c| c.stage == stage).count() as INT)
    });
}

/// Points on `ch`, each touch's halved every `half_life` days.
fn decayed(l: &ScriptLead, ch: &str, points: FLOAT, half_life: FLOAT) -> Fallible<FLOAT> {
    if !(points.is_finite() && half_life.is_finite()) {
        return Err("points and half_life_days must be finite numbers".into());
    }
    let ch = channel(ch)?;
    Ok(l.scan()?.filter(|t| t.channel == ch).map(|t| points * decay(t.age_days, half_life)).sum())
}

/// A time window in days.
fn window(days: Dynamic) -> Fallible<FLOAT> {
    number(days, "the number of days")
}

fn number(value: Dynamic, what: &str) -> Fallible<FLOAT> {
    let type_name = value.type_name();
    let n = if value.is_int() { value.as_int().map(|i| i as FLOAT).ok() } else { value.as_float().ok() };
    match n {
        Some(n) if n.is_finite() => Ok(n),
        _ => Err(format!("{what} must be a finite number, got {type_name}").into()),
    }
}

/// A getter for each of the pack's parameters, so that `params.name` is a
/// direct call (an unknown name still falls back to the indexer and its
/// "did you mean" error).
pub(crate) fn register_param_getters(engine: &mut Engine, params: &Params) {
    for (i, (name, _)) in params.0.iter().enumerate() {
        if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            // By position, checked by name: `p` is always this pack's, but a
            // mix-up must be an error, never another tenant's value or a panic.
            let name = name.clone();
            engine.register_get(name.clone().as_str(), move |p: &mut Params| -> Fallible<Dynamic> {
                match p.0.get(i) {
                    Some((n, value)) if *n == name => Ok(value.clone()),
                    _ => p.get(&name),
                }
            });
        }
    }
}

fn register_params(r: &mut impl Registrar) {
    r.index_getter(|p: &mut Params, name: &str| p.get(name));
    r.func("contains", |l: &mut List, item: ImmutableString| l.contains(&item));
    r.func("contains", |_: &mut List, _: ()| false);
    r.func("contains", |l: &mut List, item: Dynamic| match item.into_immutable_string() {
        Ok(s) => l.contains(&s),
        Err(_) => Ok(false),
    });
    r.func("len", |l: &mut List| l.items.len() as INT);
    r.getter("len", |l: &mut List| l.items.len() as INT);
    r.index_getter(|l: &mut List, i: INT| -> Fallible<ImmutableString> {
        usize::try_from(i)
            .ok()
            .and_then(|i| l.items.get(i).cloned())
            .ok_or_else(|| format!("index {i} is out of bounds").into())
    });
}

fn register_decision(r: &mut impl Registrar) {
    // Each effect takes its call's position, which names the rule that made it.
    for category in [Category::Fit, Category::Engagement, Category::Negative] {
        let name = category.as_str();
        r.func(name, move |ctx: Ctx, d: &mut Draft, points: INT, reason: ImmutableString| {
            d.award(ctx.call_position(), category, points, reason)
        });
        r.func(name, move |ctx: Ctx, d: &mut Draft, points: FLOAT, reason: ImmutableString| {
            d.award(ctx.call_position(), category, whole_points(points.into())?, reason)
        });
        // Catches the wrong types, with a better message than "function not found".
        r.func(name, move |ctx: Ctx, d: &mut Draft, points: Dynamic, reason: ImmutableString| {
            d.award(ctx.call_position(), category, whole_points(points)?, reason)
        });
    }

    r.func("met", |ctx: Ctx, d: &mut Draft, c: &str, evidence: ImmutableString| {
        d.criterion(ctx.call_position(), c, CriterionStatus::Met, evidence)
    });
    r.func("not_met", |ctx: Ctx, d: &mut Draft, c: &str, evidence: ImmutableString| {
        d.criterion(ctx.call_position(), c, CriterionStatus::NotMet, evidence)
    });
    r.func("unknown", |ctx: Ctx, d: &mut Draft, c: &str, evidence: ImmutableString| {
        d.criterion(ctx.call_position(), c, CriterionStatus::Unknown, evidence)
    });

    r.func("grade", |ctx: Ctx, d: &mut Draft, grade: &str| -> Fallible<()> {
        d.check(ctx.call_position())?;
        d.grade = Some(grade.parse().map_err(|e: ValueError| e.to_string())?);
        Ok(())
    });
    r.func("temperature", |ctx: Ctx, d: &mut Draft, t: &str| -> Fallible<()> {
        d.check(ctx.call_position())?;
        d.temperature = Some(t.parse().map_err(|e: ValueError| e.to_string())?);
        Ok(())
    });
    r.func("stage", |ctx: Ctx, d: &mut Draft, stage: &str, reason: ImmutableString| -> Fallible<()> {
        d.check(ctx.call_position())?;
        let stage: Stage = stage.parse().map_err(|e: ValueError| e.to_string())?;
        if stage == Stage::Disqualified {
            return Err("use decision.disqualify(reason) to disqualify".into());
        }
        d.stage = Some((stage, d.reasoned(reason)?));
        Ok(())
    });
    r.func("handoff", |ctx: Ctx, d: &mut Draft, reason: ImmutableString| -> Fallible<()> {
        d.check(ctx.call_position())?;
        d.handoff = HandoffChoice::Now(d.reasoned(reason)?);
        Ok(())
    });
    r.func("hold", |ctx: Ctx, d: &mut Draft, reason: ImmutableString| -> Fallible<()> {
        d.check(ctx.call_position())?;
        d.handoff = HandoffChoice::Hold(d.reasoned(reason)?);
        Ok(())
    });
    r.func("disqualify", |ctx: Ctx, d: &mut Draft, reason: ImmutableString| -> Fallible<()> {
        d.check(ctx.call_position())?;
        d.budget.take(0, reason.len())?;
        d.disqualify(Text::from_script(reason));
        Err(stop())
    });
    r.func("stop", |ctx: Ctx, d: &mut Draft| -> Fallible<()> {
        d.check(ctx.call_position())?;
        Err(stop())
    });

    macro_rules! read {
        ($($name:literal => |$d:ident| $body:expr;)*) => {
            $(r.getter($name, |d: &mut Draft| -> Fallible<INT> { let $d = d.read()?; Ok($body) });)*
        };
    }
    read! {
        "score" => |d| d.score()?;
        "fit_score" => |d| d.totals().0;
        "engagement_score" => |d| d.totals().1;
        "negative_score" => |d| d.negative;
        "met_count" => |d| d.criteria.count(CriterionStatus::Met) as INT;
        "not_met_count" => |d| d.criteria.count(CriterionStatus::NotMet) as INT;
        "unknown_count" => |d| d.criteria.count(CriterionStatus::Unknown) as INT;
    }
    r.func("status", |d: &mut Draft, c: &str| -> Fallible<ImmutableString> {
        let criteria = &d.read()?.criteria;
        criteria
            .get(c)
            .map(|c| Text::cached(format_args!("{}", c.status.as_str())).to_script())
            .ok_or_else(|| criteria.unknown_name(c).to_string().into())
    });
    r.func("is_met", |d: &mut Draft, c: &str| -> Fallible<bool> {
        let criteria = &d.read()?.criteria;
        criteria
            .get(c)
            .map(|c| c.status == CriterionStatus::Met)
            .ok_or_else(|| criteria.unknown_name(c).to_string().into())
    });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::engine::api::{API, editor_definitions};

    /// Records what is registered: each name with its parameter types.
    #[derive(Default)]
    struct Recorder(Vec<(String, Vec<std::any::TypeId>)>);

    impl Registrar for Recorder {
        fn func<A: 'static, const N: usize, const X: bool, R: 'static, const F: bool, Func>(
            &mut self,
            name: &str,
            _: Func,
        ) where
            Func: RhaiNativeFunc<A, N, X, R, F>,
        {
            self.0.push((name.to_owned(), Func::param_types().to_vec()));
        }
    }

    /// (object, name, arity) of every registered field and function on
    /// `lead` and `decision`; `None` arity for a field.
    fn registered() -> BTreeSet<(String, String, Option<usize>)> {
        let mut recorder = Recorder::default();
        register_api(&mut recorder);
        let mut out = BTreeSet::new();
        for (name, types) in recorder.0 {
            let object = match types.first() {
                Some(t) if *t == std::any::TypeId::of::<Snapshot>() => "lead",
                Some(t) if *t == std::any::TypeId::of::<Draft>() => "decision",
                Some(t) if *t == std::any::TypeId::of::<AccountView>() => "account",
                _ => continue,
            };
            let entry = match name.strip_prefix("get$") {
                Some(field) => (object.to_owned(), field.to_owned(), None),
                None => (object.to_owned(), name, Some(types.len() - 1)),
            };
            out.insert(entry);
        }
        out
    }

    #[test]
    fn the_checked_in_definitions_are_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/leadgate.d.rhai");
        let current = editor_definitions();
        if std::fs::read_to_string(path).ok().as_deref() != Some(current.as_str()) {
            // Regenerate with `LEADGATE_BLESS=1 cargo test`, then review and commit.
            if std::env::var_os("LEADGATE_BLESS").is_some() {
                std::fs::write(path, &current).unwrap();
            } else {
                panic!("docs/leadgate.d.rhai is out of date: run LEADGATE_BLESS=1 cargo test");
            }
        }
    }

    #[test]
    fn the_api_table_lists_exactly_what_is_registered() {
        let table: BTreeSet<_> = API
            .iter()
            .flat_map(|e| {
                let arities: Vec<Option<usize>> = match e.params {
                    None => vec![None],
                    Some(_) => e.arities().into_iter().map(Some).collect(),
                };
                arities.into_iter().map(|a| (e.object.to_owned(), e.name.to_owned(), a))
            })
            .collect();
        let registered = registered();
        assert_eq!(
            table.difference(&registered).collect::<Vec<_>>(),
            Vec::<&(String, String, Option<usize>)>::new(),
            "listed but not registered"
        );
        assert_eq!(
            registered.difference(&table).collect::<Vec<_>>(),
            Vec::<&(String, String, Option<usize>)>::new(),
            "registered but not listed"
        );
    }
}
