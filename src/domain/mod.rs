//! Pure rules of the domain: no actix, no diesel, nothing else of the project.

pub mod account;
pub mod canonical;
pub mod consultation;
pub mod icd10;
pub mod iin;
pub mod organization;
pub mod records;
pub mod schedule;
pub mod slots;
