//! Canonical JSON: UTF-8, object keys sorted by their UTF-8 bytes, no insignificant whitespace.
//! An electronic document is stored exactly in this form, and its SHA-256 is taken over it.

use serde_json::Value;
use sha2::{Digest, Sha256};

pub fn to_canonical(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level_and_whitespace_is_gone() {
        let v = json!({"b": 1, "a": {"d": [true, null], "c": "Ақ"}, "A": 1.5});
        assert_eq!(
            to_canonical(&v),
            r#"{"A":1.5,"a":{"c":"Ақ","d":[true,null]},"b":1}"#
        );
    }

    #[test]
    fn strings_are_escaped_as_json() {
        assert_eq!(to_canonical(&json!({"q": "a\"b\n"})), r#"{"q":"a\"b\n"}"#);
    }
}
