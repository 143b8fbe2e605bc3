//! A report's photo is shown publicly, so what a camera or phone writes into the file
//! beside the picture goes before it is stored: the EXIF block (the place it was taken
//! to a few metres, the time, the device's serial number), XMP and IPTC (names,
//! comments) and text chunks. The picture itself is kept byte for byte.

use crate::applications::upload::FileType;

/// The picture without its metadata; `None` when the file is not a well-formed JPEG or
/// PNG as far as its structure goes.
pub fn strip_metadata(kind: FileType, bytes: &[u8]) -> Option<Vec<u8>> {
    match kind {
        FileType::Jpeg => strip_jpeg(bytes),
        FileType::Png => strip_png(bytes),
        FileType::Pdf => None,
    }
}

/// JPEG: every segment but APP1 (EXIF, XMP), APP3 to APP15 (IPTC and makers' blocks)
/// and comments, up to the scan, and the scan as it is. APP0 (JFIF) and APP2 (the
/// colour profile) stay.
fn strip_jpeg(b: &[u8]) -> Option<Vec<u8>> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    loop {
        if i >= b.len() || b[i] != 0xFF {
            return None;
        }
        // Fill bytes before a marker.
        while i + 1 < b.len() && b[i + 1] == 0xFF {
            i += 1;
        }
        let marker = *b.get(i + 1)?;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&b[i..i + 2]);
                i += 2;
            }
            _ => {
                let len = u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]) as usize;
                if len < 2 {
                    return None;
                }
                let end = i + 2 + len;
                if end > b.len() {
                    return None;
                }
                if marker == 0xDA {
                    // The scan: entropy-coded data to the end of the file.
                    out.extend_from_slice(&b[i..]);
                    return Some(out);
                }
                let metadata = marker == 0xE1 || (0xE3..=0xEF).contains(&marker) || marker == 0xFE;
                if !metadata {
                    out.extend_from_slice(&b[i..end]);
                }
                i = end;
            }
        }
    }
}

/// PNG: every chunk but `eXIf`, `tEXt`, `zTXt`, `iTXt` and `tIME`, up to `IEND`.
fn strip_png(b: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if !b.starts_with(&SIGNATURE) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&SIGNATURE);
    let mut i = 8;
    loop {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind = b.get(i + 4..i + 8)?;
        let end = i.checked_add(12)?.checked_add(len)?;
        if end > b.len() {
            return None;
        }
        let metadata = matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME");
        if !metadata {
            out.extend_from_slice(&b[i..end]);
        }
        if kind == b"IEND" {
            return Some(out);
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(data);
        s
    }

    #[test]
    fn jpeg_loses_exif_xmp_iptc_and_comments_and_keeps_the_picture() {
        let jfif = segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let icc = segment(0xE2, b"ICC_PROFILE\0colours");
        let dqt = segment(0xDB, &[0; 65]);
        let scan = [
            segment(0xDA, &[1, 1, 0, 0, 63, 0]),
            vec![0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9],
        ]
        .concat();
        let mut file = vec![0xFF, 0xD8];
        file.extend(&jfif);
        file.extend(segment(0xE1, b"Exif\0\0GPS 60.1699N 24.9384E serial 4711"));
        file.extend(&icc);
        file.extend(segment(0xED, b"Photoshop 3.0\0IPTC by Maija"));
        file.extend(segment(0xFE, b"taken by Maija"));
        file.extend(&dqt);
        file.extend(&scan);
        let out = strip_metadata(FileType::Jpeg, &file).unwrap();
        let expected = [vec![0xFF, 0xD8], jfif, icc, dqt, scan].concat();
        assert_eq!(out, expected);
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("GPS") && !text.contains("Maija"));
        // Broken files are refused, not passed on.
        assert_eq!(
            strip_metadata(FileType::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF]),
            None
        );
        assert_eq!(strip_metadata(FileType::Jpeg, &[0xFF, 0xD8, 0x00]), None);
        assert_eq!(strip_metadata(FileType::Jpeg, b"GIF89a"), None);
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    #[test]
    fn png_loses_text_exif_and_time_chunks() {
        let sig = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        let ihdr = chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
        let idat = chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0, 1]);
        let iend = chunk(b"IEND", &[]);
        let file = [
            sig.clone(),
            ihdr.clone(),
            chunk(b"tEXt", b"Author\0Maija"),
            chunk(b"eXIf", b"MM\0*GPS"),
            chunk(b"tIME", &[7, 234, 12, 7, 9, 0, 0]),
            idat.clone(),
            iend.clone(),
            b"trailing".to_vec(),
        ]
        .concat();
        let out = strip_metadata(FileType::Png, &file).unwrap();
        assert_eq!(out, [sig.clone(), ihdr, idat, iend].concat());
        let mut cut = file.clone();
        cut.truncate(40);
        assert_eq!(strip_metadata(FileType::Png, &cut), None);
        let huge_len = [sig, vec![0xFF, 0xFF, 0xFF, 0xFF], b"IDAT".to_vec()].concat();
        assert_eq!(strip_metadata(FileType::Png, &huge_len), None);
    }
}
