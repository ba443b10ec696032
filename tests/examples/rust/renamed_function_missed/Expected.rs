use std::collections::HashMap;

pub fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

pub fn most_common(text: &str) -> Option<String> {
    let counts = word_counts(text);
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(w, _)| w)
}

<<<<<<< ours
/// The number of words in `text`.
||||||| base
=======
pub fn distinct(text: &str) -> usize {
    count_words(text).len()
}

>>>>>>> theirs
pub fn total(text: &str) -> usize {
    text.split_whitespace().count()
}
