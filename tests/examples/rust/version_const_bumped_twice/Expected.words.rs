<<<<<<< ours
pub const VERSION: &str = "0.4.1";
||||||| base
pub const VERSION: &str = "0.3.1";
=======
pub const VERSION: &str = "0.3.2";
>>>>>>> theirs

pub fn version() -> &'static str {
    VERSION
}
