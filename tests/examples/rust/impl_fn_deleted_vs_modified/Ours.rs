pub struct Counter {
    count: u64,
    limit: u64,
}

impl Counter {
    pub fn new(limit: u64) -> Self {
        Self { count: 0, limit }
    }

    pub fn increment(&mut self) -> bool {
        if self.count < self.limit {
            self.count += 1;
            true
        } else {
            false
        }
    }
}
