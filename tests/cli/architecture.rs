//! The module map in docs/architecture.md, checked: every `crate::` and `super::` path
//! under src/ (outside `#[cfg(test)]` items) is an edge between modules, and the
//! edges must keep commands leaves (no cmd module imports another, nothing outside
//! cmd/ imports cmd) and the top-level modules free of cycles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path below the crate root: `["cmd", "assume"]`, `["chain"]`.
type Module = Vec<String>;

#[test]
fn commands_are_leaves_and_modules_have_no_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = module_edges(&src);
    assert!(
        edges.len() > 50,
        "the scan of src/ found almost no imports: {edges:?}"
    );

    let mut wrong = Vec::new();
    for (from, to, file) in &edges {
        let from_cmd = from.first().is_some_and(|m| m == "cmd");
        let to_cmd = to.first().is_some_and(|m| m == "cmd");
        if to_cmd && !from_cmd {
            wrong.push(format!(
                "{file}: {} imports {} (nothing outside cmd/ may import a command)",
                from.join("::"),
                to.join("::")
            ));
        }
        if from_cmd && to_cmd && from.get(1) != to.get(1) && to.len() > 1 && from.len() > 1 {
            wrong.push(format!(
                "{file}: {} imports {} (commands are leaves: move what they share down)",
                from.join("::"),
                to.join("::")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let graph = top_level_graph(&edges);
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "an import cycle among src/ modules: {} (docs/architecture.md shows the direction of imports)",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn the_scan_sees_groups_super_and_skips_tests_and_comments() {
    let text = r#"
        //! [`crate::cmd::list`] in a doc is not an import
        use crate::{chain::{self, Chain}, log, net::client as c};
        use super::sibling::Thing;
        fn f() { let s = "crate::picker"; crate::emit::render(); }
        mod inner { use super::super::up; }
        #[cfg(test)]
        mod tests { use crate::cmd::assume; }
        #[cfg(test)]
        fn helper() { crate::keys::x(); }
        fn after() -> char { let _ = 'a'; crate::tty::ask() }
    "#;
    let module: Module = vec!["sso".into(), "config".into()];
    let found: BTreeSet<String> = references(text, &module)
        .into_iter()
        .map(|m| m.join("::"))
        .collect();
    let want: BTreeSet<String> = [
        "chain",
        "chain::Chain",
        "log",
        "net::client",
        "sso::sibling",
        "emit::render",
        "sso::up",
        "tty::ask",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(found, want);
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into();
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "a"]);
}

/// (from, to, file) for every reference in src/ except the binary's main.rs, each module
/// cut to two segments (enough to tell one command from another).
fn module_edges(src: &Path) -> Vec<(Module, Module, String)> {
    let mut edges = Vec::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        if relative == Path::new("main.rs") {
            continue;
        }
        let module = module_of(relative);
        let text = std::fs::read_to_string(&file).unwrap();
        for to in references(&text, &module) {
            edges.push((module.clone(), to, format!("src/{}", relative.display())));
        }
    }
    edges
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// `lib.rs` → [], `chain.rs` → [chain], `cmd/mod.rs` → [cmd], `cmd/assume.rs` →
/// [cmd, assume].
fn module_of(relative: &Path) -> Module {
    let mut parts: Module = relative
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The modules `text` (the source of `module`) refers to through `crate::` and
/// `super::` paths, cut to two segments; comments, strings and `#[cfg(test)]` items
/// do not count.
fn references(text: &str, module: &Module) -> Vec<Module> {
    let tokens = tokens(text);
    let mut out = Vec::new();
    // The module each open brace belongs to: inline `mod x { .. }` blocks nest.
    let mut scopes: Vec<(usize, Module)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let current = |scopes: &Vec<(usize, Module)>| {
        scopes
            .last()
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| module.clone())
    };
    while i < tokens.len() {
        let t = tokens[i].as_str();
        match t {
            "#" if tokens.get(i + 1).is_some_and(|t| t == "[")
                && tokens.get(i + 2).is_some_and(|t| t == "cfg")
                && tokens.get(i + 3).is_some_and(|t| t == "(")
                && tokens.get(i + 4).is_some_and(|t| t == "test")
                && tokens.get(i + 5).is_some_and(|t| t == ")") =>
            {
                i = skip_item(&tokens, i + 7);
                continue;
            }
            "mod" if tokens.get(i + 2).is_some_and(|t| t == "{") => {
                let mut inner = current(&scopes);
                inner.push(tokens[i + 1].clone());
                depth += 1;
                scopes.push((depth, inner));
                i += 3;
                continue;
            }
            "{" => depth += 1,
            "}" => {
                if scopes.last().is_some_and(|(d, _)| *d == depth) {
                    scopes.pop();
                }
                depth = depth.saturating_sub(1);
            }
            "crate" | "super"
                if tokens.get(i + 1).is_some_and(|t| t == "::")
                    && (i == 0 || tokens[i - 1] != "::") =>
            {
                let mut base = if t == "crate" {
                    Vec::new()
                } else {
                    let mut m = current(&scopes);
                    m.pop();
                    m
                };
                let mut j = i + 2;
                while tokens.get(j).is_some_and(|t| t == "super")
                    && tokens.get(j + 1).is_some_and(|t| t == "::")
                {
                    base.pop();
                    j += 2;
                }
                let mut paths = Vec::new();
                j = use_tree(&tokens, j, base, &mut paths);
                for mut path in paths {
                    path.truncate(2);
                    if !path.is_empty() && &path != module {
                        out.push(path);
                    }
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads `a::b`, `{a, b::{c, d}}`, `a as b`, `*` from `i`; pushes each whole path.
fn use_tree(tokens: &[String], mut i: usize, prefix: Module, out: &mut Vec<Module>) -> usize {
    match tokens.get(i).map(String::as_str) {
        Some("{") => {
            i += 1;
            loop {
                match tokens.get(i).map(String::as_str) {
                    None => return i,
                    Some("}") => return i + 1,
                    Some(",") => i += 1,
                    // `a as b`: the alias is no path.
                    Some("as") => i += 2,
                    Some(_) => i = use_tree(tokens, i, prefix.clone(), out),
                }
            }
        }
        Some("self") => {
            out.push(prefix);
            i + 1
        }
        Some(word) if is_ident(word) => {
            let mut path = prefix;
            path.push(word.to_string());
            if tokens.get(i + 1).is_some_and(|t| t == "::")
                && tokens
                    .get(i + 2)
                    .is_some_and(|t| t == "{" || t == "*" || is_ident(t))
            {
                return use_tree(tokens, i + 2, path, out);
            }
            out.push(path);
            i + 1
        }
        _ => {
            out.push(prefix);
            i
        }
    }
}

/// Past the item that starts at `i` (after its attributes): to its `;` or to the end of
/// its braces, whichever comes first.
fn skip_item(tokens: &[String], mut i: usize) -> usize {
    while tokens.get(i).is_some_and(|t| t == "#") {
        let mut depth = 0;
        i += 1;
        while let Some(t) = tokens.get(i) {
            i += 1;
            match t.as_str() {
                "[" => depth += 1,
                "]" => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    let mut depth = 0;
    while let Some(t) = tokens.get(i) {
        i += 1;
        match t.as_str() {
            ";" if depth == 0 => return i,
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    i
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Identifiers, `::` and single punctuation; comments, strings and character
/// literals are dropped (so braces and paths inside them do not count).
fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && matches!(next, Some('"' | '#')) && raw_string_end(&chars, i).is_some()
        {
            i = raw_string_end(&chars, i).unwrap();
        } else if c == '"' || (c == 'b' && next == Some('"')) {
            i += if c == 'b' { 2 } else { 1 };
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' {
            // A character literal ('a', '\n', '\'') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if is_ident(&c.to_string()) {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && next == Some(':') {
            out.push("::".into());
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// Where the raw string `r#".."#` starting at `i` ends, if it is one.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(j)
}

/// Top-level module → the top-level modules it imports (not itself, not the root).
fn top_level_graph(edges: &[(Module, Module, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to, _) in edges {
        let (Some(from), Some(to)) = (from.first(), to.first()) else {
            continue;
        };
        if from != to {
            graph.entry(from.clone()).or_default().insert(to.clone());
        }
    }
    graph
}

/// One cycle, as the modules along it (the first repeated at the end), if any.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}
