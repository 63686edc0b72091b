//! The small references views share (a person, an organisation by id and name): kept below the
//! services that use them, so none of those services imports another for a name.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyRef {
    pub id: String,
    pub full_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: String,
    pub name: String,
}
