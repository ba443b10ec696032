use std::{
    fmt,
    io,
};

fn run() -> io::Result<()> {
    Ok(())
}
