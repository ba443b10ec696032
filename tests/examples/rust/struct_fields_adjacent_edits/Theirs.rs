use std::path::PathBuf;

#[derive(Debug)]
pub struct Options {
    pub input: PathBuf,
    pub output: Option<PathBuf>,
    pub verbose: bool,
    jobs: usize,
}

impl Options {
    pub fn jobs(&self) -> usize {
        self.jobs.max(1)
    }
}
