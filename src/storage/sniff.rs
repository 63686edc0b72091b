//! What a file is, told from its first bytes rather than from its name or the type a client
//! claims: only the kinds a medical record may carry are let in.

/// The kinds of file the platform stores, with the type it serves them as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    /// DICOM Part 10: a 128-byte preamble, then `DICM`.
    Dicom,
    Text,
    Ogg,
    Wav,
    /// VP8/VP9 frames in an IVF container (call recordings).
    Ivf,
    WebM,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Dicom => "application/dicom",
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Ogg => "audio/ogg",
            FileKind::Wav => "audio/wav",
            FileKind::Ivf => "video/x-ivf",
            FileKind::WebM => "video/webm",
        }
    }
}

/// How many leading bytes [`sniff`] needs to decide (DICOM's marker ends at 132; text is judged
/// on a longer stretch).
pub const SNIFF_LEN: usize = 4096;

/// The kind of a file from its first bytes (up to [`SNIFF_LEN`]; fewer only if the file is
/// shorter). `None`: not a kind the platform accepts.
pub fn sniff(head: &[u8]) -> Option<FileKind> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(FileKind::Png)
    } else if head.len() >= 132 && &head[128..132] == b"DICM" {
        Some(FileKind::Dicom)
    } else if starts(b"OggS") {
        Some(FileKind::Ogg)
    } else if head.len() >= 12 && starts(b"RIFF") && &head[8..12] == b"WAVE" {
        Some(FileKind::Wav)
    } else if starts(b"DKIF") {
        Some(FileKind::Ivf)
    } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) && contains(head, b"webm") {
        Some(FileKind::WebM)
    } else if is_text(head) {
        Some(FileKind::Text)
    } else {
        None
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// UTF-8 without control characters other than tab, line breaks and form feed. The sample may
/// end inside a character, which is not held against it.
fn is_text(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(s) => s,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileKind::Png));
        let mut dicom = vec![0u8; 128];
        dicom.extend_from_slice(b"DICM\x02\x00");
        assert_eq!(sniff(&dicom), Some(FileKind::Dicom));
        assert_eq!(sniff(b"OggS\0\x02"), Some(FileKind::Ogg));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt "), Some(FileKind::Wav));
        assert_eq!(sniff(b"DKIF\0\0 \0VP80"), Some(FileKind::Ivf));
        assert_eq!(
            sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"),
            Some(FileKind::WebM)
        );
        assert_eq!(
            sniff("Жалобы: головная боль\r\n".as_bytes()),
            Some(FileKind::Text)
        );
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None, "a Windows executable");
        assert_eq!(sniff(b"PK\x03\x04"), None, "a zip archive");
        assert_eq!(
            sniff(b"GIF89a"),
            Some(FileKind::Text),
            "text-looking bytes are text"
        );
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0\0\0"), None);
        assert_eq!(sniff(b""), None);
        // A name or a claimed type does not matter: a PDF header inside text is still text.
        assert_eq!(sniff(b" %PDF-1.7"), Some(FileKind::Text));
    }

    #[test]
    fn text_cut_inside_a_character_is_still_text() {
        let s = "Ақтөбе".as_bytes();
        assert_eq!(sniff(&s[..s.len() - 1]), Some(FileKind::Text));
    }
}
