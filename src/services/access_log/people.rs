//! The people named in an access log page: name, role and organisation, in two queries for
//! the whole page rather than one per row.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::schema::{organizations, users};
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Accessor {
    pub id: String,
    pub full_name: String,
    pub role: String,
    pub organization_name: Option<String>,
}

pub(super) fn resolve(
    conn: &mut DbConnection,
    mut ids: Vec<&String>,
) -> AppResult<HashMap<String, Accessor>> {
    ids.sort();
    ids.dedup();
    let people: Vec<(String, String, String, Option<String>)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((
            users::id,
            users::full_name,
            users::role,
            users::organization_id,
        ))
        .load(conn)?;
    let org_ids: Vec<&String> = people.iter().filter_map(|p| p.3.as_ref()).collect();
    let org_names: HashMap<String, String> = organizations::table
        .filter(organizations::id.eq_any(&org_ids))
        .select((organizations::id, organizations::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(people
        .into_iter()
        .map(|(id, full_name, role, org)| {
            let organization_name = org.and_then(|o| org_names.get(&o).cloned());
            (
                id.clone(),
                Accessor {
                    id,
                    full_name,
                    role,
                    organization_name,
                },
            )
        })
        .collect())
}
