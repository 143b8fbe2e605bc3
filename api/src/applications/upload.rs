//! Files residents attach to an application: a file's type is what its first bytes say
//! (not what the browser claims), and its name is kept for display only, without any
//! path.

/// The largest text value read from a form field (64 KiB); a larger one is an error of
/// its field, never a truncated answer.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// The longest display name of a file, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A file type the portal accepts, recognised by its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    /// Every accepted type.
    pub const ALL: [FileType; 3] = [FileType::Pdf, FileType::Jpeg, FileType::Png];

    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    /// The usual file name extension, with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => ".pdf",
            FileType::Jpeg => ".jpg",
            FileType::Png => ".png",
        }
    }

    /// The name residents know it by.
    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Jpeg => "JPEG",
            FileType::Png => "PNG",
        }
    }

    /// The type a media type names (parameters such as `; charset=` ignored).
    pub fn from_mime(mime: &str) -> Option<FileType> {
        let essence = mime.split(';').next().unwrap_or("").trim();
        FileType::ALL
            .into_iter()
            .find(|t| t.mime().eq_ignore_ascii_case(essence))
    }

    /// What `bytes` are, by their signature: `%PDF-`, JPEG's SOI marker `FF D8 FF`, or
    /// PNG's eight-byte signature.
    pub fn sniff(bytes: &[u8]) -> Option<FileType> {
        if bytes.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileType::Png)
        } else {
            None
        }
    }
}

/// A file as the browser sent it: unchecked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Upload {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Upload {
    /// A file input left empty: browsers send a part without name and bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty() && self.file_name.as_deref().unwrap_or("").is_empty()
    }

    /// The type the browser claimed, unless it claimed nothing useful
    /// (`application/octet-stream` is "I don't know").
    pub fn claimed_type(&self) -> Option<String> {
        self.content_type
            .as_deref()
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty() && !c.starts_with("application/octet-stream"))
    }
}

/// Mebibytes for messages: 5242880 → "5", 1572864 → "1.5".
pub fn mib(bytes: u64) -> String {
    let m = bytes as f64 / (1024.0 * 1024.0);
    let s = format!("{m:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A file name safe to show and to offer for download: the last part of any path
/// (`/` or `\`), without control characters or `<>:"|?*`, no leading dots, at most
/// [`MAX_NAME_CHARS`] characters with the extension of what the file really is.
pub fn display_name(sent: Option<&str>, kind: FileType) -> String {
    let raw = sent.unwrap_or("");
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible(*c) && !"<>:\"|?*".contains(*c))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let stem = match cleaned.rfind('.') {
        Some(i) if i > 0 => &cleaned[..i],
        _ => cleaned,
    };
    let ext = kind.extension();
    let room = MAX_NAME_CHARS - ext.len();
    let stem: String = stem.chars().take(room).collect();
    let stem = stem.trim().trim_end_matches('.');
    if stem.is_empty() {
        format!("attachment{ext}")
    } else {
        format!("{stem}{ext}")
    }
}

/// Direction marks and zero-width characters, which can make `fdp.exe` look like
/// `exe.pdf`.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_signature_not_by_name() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(
            FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(FileType::Png)
        );
        assert_eq!(FileType::sniff(b"MZ\x90\0 an executable"), None);
        assert_eq!(FileType::sniff(b"<html>%PDF-"), None);
        assert_eq!(FileType::sniff(b""), None);
        assert_eq!(FileType::sniff(b"%PD"), None);
        assert_eq!(
            FileType::from_mime("Application/PDF; name=x"),
            Some(FileType::Pdf)
        );
        assert_eq!(FileType::from_mime("image/gif"), None);
    }

    #[test]
    fn display_names_lose_paths_and_tricks() {
        let pdf = FileType::Pdf;
        assert_eq!(display_name(Some("../../etc/passwd"), pdf), "passwd.pdf");
        assert_eq!(display_name(Some("C:\\x"), pdf), "x.pdf");
        assert_eq!(
            display_name(Some("C:\\Users\\a\\Meldebescheinigung.PDF"), pdf),
            "Meldebescheinigung.pdf"
        );
        assert_eq!(display_name(Some("a\0b.pdf"), pdf), "ab.pdf");
        assert_eq!(display_name(Some(".htaccess"), pdf), "htaccess.pdf");
        assert_eq!(display_name(Some("...."), pdf), "attachment.pdf");
        assert_eq!(display_name(None, FileType::Png), "attachment.png");
        assert_eq!(
            display_name(Some("<script>.jpg"), FileType::Jpeg),
            "script.jpg"
        );
        assert_eq!(
            display_name(Some("Foto vom Ausweis.exe"), FileType::Jpeg),
            "Foto vom Ausweis.jpg"
        );
        assert_eq!(
            display_name(Some("Straße\u{202e}fdp.exe"), pdf),
            "Straßefdp.pdf"
        );
        let long = display_name(Some(&"ä".repeat(5000)), pdf);
        assert_eq!(long.chars().count(), MAX_NAME_CHARS);
        assert!(long.ends_with(".pdf"));
    }

    #[test]
    fn sizes_read_as_mebibytes() {
        assert_eq!(mib(5 * 1024 * 1024), "5");
        assert_eq!(mib(1024 * 1024 * 3 / 2), "1.5");
    }
}
