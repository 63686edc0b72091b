//! Signature rules (Rules art. 37: records are signed with the doctor's digital signature) against
//! a test PKI generated at test time.

mod cache;
mod cases;
mod openssl;
mod pki;
