//! "Did you mean …?" suggestions for misspelled names.

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(1);
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A name in the wrong case is the likeliest typo of all: `MQL`, `b`.
    if let Some(same) = candidates.iter().find(|c| c.eq_ignore_ascii_case(input)) {
        return Some(same);
    }
    candidates
        .into_iter()
        .map(|c| (distance(input, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// ` (did you mean "x"?)`, or nothing.
pub(crate) fn hint<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(input, candidates).map(|c| format!(" (did you mean {c:?}?)")).unwrap_or_default()
}

/// The error for a parameter the pack does not declare.
pub(crate) fn unknown_param<'a>(name: &str, declared: impl IntoIterator<Item = &'a str>) -> String {
    format!("unknown parameter {name:?}{}; declare it in the pack's [params]", hint(name, declared))
}

/// The error for a criterion the pack's framework does not have.
pub(crate) fn unknown_criterion<'a>(
    name: &str,
    criteria: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    format!(
        "unknown criterion {name:?}{}; this pack's criteria are: {}",
        hint(name, criteria.clone()),
        criteria.into_iter().collect::<Vec<_>>().join(", ")
    )
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let names = ["email_click", "email_open", "webinar"];
        assert_eq!(closest("emial_click", names), Some("email_click"));
        assert_eq!(closest("webnar", names), Some("webinar"));
        assert_eq!(closest("phone", names), None);
        assert_eq!(hint("webnar", names), " (did you mean \"webinar\"?)");
    }
}
