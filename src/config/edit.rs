//! Changes to the user's AWS files that keep every other byte as it was: set or remove
//! keys in one section, remove a section, or replace a block that hat owns between two
//! marker lines. Sections are found the way the parser reads them (a line starting
//! with `[`), so comments, blank lines, order and line endings elsewhere survive. The
//! callers write the result with [`crate::fs::write`] (atomic, mode 0600).

/// One line with its ending, and what it is.
struct Line<'a> {
    text: &'a str,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `[header]`, normalised: trimmed, comment cut, inner whitespace collapsed.
    Header(String),
    /// `key = value` (key lowercased).
    Property(String),
    /// An indented line that continues the property before it.
    Continuation,
    /// Blank or comment lines.
    Other,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|text| Line {
            text,
            kind: classify(text),
        })
        .collect()
}

fn classify(line: &str) -> Kind {
    let body = line.trim_end_matches(['\n', '\r']);
    let trimmed = body.trim_matches([' ', '\t']);
    if trimmed.is_empty() || body.starts_with(['#', ';']) {
        return Kind::Other;
    }
    if body.starts_with('[') {
        let inner = body.split(['#', ';']).next().unwrap_or("").trim();
        let inner = inner.trim_start_matches('[').trim_end_matches(']');
        return Kind::Header(normalise(inner));
    }
    if body.starts_with([' ', '\t']) {
        return Kind::Continuation;
    }
    match body.split_once('=') {
        Some((key, _)) => Kind::Property(key.trim_matches([' ', '\t']).to_ascii_lowercase()),
        None => Kind::Other,
    }
}

/// `profile   dev ` → `profile dev`.
fn normalise(header: &str) -> String {
    header.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The line ending the file already uses.
fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Index ranges `[start, end)` of each occurrence of section `header` (header line
/// included), in file order.
fn sections(lines: &[Line<'_>], header: &str) -> Vec<(usize, usize)> {
    let wanted = normalise(header);
    let mut found = Vec::new();
    let mut current: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Kind::Header(h) = &line.kind {
            if let Some(start) = current.take() {
                found.push((start, i));
            }
            if *h == wanted {
                current = Some(i);
            }
        }
    }
    if let Some(start) = current {
        found.push((start, lines.len()));
    }
    found
}

/// The lines of the property starting at `i` (its continuation lines included).
fn property_end(lines: &[Line<'_>], i: usize) -> usize {
    let mut end = i + 1;
    while end < lines.len() && lines[end].kind == Kind::Continuation {
        end += 1;
    }
    end
}

/// Whether section `header` exists.
pub fn has_section(text: &str, header: &str) -> bool {
    !sections(&lines(text), header).is_empty()
}

/// Sets `key = value` for each pair in section `header`: the last definition of a key
/// is replaced in place; a new key goes after the section's last property; a missing
/// section is appended at the end of the file.
pub fn set_keys(text: &str, header: &str, pairs: &[(&str, &str)]) -> String {
    let nl = newline(text);
    let mut out: Vec<String> = lines(text).iter().map(|l| l.text.to_string()).collect();
    for (key, value) in pairs {
        let key = key.to_ascii_lowercase();
        let current: Vec<Line<'_>> = out
            .iter()
            .map(|t| Line {
                text: t,
                kind: classify(t),
            })
            .collect();
        let found = sections(&current, header);
        let new_line = format!("{key} = {value}{nl}");
        let Some(&(start, end)) = found.last() else {
            let mut text: String = out.concat();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push_str(nl);
            }
            if !text.is_empty() && !text.ends_with(&format!("{nl}{nl}")) {
                text.push_str(nl);
            }
            text.push_str(&format!("[{}]{nl}{new_line}", normalise(header)));
            out = lines(&text).iter().map(|l| l.text.to_string()).collect();
            continue;
        };
        let existing = found.iter().rev().find_map(|&(s, e)| {
            (s..e)
                .rev()
                .find(|&i| current[i].kind == Kind::Property(key.clone()))
        });
        match existing {
            Some(i) => {
                let stop = property_end(&current, i);
                out.splice(i..stop, [new_line]);
            }
            None => {
                // After the last property (or the header), before trailing blanks/comments.
                let at = (start + 1..end)
                    .rev()
                    .find(|&i| matches!(current[i].kind, Kind::Property(_) | Kind::Continuation))
                    .map_or(start + 1, |i| i + 1);
                if !out[at - 1].ends_with('\n') {
                    out[at - 1].push_str(nl);
                }
                out.insert(at, new_line);
            }
        }
    }
    out.concat()
}

/// Removes every definition of `keys` (with continuation lines) from every occurrence
/// of section `header`. Returns the new text and how many definitions went.
pub fn remove_keys(text: &str, header: &str, keys: &[&str]) -> (String, usize) {
    let all = lines(text);
    let found = sections(&all, header);
    let inside = |i: usize| found.iter().any(|&(s, e)| i > s && i < e);
    let mut keep = Vec::with_capacity(all.len());
    let mut removed = 0;
    let mut i = 0;
    while i < all.len() {
        if let Kind::Property(key) = &all[i].kind
            && inside(i)
            && keys.iter().any(|k| k.eq_ignore_ascii_case(key))
        {
            removed += 1;
            i = property_end(&all, i);
            continue;
        }
        keep.push(i);
        i += 1;
    }
    let text = keep.into_iter().map(|i| all[i].text).collect();
    (text, removed)
}

/// Removes every occurrence of section `header`, with the lines up to the next header.
pub fn remove_section(text: &str, header: &str) -> String {
    let all = lines(text);
    let found = sections(&all, header);
    all.iter()
        .enumerate()
        .filter(|(i, _)| !found.iter().any(|&(s, e)| *i >= s && *i < e))
        .map(|(_, l)| l.text)
        .collect()
}

/// The text between the lines `begin` and `end` (exclusive), if the block exists.
pub fn read_block<'a>(text: &'a str, begin: &str, end: &str) -> Option<&'a str> {
    let (start, stop) = block_range(text, begin, end)?;
    let inner_start = start
        + text[start..]
            .find('\n')
            .map_or(text.len() - start, |i| i + 1);
    Some(&text[inner_start.min(stop)..stop])
}

/// Replaces the block between the marker lines `begin` and `end` with `body` (which
/// should end with a newline), or appends a new block at the end of the file. An empty
/// `body` removes the block and its markers.
pub fn replace_block(text: &str, begin: &str, end: &str, body: &str) -> String {
    let nl = newline(text);
    let block = if body.is_empty() {
        String::new()
    } else {
        format!("{begin}{nl}{body}{end}{nl}")
    };
    match block_range(text, begin, end) {
        Some((start, stop)) => {
            let after = text[stop..].find('\n').map_or(text.len(), |i| stop + i + 1);
            let mut before = &text[..start];
            // Removing the last block: drop the blank line appending it added too, so
            // add-then-remove gives back the same bytes.
            if block.is_empty() && after == text.len() && before.ends_with(&format!("{nl}{nl}")) {
                before = &before[..before.len() - nl.len()];
            }
            format!("{before}{block}{}", &text[after..])
        }
        None if block.is_empty() => text.to_string(),
        None => {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(nl);
            }
            if !out.is_empty() && !out.ends_with(&format!("{nl}{nl}")) {
                out.push_str(nl);
            }
            out.push_str(&block);
            out
        }
    }
}

/// Byte offsets of the `begin` line's start and the `end` line's start.
fn block_range(text: &str, begin: &str, end: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if start.is_none() && bare == begin {
            start = Some(offset);
        } else if start.is_some() && bare == end {
            return Some((start?, offset));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# my config\n[default]\nregion = us-east-1\n\n[profile  dev] # dev\nregion = eu-west-1\nnote = a\n  continued\n\n; trailing comment\n[profile other]\nx = 1\n";

    #[test]
    fn set_keys_replaces_in_place_and_appends_new_keys_inside_the_section() {
        let out = set_keys(
            FILE,
            "profile dev",
            &[("region", "us-west-2"), ("new", "v")],
        );
        assert_eq!(
            out,
            "# my config\n[default]\nregion = us-east-1\n\n[profile  dev] # dev\nregion = us-west-2\nnote = a\n  continued\nnew = v\n\n; trailing comment\n[profile other]\nx = 1\n"
        );
        // Replacing a property with continuation lines drops them too.
        let out = set_keys(FILE, "profile dev", &[("note", "b")]);
        assert!(out.contains("note = b\n\n; trailing"), "{out}");
    }

    #[test]
    fn set_keys_appends_a_missing_section() {
        let out = set_keys("[a]\nx = 1", "b", &[("k", "v")]);
        assert_eq!(out, "[a]\nx = 1\n\n[b]\nk = v\n");
        assert_eq!(set_keys("", "b", &[("k", "v")]), "[b]\nk = v\n");
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let out = set_keys("[a]\r\nx = 1\r\n", "a", &[("y", "2")]);
        assert_eq!(out, "[a]\r\nx = 1\r\ny = 2\r\n");
    }

    #[test]
    fn remove_keys_takes_every_definition_and_nothing_else() {
        let text = "[w]\naws_access_key_id = A\n# keep\naws_secret_access_key = S\nregion = r\n[x]\naws_access_key_id = B\n[w]\naws_access_key_id = C\n";
        let (out, n) = remove_keys(text, "w", &["aws_access_key_id", "aws_secret_access_key"]);
        assert_eq!(n, 3);
        assert_eq!(
            out,
            "[w]\n# keep\nregion = r\n[x]\naws_access_key_id = B\n[w]\n"
        );
    }

    #[test]
    fn remove_section_keeps_the_rest() {
        assert_eq!(
            remove_section(FILE, "profile dev"),
            "# my config\n[default]\nregion = us-east-1\n\n[profile other]\nx = 1\n"
        );
        assert!(has_section(FILE, "profile   dev"));
        assert!(!has_section(FILE, "profile nope"));
    }

    #[test]
    fn blocks_are_replaced_appended_and_removed() {
        let (b, e) = ("# BEGIN hat", "# END hat");
        let first = replace_block("[default]\nx = 1\n", b, e, "[profile g]\nk = v\n");
        assert_eq!(
            first,
            "[default]\nx = 1\n\n# BEGIN hat\n[profile g]\nk = v\n# END hat\n"
        );
        assert_eq!(read_block(&first, b, e), Some("[profile g]\nk = v\n"));
        let with_tail = format!("{first}[profile mine]\ny = 2\n");
        let second = replace_block(&with_tail, b, e, "[profile h]\nk = w\n");
        assert_eq!(
            second,
            "[default]\nx = 1\n\n# BEGIN hat\n[profile h]\nk = w\n# END hat\n[profile mine]\ny = 2\n"
        );
        assert_eq!(replace_block(&second, b, e, "[profile h]\nk = w\n"), second);
        assert_eq!(
            replace_block(&second, b, e, ""),
            "[default]\nx = 1\n\n[profile mine]\ny = 2\n"
        );
        // Appended then removed: the same bytes as before.
        assert_eq!(replace_block(&first, b, e, ""), "[default]\nx = 1\n");
    }
}
