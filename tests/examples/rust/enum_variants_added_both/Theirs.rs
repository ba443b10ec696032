#[derive(Debug)]
pub enum Command {
    Start { name: String },
    Stop { name: String },
    Status,
    Logs { name: String, follow: bool },
}

impl Command {
    pub fn parse(word: &str, name: &str) -> Option<Command> {
        match word {
            "start" => Some(Command::Start { name: name.to_string() }),
            "stop" => Some(Command::Stop { name: name.to_string() }),
            "status" => Some(Command::Status),
            _ => None,
        }
    }
}
