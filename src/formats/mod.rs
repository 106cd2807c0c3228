//! Reading input files into text: encodings, byte-order marks, binary detection and size limits.
//! Plain text only for now; every reader reports problems naming the file.

use std::path::Path;

use crate::error::{Error, Result};

/// Default `--max-input-bytes`: generous for an article or a catalogue, small enough that a stray
/// log file or dump is refused before minutes of embedding.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 10 * 1024 * 1024;

/// Reads `path` as text: skips a UTF-8 BOM, decodes UTF-16 with a BOM, refuses directories, empty,
/// binary, oversized and invalid UTF-8 files with a message saying what is wrong.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|e| Error::input(path, io_message(&e)))?;
    if meta.is_dir() {
        return Err(Error::input(path, "is a directory, not a text file"));
    }
    if meta.len() > max_bytes {
        return Err(Error::input(
            path,
            format!(
                "is {} bytes, over the limit of {max_bytes} bytes (raise it with --max-input-bytes)",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, io_message(&e)))?;
    let text = decode(&bytes).map_err(|msg| Error::input(path, msg))?;
    if text.trim().is_empty() {
        return Err(Error::input(path, "is empty (no text to check)"));
    }
    Ok(text)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Decodes file bytes to text; the error says what kind of data it is instead.
pub fn decode(bytes: &[u8]) -> std::result::Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    if bytes.contains(&0) {
        return Err("looks like a binary file (it contains NUL bytes); expected UTF-8 text".into());
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> std::result::Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "is not valid UTF-8 (byte {} on line {line}); convert it first, e.g. `iconv -f WINDOWS-1252 -t UTF-8`",
            e.valid_up_to()
        )
    })?;
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 20 > text.chars().count().max(1) {
        return Err("looks like a binary file (many control characters); expected text".into());
    }
    Ok(text.to_string())
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> std::result::Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("is not valid UTF-16 (odd number of bytes)".into());
    }
    let units = bytes.chunks_exact(2).map(|b| unit([b[0], b[1]]));
    char::decode_utf16(units)
        .collect::<std::result::Result<String, _>>()
        .map_err(|e| format!("is not valid UTF-16 ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_bom_is_decoded_both_byte_orders() {
        let s = "Grüße, مرحبا";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap(), s);
        assert_eq!(decode(&be).unwrap(), s);
    }

    #[test]
    fn utf8_bom_is_skipped() {
        assert_eq!(decode(b"\xEF\xBB\xBFHello.").unwrap(), "Hello.");
    }

    #[test]
    fn latin1_bytes_name_the_line() {
        let err = decode(b"ok\nna\xefve\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("UTF-8"), "{err}");
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(decode(b"\x7fELF\x02\x01\x01\x00\x00")
            .unwrap_err()
            .contains("binary"));
    }
}
