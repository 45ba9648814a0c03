//! The literal reading of one profile file, line by line, by the rules the AWS SDKs
//! share (the Rust SDK's `env_config::parse` is the reference): comment lines, section
//! headers with trailing comments, `key = value` with ` #`/` ;` comments, continuation
//! lines, and sub-property blocks. Names are validated later, in `normalize`.

use std::fmt;
use std::path::{Path, PathBuf};

/// Only space and tab are whitespace to the SDKs' parsers.
pub const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// Trims spaces and tabs (a closure, not a char slice: this runs on every line).
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// One `[...]` section as written, with its properties in file order.
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

pub fn parse(contents: &str, path: &Path) -> Result<Vec<RawSection>, ParseError> {
    let mut sections: Vec<RawSection> = Vec::new();
    // Whether the last property read had an empty value, which makes the indented lines
    // that follow a sub-property block.
    let mut in_subproperties = false;
    let error = |line: usize, message: &str| ParseError {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    };

    for (index, line) in contents.lines().enumerate() {
        let number = index + 1;
        if trim(line).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with('[') {
            let text = strip_comment(line, false);
            let header = text
                .strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .ok_or_else(|| {
                    error(
                        number,
                        "a section header must end with ']' (for example [profile prod])",
                    )
                })?;
            sections.push(RawSection {
                header: trim(header).to_string(),
                line: number,
                properties: Vec::new(),
            });
            in_subproperties = false;
        } else if line.starts_with(WHITESPACE) {
            let Some(section) = sections.last_mut() else {
                return Err(error(
                    number,
                    "expected a section header such as [profile NAME] before this line",
                ));
            };
            let Some(property) = section.properties.last_mut() else {
                return Err(error(
                    number,
                    "an indented line continues a property, but no property came before it in this section",
                ));
            };
            if in_subproperties {
                split_property(line).map_err(|e| error(number, &e.describe("sub-property")))?;
            }
            property.value.push('\n');
            property.value.push_str(trim(line));
        } else {
            let Some(section) = sections.last_mut() else {
                return Err(error(
                    number,
                    "expected a section header such as [profile NAME] before the first setting",
                ));
            };
            let (key, value) =
                split_property(line).map_err(|e| error(number, &e.describe("property")))?;
            in_subproperties = value.is_empty();
            section.properties.push(RawProperty {
                key,
                value: value.to_string(),
                line: number,
            });
        }
    }
    Ok(sections)
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

fn split_property(line: &str) -> Result<(String, &str), PropertyError> {
    let line = strip_comment(line, true);
    let (key, value) = line.split_once('=').ok_or(PropertyError::NoEquals)?;
    let key = trim(key);
    if key.is_empty() {
        return Err(PropertyError::NoName);
    }
    Ok((key.to_ascii_lowercase(), trim(value)))
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
}
