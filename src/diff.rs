//! The unified diff every `--dry-run` prints (`hat sso populate`, `hat eks kubeconfig`,
//! `hat migrate`): the file's name on both header lines and three lines of context.
//!
//! diffy (Myers over lines) instead of similar: the same output for these files at a
//! tenth of the code in the binary (similar's generic algorithms were 590 KB of it).

use std::path::Path;

/// The change from `old` to `new` in the file at `path`; empty when they are equal.
pub fn unified(path: &Path, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let name = path.display().to_string();
    diffy::DiffOptions::new()
        .set_context_len(3)
        .set_original_filename(name.clone())
        .set_modified_filename(name)
        .create_patch(old, new)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_file_and_shows_three_lines_around_each_change() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n";
        assert_eq!(
            unified(Path::new("/home/u/.aws/config"), old, new),
            "--- /home/u/.aws/config\n+++ /home/u/.aws/config\n@@ -2,8 +2,9 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n+j\n"
        );
    }

    #[test]
    fn equal_texts_and_a_missing_last_newline() {
        assert_eq!(unified(Path::new("f"), "x\n", "x\n"), "");
        let diff = unified(Path::new("f"), "x", "x\ny\n");
        assert!(diff.contains("\\ No newline at end of file"), "{diff}");
        assert!(diff.contains("+y\n"), "{diff}");
    }
}
