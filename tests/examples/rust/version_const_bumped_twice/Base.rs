pub const VERSION: &str = "0.3.1";

pub fn version() -> &'static str {
    VERSION
}
