use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::io;

pub fn first<T: Hash + Eq + Clone>(items: &[T]) -> Option<T> {
    items.first().cloned()
}

pub fn count(words: &[&str]) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for word in words {
        *seen.entry(word.to_string()).or_insert(0) += 1;
    }
    seen
}

pub fn show(out: &mut dyn io::Write, value: &dyn fmt::Display) -> io::Result<()> {
    writeln!(out, "{value}")
}
