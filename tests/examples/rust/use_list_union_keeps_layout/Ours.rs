use std::{
    collections,
    fmt,
    io,
};

fn run() -> io::Result<()> {
    Ok(())
}
