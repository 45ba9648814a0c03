//! The literal reading of one profile file, line by line, by the rules the AWS SDKs
//! share (the Rust SDK's `env_config::parse` is the reference): comment lines, section
//! headers with trailing comments, `key = value` with ` #`/` ;` comments, continuation
//! lines, and sub-property blocks. Names are checked later, when
//! [`crate::config`] indexes the sections.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Trims spaces and tabs, the only whitespace to the SDKs' parsers (this runs on
/// every line).
pub fn trim(s: &str) -> &str {
    // Bytewise: space and tab are ASCII, and no byte of a multi-byte character is.
    let bytes = s.as_bytes();
    let start = bytes
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| *b != b' ' && *b != b'\t')
        .map_or(start, |i| i + 1);
    &s[start..end]
}

/// One `[...]` section as written, with its properties in file order.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    /// The text between the brackets, trimmed (`profile dev`, `default`, `sso-session x`).
    pub header: String,
    pub line: usize,
    pub properties: Vec<RawProperty>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawProperty {
    /// Lowercased, as every SDK treats keys case-insensitively.
    pub key: String,
    /// The value; continuation lines are joined with `\n`. A sub-property block keeps its
    /// raw text (it starts with `\n`).
    pub value: String,
    pub line: usize,
}

/// A syntax error with the file and line it was found on. The offending line's text is
/// deliberately not repeated: a malformed line may hold a secret key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, line {}: {}",
            self.path.display(),
            self.line,
            self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Reads a whole file into sections with their properties. The fast path ([`scan`] plus
/// [`properties`] for the sections a command touches) gives the same answer.
#[cfg(test)]
pub fn parse(contents: &str, path: &Path) -> Result<Vec<RawSection>, ParseError> {
    let (sections, _) = scan(contents, path)?;
    Ok(sections
        .into_iter()
        .map(|(header, s)| RawSection {
            header,
            line: s.line as usize,
            properties: properties(contents, s.body(), s.line as usize + 1),
        })
        .collect())
}

/// One `[...]` section as found by [`Scanner`]: byte offsets into the file, kept small
/// (u32) because a large organisation's file has tens of thousands of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionSpan {
    /// The header's line number; the body starts on the next line.
    pub line: u32,
    /// From the line after the header to the next header (or the end).
    pub body: (u32, u32),
}

impl SectionSpan {
    pub fn body(&self) -> Range<usize> {
        self.body.0 as usize..self.body.1 as usize
    }
}

/// Files larger than this are refused (offsets are kept as u32).
pub const MAX_LEN: usize = u32::MAX as usize;

/// What the scan reports, in file order.
pub enum Found<'a> {
    /// A section header: its trimmed text, and where it is. `body.1` is not known yet:
    /// it is the offset where the next section's header line starts (`line_start`), or
    /// the end of the file.
    Section {
        header: &'a str,
        span: SectionSpan,
        line_start: u32,
    },
    /// A key that is not a valid name, in the last section reported (lowercased).
    BadKey { line: usize, key: String },
}

/// Lines of `contents[range]` with their line numbers, split as `str::lines` splits.
struct Lines<'a> {
    text: &'a str,
    at: usize,
    end: usize,
    number: usize,
}

impl<'a> Iterator for Lines<'a> {
    /// (line number, offset of the line's start, the line without its ending)
    type Item = (usize, usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.end {
            return None;
        }
        let start = self.at;
        let rest = &self.text.as_bytes()[start..self.end];
        let line = match find_byte(b'\n', rest) {
            Some(n) => {
                self.at = start + n + 1;
                // Byte tests, not `char` patterns: std searches a `char` with a memcmp
                // call per candidate, which showed up at 300,000 lines.
                let end = if n > 0 && rest[n - 1] == b'\r' {
                    n - 1
                } else {
                    n
                };
                &self.text[start..start + end]
            }
            None => {
                self.at = self.end;
                &self.text[start..self.end]
            }
        };
        let number = self.number;
        self.number += 1;
        Some((number, start, line))
    }
}

/// The first `needle` in `hay`, eight bytes at a time. Not the memchr crate: its first
/// call asks the CPU for its features (CPUID), which costs 0.3 ms in a virtual machine,
/// as much as the whole rest of a cached assume.
pub fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let pattern = LOW * needle as u64;
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ pattern;
        // A zero byte in `word` is a match; this sets its high bit (and maybe later ones).
        let found = word.wrapping_sub(LOW) & !word & HIGH;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|b| *b == needle)
        .map(|i| at + i)
}

fn is_blank_or_comment(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(b'#' | b';') => true,
        _ => line.bytes().all(|b| b == b' ' || b == b'\t'),
    }
}

fn starts_with_byte(line: &str, byte: u8) -> bool {
    line.as_bytes().first() == Some(&byte)
}

fn starts_with_whitespace(line: &str) -> bool {
    matches!(line.as_bytes().first(), Some(b' ' | b'\t'))
}

/// Checks a file's syntax by the SDKs' rules and reports where each section is, without
/// copying any value, fed whole lines a piece at a time: the parse every command pays
/// for, however large the file, in little memory.
pub struct Scanner<'p> {
    path: &'p Path,
    /// The number of the next line to be fed.
    line: usize,
    /// The offset in the file of the next byte to be fed.
    offset: usize,
    has_section: bool,
    /// Whether the current section has a property yet (an indented line needs one).
    has_property: bool,
    /// Whether the last property read had an empty value, which makes the indented
    /// lines that follow a sub-property block.
    in_subproperties: bool,
}

impl<'p> Scanner<'p> {
    pub fn new(path: &'p Path) -> Self {
        Scanner {
            path,
            line: 1,
            offset: 0,
            has_section: false,
            has_property: false,
            in_subproperties: false,
        }
    }

    fn error(&self, line: usize, message: &str) -> ParseError {
        ParseError {
            path: self.path.to_path_buf(),
            line,
            message: message.to_string(),
        }
    }

    /// Scans `text`, the file's next bytes, which must end at a line's end (or at the
    /// end of the file).
    pub fn feed(
        &mut self,
        text: &str,
        found: &mut impl FnMut(Found<'_>),
    ) -> Result<(), ParseError> {
        if self.offset + text.len() > MAX_LEN {
            return Err(self.error(self.line, "the file is larger than 4 GiB"));
        }
        let lines = Lines {
            text,
            at: 0,
            end: text.len(),
            number: self.line,
        };
        let base = self.offset;
        for (number, start, line) in lines {
            self.line = number + 1;
            if is_blank_or_comment(line) {
                continue;
            }
            if starts_with_byte(line, b'[') {
                let stripped = strip_comment(line, false);
                let header = (stripped.len() >= 2
                    && stripped.as_bytes()[stripped.len() - 1] == b']')
                    .then(|| &stripped[1..stripped.len() - 1])
                    .ok_or_else(|| {
                        self.error(
                            number,
                            "a section header must end with ']' (for example [profile prod])",
                        )
                    })?;
                let body_start = base + next_line_start(text, start + line.len());
                found(Found::Section {
                    header: trim(header),
                    span: SectionSpan {
                        line: number as u32,
                        body: (body_start as u32, body_start as u32),
                    },
                    line_start: (base + start) as u32,
                });
                self.has_section = true;
                self.in_subproperties = false;
                self.has_property = false;
            } else if starts_with_whitespace(line) {
                if !self.has_section {
                    return Err(self.error(
                        number,
                        "expected a section header such as [profile NAME] before this line",
                    ));
                }
                if !self.has_property {
                    return Err(self.error(
                        number,
                        "an indented line continues a property, but no property came before it in this section",
                    ));
                }
                if self.in_subproperties {
                    split_property(line)
                        .map_err(|e| self.error(number, &e.describe("sub-property")))?;
                }
            } else {
                if !self.has_section {
                    return Err(self.error(
                        number,
                        "expected a section header such as [profile NAME] before the first setting",
                    ));
                }
                let (key, value) = match quick_property(line) {
                    Some(found) => found,
                    None => split_property(line)
                        .map_err(|e| self.error(number, &e.describe("property")))?,
                };
                self.in_subproperties = value.is_empty();
                self.has_property = true;
                if !super::is_identifier(key) {
                    found(Found::BadKey {
                        line: number,
                        key: key.to_ascii_lowercase(),
                    });
                }
            }
        }
        self.offset += text.len();
        Ok(())
    }
}

/// Sections (header, place) and bad keys (section index, line, key).
#[cfg(test)]
type Scanned = (Vec<(String, SectionSpan)>, Vec<(usize, usize, String)>);

/// A whole text's sections (body ends filled in) and bad keys (with the index of their
/// section), for tests and small inputs.
#[cfg(test)]
pub fn scan(contents: &str, path: &Path) -> Result<Scanned, ParseError> {
    let mut sections: Vec<(String, SectionSpan)> = Vec::new();
    let mut bad = Vec::new();
    Scanner::new(path).feed(contents, &mut |found| match found {
        Found::Section {
            header,
            span,
            line_start,
        } => {
            if let Some((_, last)) = sections.last_mut() {
                last.body.1 = line_start;
            }
            sections.push((header.to_string(), span));
        }
        Found::BadKey { line, key } => bad.push((sections.len() - 1, line, key)),
    })?;
    if let Some((_, last)) = sections.last_mut() {
        last.body.1 = contents.len() as u32;
    }
    Ok((sections, bad))
}

fn next_line_start(contents: &str, line_end: usize) -> usize {
    match find_byte(b'\n', &contents.as_bytes()[line_end..]) {
        Some(n) => line_end + n + 1,
        None => contents.len(),
    }
}

/// The properties of one section whose body [`scan`] found (and so already checked),
/// in file order.
pub fn properties(contents: &str, body: Range<usize>, first_line: usize) -> Vec<RawProperty> {
    let mut properties: Vec<RawProperty> = Vec::new();
    let lines = Lines {
        text: contents,
        at: body.start,
        end: body.end,
        number: first_line,
    };
    for (number, _, line) in lines {
        if is_blank_or_comment(line) {
            continue;
        }
        if starts_with_whitespace(line) {
            if let Some(property) = properties.last_mut() {
                property.value.push('\n');
                property.value.push_str(trim(line));
            }
        } else if let Ok((key, value)) = split_property(line) {
            properties.push(RawProperty {
                key: key.to_ascii_lowercase(),
                value: value.to_string(),
                line: number,
            });
        }
    }
    properties
}

/// The value of `key` in one section's body, the last one written winning, without
/// copying unless it spans lines. For listing many profiles cheaply.
pub fn value<'a>(
    contents: &'a str,
    body: Range<usize>,
    key: &str,
) -> Option<std::borrow::Cow<'a, str>> {
    let mut found: Option<std::borrow::Cow<'a, str>> = None;
    let mut continuing = false;
    let lines = Lines {
        text: contents,
        at: body.start,
        end: body.end,
        number: 0,
    };
    for (_, _, line) in lines {
        if is_blank_or_comment(line) {
            continue;
        }
        if starts_with_whitespace(line) {
            if continuing && let Some(value) = found.as_mut() {
                let value = value.to_mut();
                value.push('\n');
                value.push_str(trim(line));
            }
        } else if let Ok((k, v)) = split_property(line) {
            continuing = k.eq_ignore_ascii_case(key);
            if continuing {
                found = Some(std::borrow::Cow::Borrowed(v));
            }
        }
    }
    found
}

enum PropertyError {
    NoEquals,
    NoName,
}

impl PropertyError {
    fn describe(&self, what: &str) -> String {
        match self {
            PropertyError::NoEquals => {
                format!("expected an '=' sign defining a {what} (key = value)")
            }
            PropertyError::NoName => format!("a {what} has no name before its '='"),
        }
    }
}

/// The common `key = value` line (no comment character, a key before the `=`) read in
/// one pass over its bytes; `None` sends everything else to [`split_property`], which
/// gives the same answer for the lines this accepts.
fn quick_property(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    let mut equals = None;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'#' | b';' => return None,
            b'=' if equals.is_none() => equals = Some(i),
            _ => {}
        }
    }
    let equals = equals?;
    let key = trim(&line[..equals]);
    if key.is_empty() {
        return None;
    }
    Some((key, trim(&line[equals + 1..])))
}

/// `key = value` → (key as written, value), both trimmed, the comment cut.
fn split_property(line: &str) -> Result<(&str, &str), PropertyError> {
    let line = strip_comment(line, true);
    let equals = find_byte(b'=', line.as_bytes()).ok_or(PropertyError::NoEquals)?;
    let (key, value) = (&line[..equals], &line[equals + 1..]);
    let key = trim(key);
    if key.is_empty() {
        return Err(PropertyError::NoName);
    }
    Ok((key, trim(value)))
}

/// Trims the line and cuts a trailing comment. In property lines a comment character
/// only starts a comment after whitespace (`key = a#b` keeps `a#b`); in headers always.
fn strip_comment(line: &str, needs_whitespace: bool) -> &str {
    let line = trim(line);
    let mut from = 0;
    // Comment characters are ASCII, so byte offsets found here are char boundaries.
    while let Some(offset) = line.as_bytes()[from..]
        .iter()
        .position(|b| *b == b'#' || *b == b';')
    {
        let index = from + offset;
        let after_space = line[..index]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace);
        if after_space || !needs_whitespace {
            return trim(&line[..index]);
        }
        from = index + 1;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Vec<RawSection> {
        parse(text, Path::new("cfg")).expect("parses")
    }

    fn parse_err(text: &str) -> ParseError {
        parse(text, Path::new("cfg")).expect_err("must not parse")
    }

    fn props(section: &RawSection) -> Vec<(&str, &str)> {
        section
            .properties
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
            .collect()
    }

    #[test]
    fn comments_whitespace_and_case() {
        let s = parse_ok(
            "# top\n; also\n[profile a] # note\nRegion = us-east-1 # c\nx=a#b\ny = ;\n\n\tz = 1",
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].header, "profile a");
        assert_eq!(s[0].line, 3);
        assert_eq!(
            props(&s[0]),
            [("region", "us-east-1"), ("x", "a#b"), ("y", "\nz = 1")]
        );
    }

    #[test]
    fn continuation_lines_join_with_newlines() {
        let s = parse_ok("[default]\nregion = us-\n  west-2\n");
        assert_eq!(props(&s[0]), [("region", "us-\nwest-2")]);
    }

    #[test]
    fn subproperty_block_keeps_raw_text_and_is_validated() {
        let s = parse_ok("[services x]\ns3 =\n  endpoint_url = http://a\n  max = 2\n");
        assert_eq!(props(&s[0]), [("s3", "\nendpoint_url = http://a\nmax = 2")]);
        let e = parse_err("[services x]\ns3 =\n  not a property\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("sub-property"), "{}", e.message);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse_err("key = v").line, 1);
        assert_eq!(parse_err("\n[default\nk=v").line, 2);
        assert_eq!(parse_err("[default]\nk=v\njunk").line, 3);
        assert_eq!(parse_err("[default]\n = v").line, 2);
        assert_eq!(parse_err("[default]\n  orphan").line, 2);
        assert_eq!(parse_err("  orphan").line, 1);
        let e = parse_err("[a]\n\n\nsecret-without-equals");
        assert_eq!(
            e.to_string(),
            "cfg, line 4: expected an '=' sign defining a property (key = value)"
        );
    }

    #[test]
    fn header_comments_need_no_whitespace_and_crlf_is_fine() {
        let s = parse_ok("[ profile b ];c\r\nk = v\r\n");
        assert_eq!(s[0].header, "profile b");
        assert_eq!(props(&s[0]), [("k", "v")]);
    }

    #[test]
    fn comment_characters_need_whitespace_before_them_in_values() {
        let s = parse_ok(
            "[a]\nk = x#y;z # gone\nu = a\u{a0}#nbsp counts as whitespace\nt = ;all comment\n",
        );
        assert_eq!(props(&s[0]), [("k", "x#y;z"), ("u", "a\u{a0}"), ("t", "")]);
    }

    #[test]
    fn values_may_contain_equals_signs() {
        let s = parse_ok("[default]\nk = a=b==\n");
        assert_eq!(props(&s[0]), [("k", "a=b==")]);
    }

    #[test]
    fn the_quick_property_reading_agrees_with_the_full_one() {
        for line in [
            "k = v",
            "  k=v  ",
            "k =",
            "k = a=b",
            "K\t=\tV",
            "k = a#b",
            "k ;= v",
            "= v",
            "kv",
            "k = \u{a0}x",
        ] {
            if let Some(quick) = quick_property(line) {
                assert_eq!(Some(quick), split_property(line).ok(), "{line:?}");
            }
        }
        assert_eq!(quick_property("k = a#b"), None);
        assert_eq!(quick_property("= v"), None);
    }

    #[test]
    fn find_byte_finds_the_first_match_anywhere() {
        let hay: Vec<u8> = (0..40u8).map(|i| b'a' + i % 20).collect();
        for needle in [b'a', b'b', b'h', b'i', b't', b'z', 0x80, 0xff] {
            assert_eq!(
                find_byte(needle, &hay),
                hay.iter().position(|b| *b == needle),
                "{needle}"
            );
        }
        for len in 0..20 {
            let mut hay = vec![b'x'; len];
            assert_eq!(find_byte(b'\n', &hay), None);
            if len > 0 {
                hay[len - 1] = b'\n';
                assert_eq!(find_byte(b'\n', &hay), Some(len - 1));
            }
        }
        assert_eq!(find_byte(0x01, &[0x00, 0x01, 0x00]), Some(1));
    }
}
