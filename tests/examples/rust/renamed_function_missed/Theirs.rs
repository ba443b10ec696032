use std::collections::HashMap;

pub fn count_words(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

pub fn most_common(text: &str) -> Option<String> {
    let counts = count_words(text);
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(w, _)| w)
}

pub fn distinct(text: &str) -> usize {
    count_words(text).len()
}

pub fn total(text: &str) -> usize {
    text.split_whitespace().count()
}
