use serde::{Deserialize, Serialize};

<<<<<<< ours
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
||||||| base
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
=======
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
>>>>>>> theirs
pub struct UserId(pub u64);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
}
