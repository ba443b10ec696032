pub const VERSION: &str = "0.4.1";

pub fn version() -> &'static str {
    VERSION
}
