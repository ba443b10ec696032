<<<<<<< ours
use std::collections::HashMap;
||||||| base
use std::collections::{HashMap, HashSet};
=======
use std::collections::{BTreeMap, HashMap, HashSet};
>>>>>>> theirs

pub fn unique_words(text: &str) -> usize {
    word_counts(text).len()
}

pub fn common_words<'a>(a: &'a str, b: &'a str) -> Vec<&'a str> {
    let left: HashSet<&str> = a.split_whitespace().collect();
    let mut shared: Vec<&str> = b.split_whitespace().filter(|w| left.contains(w)).collect();
    shared.dedup();
    shared
}

pub fn sorted_counts(text: &str) -> BTreeMap<&str, usize> {
    word_counts(text).into_iter().collect()
}

pub fn word_counts(text: &str) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}
