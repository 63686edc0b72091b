//! telemed: remote medical services for organisations in Kazakhstan, following the Rules for
//! organising, providing and paying for remote medical services (Order ҚР ДСМ-12, 2021).

pub mod access;
pub mod app;
pub mod audit;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod notify;
pub mod pki;
pub mod realtime;
pub mod services;
pub mod signing;
pub mod storage;
