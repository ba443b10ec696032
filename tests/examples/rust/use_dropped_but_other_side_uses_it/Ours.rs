use std::collections::HashMap;

pub fn unique_words(text: &str) -> usize {
    word_counts(text).len()
}

pub fn word_counts(text: &str) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}
