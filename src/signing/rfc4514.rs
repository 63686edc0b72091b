//! Certificate names as RFC 4514 text (`CN=…,SERIALNUMBER=IIN…,C=KZ`), exactly as x509-cert's
//! `Display` writes them. Its `Display` finds each attribute's short name by scanning const-oid's
//! whole database, which cost a tenth of a verification with a warm cache; here each OID's name
//! is looked up once. The test below holds the two outputs equal.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{LazyLock, PoisonError, RwLock};

use der::asn1::Utf8StringRef;
use der::asn1::{Ia5StringRef, ObjectIdentifier as Oid, PrintableStringRef, TeletexStringRef};
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

/// Short names of the OIDs met so far. Only OIDs the database knows are kept, so it is bounded by
/// the database's size whatever certificates arrive.
static SHORT_NAMES: LazyLock<RwLock<HashMap<Oid, &'static str>>> = LazyLock::new(RwLock::default);

/// The shortest of the database's names for `oid` (the first of equal length), as x509-cert
/// chooses it.
fn short_name(oid: &Oid) -> Option<&'static str> {
    if let Some(name) = SHORT_NAMES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(oid)
    {
        return Some(name);
    }
    let mut best: Option<&'static str> = None;
    for name in der::oid::db::DB.find_names_for_oid(*oid) {
        if best.is_none_or(|b| name.len() < b.len()) {
            best = Some(name);
        }
    }
    let name = best?;
    SHORT_NAMES
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(*oid, name);
    Some(name)
}

pub(crate) fn format(name: &Name) -> String {
    let mut out = String::new();
    // RFC 4514 §2.1: the last RDN first.
    for (i, rdn) in name.0.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.0.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            attribute(&mut out, atv);
        }
    }
    out
}

fn attribute(out: &mut String, atv: &AttributeTypeAndValue) {
    let value = &atv.value;
    let text = match value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok().map(|s| s.as_str()),
        _ => None,
    };
    let (Some(key), Some(text)) = (short_name(&atv.oid), text) else {
        // An unknown OID or another string type: the library writes it as `oid=#hex`.
        let _ = write!(out, "{atv}");
        return;
    };
    out.push_str(&key.to_ascii_uppercase());
    out.push('=');
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || chars.peek().is_none() => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x00'..='\x1f' | '\x7f' => {
                let _ = write!(out, "\\{:02x}", c as u8);
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use der::asn1::{Any, SetOfVec};
    use der::{Decode, Tag};
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::{Name, RelativeDistinguishedName};

    use super::{Oid, format};

    fn atv(oid: &str, tag: Tag, value: &[u8]) -> AttributeTypeAndValue {
        AttributeTypeAndValue {
            oid: Oid::new_unwrap(oid),
            value: Any::new(tag, value).expect("value"),
        }
    }

    #[test]
    fn writes_what_x509_cert_writes() {
        let mut names: Vec<Name> = [
            "CN=АХМЕТОВ АЛИХАН,SERIALNUMBER=IIN850101300123,C=KZ",
            "OU=a+OU=b,L=Алматы,ST=x,O=Клиника,CN=x",
            "1.2.3.4=#0c03616263,CN=x",
        ]
        .into_iter()
        .map(|text| Name::from_str(text).expect(text))
        .collect();
        // The characters RFC 4514 escapes, the string types x509-cert reads and one it writes as
        // hex, control characters, and a PrintableString with characters that type does not
        // allow.
        let rdn = |atvs: Vec<AttributeTypeAndValue>| {
            RelativeDistinguishedName::from(SetOfVec::try_from(atvs).expect("set"))
        };
        names.push(Name::from(vec![
            rdn(vec![atv(
                "2.5.4.3",
                Tag::Utf8String,
                br#"#hash+plus,comma;semi<lt>gt\back"quote#"#,
            )]),
            rdn(vec![atv("2.5.4.3", Tag::Utf8String, b" padded  ")]),
            rdn(vec![atv(
                "1.2.840.113549.1.9.1",
                Tag::Ia5String,
                b"doctor@clinic.kz",
            )]),
            rdn(vec![atv(
                "0.9.2342.19200300.100.1.25",
                Tag::Ia5String,
                b"kz",
            )]),
            rdn(vec![atv(
                "0.9.2342.19200300.100.1.1",
                Tag::Utf8String,
                b"42",
            )]),
            rdn(vec![atv("2.5.4.4", Tag::Utf8String, "Ахметов".as_bytes())]),
            rdn(vec![atv("2.5.4.42", Tag::Utf8String, "Алихан".as_bytes())]),
            rdn(vec![atv("2.5.4.9", Tag::Utf8String, "Абай 1".as_bytes())]),
            rdn(vec![atv("2.5.4.12", Tag::Utf8String, "врач".as_bytes())]),
            rdn(vec![atv(
                "2.5.4.5",
                Tag::PrintableString,
                b"IIN850101300123",
            )]),
            rdn(vec![atv("2.5.4.6", Tag::PrintableString, b"a_b@c")]),
            rdn(vec![atv("2.5.4.3", Tag::Ia5String, b"tab\there\x7f")]),
            rdn(vec![atv("2.5.4.10", Tag::TeletexString, b"teletex")]),
            rdn(vec![atv(
                "2.5.4.3",
                Tag::BmpString,
                &[0x04, 0x10, 0x04, 0x11],
            )]),
            rdn(vec![atv(
                "1.3.6.1.4.1.99999.1",
                Tag::Utf8String,
                b"private",
            )]),
        ]));
        for name in &names {
            assert_eq!(format(name), name.to_string());
            // Twice: the second time from the memo.
            assert_eq!(format(name), name.to_string());
        }
        let round_trip = Name::from_der(&der::Encode::to_der(&names[0]).expect("DER"));
        assert_eq!(format(&round_trip.expect("name")), names[0].to_string());
    }
}
