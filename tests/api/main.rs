//! API integration tests: the real service over HTTP, on SQLite by default and on PostgreSQL when
//! `TELEMED_TEST_DATABASE_URL` is set. One binary, one module per area.

mod access_log;
mod access_policy;
mod accounts;
mod admin;
mod authorization;
mod booking;
mod boundary;
mod calls;
mod cli;
mod councils;
mod deferred;
mod demo_scale;
mod directory;
mod first_start;
mod fuzz;
mod icd10;
mod lists;
mod mail;
mod operations;
mod records;
mod storage;
mod support;
