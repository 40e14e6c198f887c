//! Load-time checks of rule sources beyond what the compiler sees: names of
//! lead fields, parameters, decision functions, channels, criteria, stages
//! and teams, how many arguments each function takes, and the texts a
//! keyword field is compared with (`lead.seniority == "VP"`).
//!
//! rhai's AST cannot be walked without its `internals` feature, which the
//! sandbox must not enable, so this reads the source with a small lexer. It
//! only looks at `lead.x`, `params.x`, `params["x"]` and `decision.x(...)`,
//! which is every way a rule reaches the engine.

use std::collections::BTreeSet;

use crate::engine::api::{API, Arg};
use crate::pack::fields::{Field, never_a_status};
use crate::pack::{Location, Problem, ProblemKind, RuleSource};
use crate::{Channel, Grade, Stage, Team, Temperature, Text, suggest};

/// What a check needs to know about the pack.
pub(crate) struct Context<'a> {
    pub(crate) params: &'a [Text],
    pub(crate) criteria: &'a [Text],
    /// The custom channels the pack declares (`[channels]`, `[points]`).
    pub(crate) channels: &'a [Channel],
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Punct(char),
    Other,
}

#[derive(Debug, Clone)]
struct Spanned {
    token: Token,
    line: usize,
    column: usize,
}

/// Checks one rule; also records the parameters it reads into `used`. The
/// problems returned include warnings ([`ProblemKind::is_warning`]).
pub(crate) fn check_rule(rule: &RuleSource, cx: &Context<'_>, used: &mut BTreeSet<String>) -> Vec<Problem> {
    let tokens = lex(&rule.source);
    let mut problems = Vec::new();
    let at = |t: &Spanned| Location {
        script: rule.script.clone(),
        line: t.line + rule.line_offset,
        column: t.column,
    };
    let mut i = 0;
    while i < tokens.len() {
        let Token::Ident(object) = &tokens[i].token else {
            i += 1;
            continue;
        };
        // `x.lead` is some other value's property, not the lead.
        let after_dot = i > 0 && tokens[i - 1].token == Token::Punct('.');
        if after_dot || !matches!(object.as_str(), "lead" | "account" | "params" | "decision") {
            i += 1;
            continue;
        }
        match (tokens.get(i + 1).map(|t| &t.token), tokens.get(i + 2)) {
            (Some(Token::Punct('.')), Some(member @ Spanned { token: Token::Ident(name), .. })) => {
                let call = tokens.get(i + 3).is_some_and(|t| t.token == Token::Punct('('));
                let args = if call { arguments(&tokens, i + 3) } else { Vec::new() };
                let problem = if object == "params" {
                    used.insert(name.clone());
                    check_param(name, cx).map(|m| (ProblemKind::Name, m))
                } else {
                    check_member(object, name, call.then_some(&args[..]), cx)
                };
                if let Some((kind, message)) = problem {
                    problems.push(Problem::new(kind, message).in_rule(&rule.name).at(at(member)));
                }
                // `lead.seniority == "VP"` and `decision.status("need") == "met "`
                // would never hold.
                let field = Field::ALL.iter().find(|f| object == "lead" && !call && f.name() == name);
                let status = object == "decision" && name == "status" && call;
                if field.is_some() || status {
                    let end = if status { closing(&tokens, i + 3) } else { i + 3 };
                    for literal in compared(&tokens, i, end) {
                        let Token::Str(text) = &literal.token else { continue };
                        let never = field.map_or_else(|| never_a_status(text), |f| f.never_holds(text));
                        if let Some(message) = never {
                            let problem = Problem::new(ProblemKind::Name, message).in_rule(&rule.name);
                            problems.push(problem.at(at(literal)));
                        }
                    }
                }
                i += 3;
            }
            (Some(Token::Punct('[')), Some(key @ Spanned { token: Token::Str(name), .. }))
                if object == "params" =>
            {
                used.insert(name.clone());
                if let Some(message) = check_param(name, cx) {
                    problems.push(Problem::new(ProblemKind::Name, message).in_rule(&rule.name).at(at(key)));
                }
                i += 3;
            }
            _ => i += 1,
        }
    }
    problems
}

/// The index just past the `)` that closes the `(` at `open`.
fn closing(tokens: &[Spanned], open: usize) -> usize {
    let mut depth = 0usize;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The string literals the value at `tokens[start..end]` is compared
/// with: `== "x"` or `!= "x"` on either side, or `in ["x", "y"]` after it.
fn compared(tokens: &[Spanned], start: usize, end: usize) -> Vec<&Spanned> {
    let punct = |i: usize, c: char| tokens.get(i).is_some_and(|t| t.token == Token::Punct(c));
    let literal = |i: usize| tokens.get(i).filter(|t| matches!(t.token, Token::Str(_)));
    let mut found = Vec::new();
    if (punct(end, '=') || punct(end, '!')) && punct(end + 1, '=') {
        found.extend(literal(end + 2));
    }
    if start >= 3 && punct(start - 1, '=') && (punct(start - 2, '=') || punct(start - 2, '!')) {
        found.extend(literal(start - 3));
    }
    if tokens.get(end).is_some_and(|t| t.token == Token::Ident("in".into())) && punct(end + 1, '[') {
        for (j, t) in tokens.iter().enumerate().skip(end + 2) {
            match t.token {
                Token::Str(_) => found.extend(literal(j)),
                Token::Punct(',') => {}
                _ => break,
            }
        }
    }
    found
}

fn check_param(name: &str, cx: &Context<'_>) -> Option<String> {
    (!cx.params.iter().any(|p| p == name))
        .then(|| suggest::unknown_param(name, cx.params.iter().map(Text::as_str)))
}

/// `args` is `Some` for a call: each argument's tokens' first literal, if the
/// argument is a single string literal.
fn check_member(
    object: &str,
    name: &str,
    args: Option<&[Option<String>]>,
    cx: &Context<'_>,
) -> Option<(ProblemKind, String)> {
    let literal = match check_call(object, name, args, cx) {
        Ok(literal) => literal?,
        Err(message) => return Some((ProblemKind::Name, message)),
    };
    // A custom channel nothing declares is almost always a typo: it would count 0.
    let channel =
        literal.parse::<Channel>().ok().filter(|c| c.index().is_none() && !cx.channels.contains(c))?;
    let declared: Vec<_> = cx.channels.iter().map(|c| c.name()).collect();
    let message = format!(
        "custom channel {:?} is not declared by the pack{}; declare it in [channels] or [points]",
        channel.name(),
        suggest::hint(&channel.name(), declared.iter().map(|c| c.as_ref()))
    );
    Some((ProblemKind::UndeclaredChannel, message))
}

/// Checks a member's name, arity and first literal argument; returns the
/// literal when it names a channel, for [`check_member`].
fn check_call(
    object: &str,
    name: &str,
    args: Option<&[Option<String>]>,
    cx: &Context<'_>,
) -> Result<Option<String>, String> {
    let fail = |m: Option<String>| m.map_or(Ok(None), Err);
    let candidates = || API.iter().filter(|e| e.object == object).map(|e| e.name);
    let entries: Vec<_> = API.iter().filter(|e| e.object == object && e.name == name).collect();
    if entries.is_empty() {
        let what = if args.is_some() { "function" } else { "field" };
        return Err(format!("`{object}` has no {what} {name:?}{}", suggest::hint(name, candidates())));
    }
    let Some(args) = args else {
        return fail(
            (!entries.iter().any(|e| e.params.is_none()))
                .then(|| format!("`{object}.{name}` is a function: call it as `{object}.{name}(...)`")),
        );
    };
    let Some(entry) = entries.iter().find(|e| e.arities().contains(&args.len())) else {
        let arities: Vec<String> = entries.iter().flat_map(|e| e.arities()).map(|n| n.to_string()).collect();
        return Err(if arities.is_empty() {
            format!("`{object}.{name}` is a field, not a function: drop the parentheses")
        } else {
            format!("`{object}.{name}` takes {} argument(s), not {}", arities.join(" or "), args.len())
        });
    };
    let Some(literal) = args.first().and_then(Option::as_deref) else { return Ok(None) };
    fail(match entry.first {
        Arg::Channel => {
            return literal.parse::<Channel>().map(|_| Some(literal.to_owned())).map_err(|e| e.to_string());
        }
        Arg::Team => literal.parse::<Team>().err().map(|e| e.to_string()),
        Arg::Stage => literal.parse::<Stage>().err().map(|e| e.to_string()),
        Arg::Grade => literal.parse::<Grade>().err().map(|e| e.to_string()),
        Arg::Temperature => literal.parse::<Temperature>().err().map(|e| e.to_string()),
        Arg::Role => literal.parse::<crate::BuyingRole>().err().map(|e| e.to_string()),
        Arg::Criterion => (!cx.criteria.iter().any(|c| c == literal))
            .then(|| suggest::unknown_criterion(literal, cx.criteria.iter().map(Text::as_str))),
        Arg::Any => None,
    })
}

/// The arguments of the call whose `(` is at `open`: for each, its string
/// literal if it is exactly one.
fn arguments(tokens: &[Spanned], open: usize) -> Vec<Option<String>> {
    let mut args = Vec::new();
    let mut current: Vec<&Token> = Vec::new();
    let mut depth = 0usize;
    for t in &tokens[open + 1..] {
        match &t.token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') if depth == 0 => {
                if !current.is_empty() || !args.is_empty() {
                    args.push(single_literal(&current));
                }
                return args;
            }
            Token::Punct(')' | ']' | '}') => depth -= 1,
            Token::Punct(',') if depth == 0 => {
                args.push(single_literal(&current));
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(&t.token);
    }
    args
}

fn single_literal(tokens: &[&Token]) -> Option<String> {
    match tokens {
        [Token::Str(s)] => Some(s.clone()),
        _ => None,
    }
}

/// Identifiers, string literals and punctuation, with 1-based positions;
/// comments and whitespace dropped. An interpolated string is one token,
/// not a literal.
fn lex(source: &str) -> Vec<Spanned> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut column) = (0, 1, 1);
    let advance = |i: &mut usize, line: &mut usize, column: &mut usize, n: usize| {
        for _ in 0..n {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let (start_line, start_column) = (line, column);
        let token = if c.is_whitespace() {
            advance(&mut i, &mut line, &mut column, 1);
            continue;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut line, &mut column, 1);
            }
            continue;
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            // Block comments nest in Rhai.
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    advance(&mut i, &mut line, &mut column, 2);
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    advance(&mut i, &mut line, &mut column, 2);
                    if depth == 0 {
                        break;
                    }
                } else {
                    advance(&mut i, &mut line, &mut column, 1);
                }
            }
            continue;
        } else if c == '"' || c == '`' {
            let mut text = String::new();
            advance(&mut i, &mut line, &mut column, 1);
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    advance(&mut i, &mut line, &mut column, 1);
                }
                text.push(chars[i]);
                advance(&mut i, &mut line, &mut column, 1);
            }
            advance(&mut i, &mut line, &mut column, 1);
            // A back-quoted string with `${...}` is computed, not a literal.
            if c == '`' && text.contains("${") { Token::Other } else { Token::Str(text) }
        } else if c == '\'' {
            // A character literal.
            let len = if chars.get(i + 1) == Some(&'\\') { 4 } else { 3 };
            advance(&mut i, &mut line, &mut column, len);
            Token::Other
        } else if c.is_alphabetic() || c == '_' {
            let mut name = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                name.push(chars[i]);
                advance(&mut i, &mut line, &mut column, 1);
            }
            Token::Ident(name)
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                advance(&mut i, &mut line, &mut column, 1);
            }
            // `1.5` is one number, not `1` `.` `5`.
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                advance(&mut i, &mut line, &mut column, 1);
                while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                    advance(&mut i, &mut line, &mut column, 1);
                }
            }
            Token::Other
        } else {
            advance(&mut i, &mut line, &mut column, 1);
            Token::Punct(c)
        };
        tokens.push(Spanned { token, line: start_line, column: start_column });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(source: &str) -> Vec<String> {
        let rule = RuleSource {
            name: "r".into(),
            description: None,
            source: source.to_owned(),
            script: "r.rhai".into(),
            line_offset: 0,
            table: None,
        };
        let params = ["mql_threshold".into(), "target_industries".into()];
        let criteria = ["budget".into(), "authority".into()];
        let channels = ["custom:sms_sent".parse().unwrap()];
        let cx = Context { params: &params, criteria: &criteria, channels: &channels };
        check_rule(&rule, &cx, &mut BTreeSet::new()).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn good_rules_pass() {
        let ok = r#"
            // lead.budjet in a comment is fine, and so is "lead.budjet" in a string.
            if lead.industry in params.target_industries && lead.count("webinar", 30) > 1 {
                decision.fit(10, "x");
                decision.met("budget", `ok ${lead.name}`);
            }
            let t = lead.industry.to_lower();
            if decision.score >= params["mql_threshold"] { decision.handoff("ready"); }
        "#;
        assert_eq!(problems(ok), Vec::<String>::new());
    }

    #[test]
    fn undeclared_custom_channels_are_warnings() {
        assert_eq!(
            problems("lead.count(\"custom:sms_sent\"); lead.count(\"webinar\");"),
            Vec::<String>::new()
        );
        assert_eq!(
            problems("let n = lead.count(\"custom:sms_snet\", 7);"),
            ["r.rhai:1:14: rule \"r\": custom channel \"custom:sms_snet\" is not declared by the pack \
              (did you mean \"custom:sms_sent\"?); declare it in [channels] or [points]"]
        );
    }

    #[test]
    fn a_keyword_field_compared_with_a_text_it_never_holds() {
        let ok = r#"if lead.seniority == "vp" || "c_level" != lead.seniority || lead.timeline in ["no_plans", ""]
            || lead.seniority == `${x}` || lead.industry == "VP" || lead.seniority.to_upper() == "VP" {}"#;
        assert_eq!(problems(ok), Vec::<String>::new());
        let found = problems(
            "if lead.seniority == \"VP\" {}\nif \"mql \" != lead.stage {}\n\
             if lead.buying_role in [\"champion\", \"champ\"] {}\n",
        );
        assert_eq!(
            found,
            [
                "r.rhai:1:22: rule \"r\": \"VP\" is never a lead's seniority (did you mean \"vp\"?); \
                 it is one of: c_level, vp, director, manager, individual_contributor, student",
                "r.rhai:2:4: rule \"r\": \"mql \" is never a lead's stage (did you mean \"mql\"?); \
                 it is one of: subscriber, lead, mql, sal, sql, opportunity, customer, recycled, disqualified",
                "r.rhai:3:37: rule \"r\": \"champ\" is never a lead's buying_role; it is one of: \
                 decision_maker, economic_buyer, champion, influencer, evaluator, end_user, gatekeeper",
            ]
        );
    }

    #[test]
    fn a_status_compared_with_a_text_no_status_is() {
        let ok = r#"if decision.status("budget") == "met" || "unknown" != decision.status(`${x}`) {}"#;
        assert_eq!(problems(ok), Vec::<String>::new());
        assert_eq!(
            problems("if decision.status(\"budget\") in [\"met\", \"unkown\"] {}"),
            [
                "r.rhai:1:41: rule \"r\": \"unkown\" is never a criterion's status (did you mean \"unknown\"?); \
              it is one of: unknown, met, not_met"
            ]
        );
    }

    #[test]
    fn misspellings_are_found_with_their_position() {
        let found = problems(
            "let a = lead.budjet;\nlet b = params.mql_treshold;\ndecision.met(\"budjet\", \"x\");\n\
             lead.count(\"webnar\");\ndecision.fitt(1, \"x\");\nlead.count(\"webinar\", 1, 2);\n\
             decision.stage(\"won\", \"x\");\nlet c = lead.touches;\nlet d = lead.industry();\n",
        );
        assert_eq!(found.len(), 9, "{found:#?}");
        assert!(found[0].starts_with(
            "r.rhai:1:14: rule \"r\": `lead` has no field \"budjet\" (did you mean \"budget\"?)"
        ));
        assert!(found[1].contains("2:16") && found[1].contains("did you mean \"mql_threshold\""));
        assert!(found[2].contains("unknown criterion \"budjet\""));
        assert!(found[3].contains("did you mean \"webinar\""));
        assert!(found[4].contains("no function \"fitt\" (did you mean \"fit\"?)"));
        assert!(found[5].contains("`lead.count` takes 1 or 2 argument(s), not 3"), "{}", found[5]);
        assert!(found[6].contains("unknown stage \"won\""));
        assert!(found[7].contains("is a function"));
        assert!(found[8].contains("is a field, not a function"));
    }
}
