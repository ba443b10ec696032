<<<<<<< ours
use std::collections::{BTreeSet, HashMap, HashSet};
||||||| base
use std::collections::{HashMap, HashSet};
=======
use std::collections::{HashMap, HashSet, VecDeque};
>>>>>>> theirs

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
<<<<<<< ours

    pub fn sorted_nodes(&self) -> BTreeSet<u32> {
        self.edges.keys().copied().collect()
    }
||||||| base
=======

    pub fn bfs(&self, start: u32) -> Vec<u32> {
        let mut seen = HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        let mut order = Vec::new();
        while let Some(node) = queue.pop_front() {
            order.push(node);
            for next in self.edges.get(&node).into_iter().flatten() {
                if seen.insert(*next) {
                    queue.push_back(*next);
                }
            }
        }
        order
    }
>>>>>>> theirs
}
