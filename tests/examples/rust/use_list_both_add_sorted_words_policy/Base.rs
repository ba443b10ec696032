use std::collections::{HashMap, HashSet};

pub struct Graph {
    edges: HashMap<u32, HashSet<u32>>,
}

impl Graph {
    pub fn new() -> Self {
        Self { edges: HashMap::new() }
    }

    pub fn add_edge(&mut self, from: u32, to: u32) {
        self.edges.entry(from).or_default().insert(to);
    }
}
