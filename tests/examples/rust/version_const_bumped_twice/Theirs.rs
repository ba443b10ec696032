pub const VERSION: &str = "0.3.2";

pub fn version() -> &'static str {
    VERSION
}
