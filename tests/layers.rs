//! The library's module graph: each top-level module may use only modules of its own layer or
//! below, and the graph of top-level modules has no cycle. Prints the graph (run with
//! `--nocapture` to see it); docs/architecture.md draws the same layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules by layer, bottom first (lib.rs lists them in the same order).
const LAYERS: &[&[&str]] = &[
    &["error", "util"],
    &["text", "formats"],
    &["model"],
    &["finding"],
    &["reference"],
    &["similarity", "align", "score", "wordalign", "qe"],
    &["checks"],
    &["report"],
    &["pipeline"],
    &["tools"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a library file belongs to (`src/checks/numbers.rs` → `checks`); `None`
/// for the crate roots and the binary's `cli`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main" | "cli")).then(|| name.to_string())
}

/// The top-level modules `text` names as `crate::X`, comments aside.
fn uses(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

/// Module → the other modules it uses, with one file that does for each edge.
fn graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut graph: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let deps = graph.entry(module.clone()).or_default();
        for used in uses(&text) {
            if used != module {
                deps.entry(used).or_insert_with(|| file.clone());
            }
        }
    }
    graph
}

#[test]
fn every_module_has_a_layer_and_imports_only_its_own_layer_or_lower() {
    let graph = graph();
    let mut upward = Vec::new();
    println!("module graph (layer: module -> uses):");
    for (module, deps) in &graph {
        let Some(layer) = layer_of(module) else {
            panic!("src/{module} is in no layer of tests/layers.rs; add it where it belongs");
        };
        let names: Vec<&str> = deps.keys().map(String::as_str).collect();
        println!("  {layer}: {module} -> {}", names.join(", "));
        for (dep, file) in deps {
            match layer_of(dep) {
                Some(l) if l <= layer => {}
                Some(l) => upward.push(format!(
                    "{} uses crate::{dep} (layer {l}) from layer {layer}",
                    file.display()
                )),
                None => panic!("{} uses crate::{dep}, which is in no layer", file.display()),
            }
        }
    }
    assert!(upward.is_empty(), "imports upward:\n{}", upward.join("\n"));
}

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = graph();
    // Depth-first search with colours: a grey node met again closes a cycle.
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeMap<String, PathBuf>>,
        state: &mut BTreeMap<&'a str, bool>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(true) => return None,
            Some(false) => {
                let start = path.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        state.insert(node, false);
        path.push(node);
        for dep in graph.get(node).into_iter().flat_map(|d| d.keys()) {
            if let Some(c) = visit(dep, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(node, true);
        None
    }
    let mut state = BTreeMap::new();
    for module in graph.keys() {
        let cycle = visit(module, &graph, &mut state, &mut Vec::new());
        assert!(
            cycle.is_none(),
            "import cycle: {}",
            cycle.unwrap().join(" -> ")
        );
    }
}

#[test]
fn the_scanner_sees_imports_and_ignores_comments() {
    let found = uses("use crate::model::Embedder;\n// crate::cli is only a comment\nlet x = crate::util::vector::dot(a, b);");
    let want: BTreeSet<String> = ["model", "util"].iter().map(|s| s.to_string()).collect();
    assert_eq!(found, want);
}
