use std::{
    fmt,
    io,
    sync,
};

fn run() -> io::Result<()> {
    Ok(())
}
