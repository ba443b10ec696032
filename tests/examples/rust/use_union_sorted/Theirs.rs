use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;

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

pub fn read(path: &str) -> io::Result<String> {
    fs::read_to_string(path)
}
