pub struct Counter {
    n: u32,
}

impl Counter {
    pub fn get(&self) -> u32 {
        self.n
    }

    pub fn bump(&mut self) {
        self.n += 1;
    }

    pub fn reset(&mut self) {
        self.n = 1;
    }
}
