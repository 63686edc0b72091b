//! Ids and codes in paths (`web::Path<Id>`, `web::Path<(Id, Code)>`): a segment that is not
//! one the platform can have made answers 404 `not_found` before any service or database sees
//! it.

use std::ops::Deref;

use actix_web::HttpRequest;
use actix_web::error::PathError;
use serde::{Deserialize, Deserializer, de};

use crate::domain::text;
use crate::error::AppError;

/// An id in the path, shaped as `crate::db::new_id` makes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id(String);

/// A code of a closed list in the path (a specialty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(String);

fn shaped<'de, D: Deserializer<'de>>(d: D, ok: fn(&str) -> bool) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if ok(&s) {
        Ok(s)
    } else {
        Err(de::Error::custom("no such resource"))
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        shaped(d, text::is_id).map(Id)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        shaped(d, text::is_code).map(Code)
    }
}

impl Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Deref for Code {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.0
    }
}

impl From<Code> for String {
    fn from(code: Code) -> String {
        code.0
    }
}

/// The `PathConfig` error handler: whatever a path segment fails on, nothing is there.
pub fn path_error(_err: PathError, _req: &HttpRequest) -> actix_web::Error {
    AppError::not_found("resource").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_ids_deserialize() {
        let good = uuid::Uuid::new_v4().to_string();
        let id: Id = serde_json::from_value(serde_json::json!(good)).unwrap();
        assert_eq!(&*id, good.as_str());
        for bad in [
            "",
            "nope",
            "\u{0}",
            "../x",
            "0B7E2C1A-0000-4000-8000-000000000001",
        ] {
            assert!(
                serde_json::from_value::<Id>(serde_json::json!(bad)).is_err(),
                "{bad:?}"
            );
        }
        assert!(serde_json::from_value::<Code>(serde_json::json!("cardiology")).is_ok());
        assert!(serde_json::from_value::<Code>(serde_json::json!("cardio\u{0}")).is_err());
    }
}
