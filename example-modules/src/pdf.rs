//! A one-page PDF of plain text (PDF 1.4, the standard Helvetica fonts, no library):
//! enough for a permit a resident prints and puts behind the windscreen. The Module API
//! takes documents as PDF, JPEG or PNG whose bytes are what they claim.

/// The page's lines: Latin-1 text (German umlauts and ß print; any other character
/// becomes `?`, as the standard fonts cannot show it).
pub fn text_pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let mut content = Vec::new();
    content.extend_from_slice(b"BT /F1 18 Tf 56 770 Td (");
    content.extend(escape(title));
    content.extend_from_slice(b") Tj ET\nBT /F2 11 Tf 56 736 Td 16 TL\n");
    for line in lines {
        content.push(b'(');
        content.extend(escape(line));
        content.extend_from_slice(b") Tj T*\n");
    }
    content.extend_from_slice(b"ET\n");

    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
            content,
            b"endstream".to_vec(),
        ]
        .concat(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        pdf.extend(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    // The cross-reference table: each object's byte offset, in 20-byte entries.
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for o in offsets {
        pdf.extend(format!("{o:010} 00000 n \n").into_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    pdf
}

/// A PDF string's bytes: WinAnsi (Latin-1 here), `\`, `(` and `)` escaped.
fn escape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            ' '..='~' => out.push(c as u8),
            // Latin-1 letters (ä, ö, ü, ß, é, ...) as octal escapes.
            '\u{a0}'..='\u{ff}' => out.extend(format!("\\{:03o}", c as u32).into_bytes()),
            '€' => out.extend_from_slice(b"\\200"),
            _ => out.push(b'?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_with_its_offsets_right() {
        let pdf = text_pdf(
            "Parkausweis (Bewohner)",
            &["Kennzeichen: S-AB 1234 – Zone Ost, Gebühr 30,70 €".into()],
        );
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(Parkausweis \\(Bewohner\\)) Tj"));
        assert!(text.contains("Geb\\374hr 30,70 \\200"), "{text}");
        // `startxref` points at the table, and each entry at its object.
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref\n"));
        let table = &text[start..];
        for (i, line) in table.lines().skip(3).take(6).enumerate() {
            let at: usize = line[..10].parse().unwrap();
            assert!(
                pdf[at..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "{line}"
            );
        }
    }
}
