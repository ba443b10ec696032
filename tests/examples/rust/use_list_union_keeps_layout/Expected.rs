use std::{
    collections,
    fmt,
    io,
    sync,
};

fn run() -> io::Result<()> {
    Ok(())
}
