pub struct Counter {
    n: u32,
}

impl Counter {
    pub fn reset(&mut self) {
        self.n = 0;
    }

    pub fn get(&self) -> u32 {
        self.n
    }

    pub fn bump(&mut self) {
        self.n += 1;
    }
}
