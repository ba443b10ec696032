pub struct Counter {
    n: u32,
}

impl Counter {
<<<<<<< ours
    pub fn reset(&mut self) {
        self.n = 0;
    }
||||||| base
=======
>>>>>>> theirs

    pub fn get(&self) -> u32 {
        self.n
    }

    pub fn bump(&mut self) {
        self.n += 1;
    }

<<<<<<< ours
||||||| base
=======
    pub fn reset(&mut self) {
        self.n = 1;
    }
>>>>>>> theirs
}
