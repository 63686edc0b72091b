//! On whose behalf an act is done: the answer belongs to the access policy (`crate::access`);
//! re-exported here for the services that name it so.

pub use crate::access::{Relation, represents, resolve, user};
