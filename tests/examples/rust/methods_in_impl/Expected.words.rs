use std::collections::HashMap;
use std::fmt;

pub struct Inventory {
    stock: HashMap<String, u32>,
}

impl Inventory {
    pub fn new() -> Self {
        Self { stock: HashMap::new() }
    }

    pub fn add(&mut self, item: &str, count: u32) {
        *self.stock.entry(item.to_string()).or_insert(0) += count;
    }

    pub fn count(&self, item: &str) -> u32 {
        self.stock.get(item).copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.stock.is_empty()
    }
}

impl fmt::Display for Inventory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} items", self.stock.len())
    }
}
