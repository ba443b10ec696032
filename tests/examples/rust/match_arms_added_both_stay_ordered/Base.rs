pub fn describe(value: Option<i64>) -> &'static str {
    match value {
        None => "missing",
        Some(n) if n > 0 => "positive",
        Some(_) => "other",
    }
}
