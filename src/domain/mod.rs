//! Pure rules of the domain: no actix, no diesel, nothing else of the project.

/// A closed set of codes stored as text: `as_str` writes it, `parse` reads it back, serde and
/// OpenAPI use the same snake_case names.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub mod account;
pub mod canonical;
pub mod consultation;
pub mod council;
pub mod dates;
pub mod icd10;
pub mod iin;
pub mod organization;
pub mod records;
pub mod schedule;
pub mod slots;
pub mod text;
