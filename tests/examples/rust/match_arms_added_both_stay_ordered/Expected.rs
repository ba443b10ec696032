pub fn describe(value: Option<i64>) -> &'static str {
    match value {
        None => "missing",
        Some(n) if n > 0 => "positive",
<<<<<<< ours
        Some(0) => "zero",
||||||| base
=======
        Some(n) if n < 0 => "negative",
>>>>>>> theirs
        Some(_) => "other",
    }
}
