//! Articles in HTML, Markdown and DOCX, on documents made by real tools (tests/data/articles:
//! pandoc and MkDocs pages, LibreOffice documents, a crate's README): what is read, where it
//! points in the file, what is refused; and with the real model, that the same article in plain
//! text and in each format gives the same alignment and findings.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use mtcheck::formats::{self, Article, FileFormat, VerbatimKind};
use mtcheck::pipeline::input::load_document;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/articles")
        .join(name)
}

fn read(name: &str) -> Article {
    let path = data(name);
    let format = formats::article_format(&path).unwrap();
    formats::read_article(&path, format, formats::DEFAULT_MAX_INPUT_BYTES).unwrap()
}

fn block_texts(a: &Article) -> Vec<&str> {
    a.labelled_blocks().into_iter().map(|(_, t)| t).collect()
}

/// The plain-text article's paragraphs, whitespace collapsed.
fn paragraphs(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap()
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Every block starts where the original file has its first character, and ends after its last.
fn assert_blocks_point_into(a: &Article, original: &str) {
    let origin = a.origin.as_ref().expect("text formats keep positions");
    for b in &a.blocks {
        let text = &a.text[b.range.clone()];
        let first = text.chars().next().unwrap();
        let last = text.chars().next_back().unwrap();
        let start = origin.start_of(b.range.start);
        let end = origin.end_of(b.range.end);
        assert!(
            original[start..].starts_with(first) && original[..end].ends_with(last),
            "{} {text:?} maps to {:?}",
            b.label,
            &original[start..end.max(start)]
        );
    }
}

#[test]
fn pandoc_and_mkdocs_pages_give_the_article_and_nothing_else() {
    for (page, txt) in [
        ("news.en.html", "news.en.txt"),
        ("news.ar.html", "news.ar.txt"),
        ("news.en.mkdocs.html", "news.en.txt"),
    ] {
        let a = read(page);
        // MkDocs' navigation bar, table of contents, search dialog and footer are left out; so is
        // pandoc's style sheet.
        assert_eq!(block_texts(&a), paragraphs(txt), "{page}");
        assert_eq!(a.blocks[0].label, "<h1>", "{page}");
        let original = std::fs::read_to_string(data(page)).unwrap();
        assert_blocks_point_into(&a, &original);
    }
    assert_eq!(read("news.ar.html").lang.as_deref(), Some("ar"));
    assert_eq!(read("news.en.mkdocs.html").lang.as_deref(), Some("en"));
}

#[test]
fn a_crate_readme_is_read_without_its_code_and_with_its_links_aside() {
    let a = read("getrandom-README.md");
    let texts = block_texts(&a);
    assert_eq!(texts[0], "getrandom: system's random number generator");
    assert!(texts.contains(&"Supported targets"));
    // Code blocks are not text; inline code is, and is also kept to compare verbatim.
    assert!(!a.text.contains("fn get_random_u128"));
    assert!(!a.text.contains("getrandom_backend=\"custom\""));
    assert!(a
        .verbatim
        .iter()
        .any(|v| v.kind == VerbatimKind::Code && v.text == "getrandom"));
    assert!(a
        .verbatim
        .iter()
        .any(|v| v.kind == VerbatimKind::Link && v.text == "https://crates.io/crates/rand"));
    // The targets table: one block per cell, located by row and column.
    let cell = a
        .blocks
        .iter()
        .find(|b| b.label == "table 1, row 2, cell 1")
        .expect("a table cell");
    assert_eq!(&a.text[cell.range.clone()], "Linux, Android");
    // Badges are images inside links: their alt text is text, their targets are links.
    assert!(texts.contains(&"Build Status"), "{texts:?}");
    let original = std::fs::read_to_string(data("getrandom-README.md")).unwrap();
    assert_blocks_point_into(&a, &original);
}

#[test]
fn sentences_of_html_and_markdown_point_at_line_and_column() {
    let html = load_document(&data("news.en.html"), None, 1 << 20).unwrap();
    assert_eq!((html.lang.as_str(), html.lang_detected), ("en", false));
    let original = std::fs::read_to_string(data("news.en.html")).unwrap();
    for (k, s) in html.sentences.iter().enumerate() {
        let r = html.regions[k];
        assert_eq!(s.line, r.start_line);
        // Start and end are bytes of the file: the sentence as written there.
        let written: String = original[s.start..s.end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(written, s.text, "sentence {k}");
        let line = original.lines().nth(r.start_line - 1).unwrap();
        let column: String = line.chars().skip(r.start_column - 1).take(5).collect();
        assert!(s.text.starts_with(&column), "{column:?} at {r:?}");
        assert!(html.locations[k]
            .starts_with(&format!("line {}, column {}", r.start_line, r.start_column)));
    }
    let md = load_document(&data("news.en.md"), Some("en"), 1 << 20).unwrap();
    assert_eq!(md.locations[0], "line 1, column 3 (heading 1)");
    assert_eq!(md.sentences[1].line, 3);
}

#[test]
fn a_libreoffice_document_is_read_with_its_tables_notes_and_changes() {
    let a = read("features.docx");
    assert_eq!(
        a.labelled_blocks(),
        [
            ("", "New desalination plant opens"),
            // The insertion is read, the deletion ("two hundred") is not.
            (
                "",
                "The plant opened on Tuesday 14 May. It produces 120,000 cubic metres a day."
            ),
            ("", "Construction took 16 months. See the project page."),
            ("table 1, row 1, cell 1", "Capacity"),
            ("table 1, row 1, cell 2", "120,000 cubic metres a day"),
            ("table 1, row 2, cell 1", "Cost"),
            ("table 1, row 2, cell 2", "310 million dollars"),
            ("", "The second phase starts in 2025."),
            ("footnote 1", "Figures from the authority."),
            ("header", "Regional Water Authority newsletter"),
        ]
    );
    assert_eq!(
        a.notes,
        [
            "has 1 comment",
            "has tracked changes (1 insertion, 1 deletion), read as accepted"
        ]
    );
    assert!(a
        .verbatim
        .iter()
        .any(|v| v.kind == VerbatimKind::Link && v.text == "https://example.org/sohar"));
    let d = load_document(&data("features.docx"), Some("en"), 1 << 20).unwrap();
    let cost = d.sentences.iter().position(|s| s.text == "Cost").unwrap();
    assert_eq!(d.locations[cost], "paragraph 6 (table 1, row 2, cell 1)");
    assert_eq!(d.sentences[cost].line, 6);
    assert!(d.regions.is_empty(), "a DOCX has no lines and columns");
}

/// `soffice` on PATH, if any.
fn soffice() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("soffice"))
            .find(|p| p.is_file())
    })
}

#[test]
#[ignore = "needs LibreOffice (soffice); .ci/run installs it and runs this with --ignored"]
fn libreoffice_makes_the_docx_fixtures_again() {
    let soffice = soffice()
        .expect("soffice not found on PATH: install LibreOffice (Debian: apt-get install -y libreoffice-writer-nogui)");
    let dir = tempfile::tempdir().unwrap();
    for (input, filter) in [
        ("features.fodt", None),
        ("news.en.html", Some("HTML (StarWriter)")),
        ("news.ar.html", Some("HTML (StarWriter)")),
    ] {
        let mut cmd = std::process::Command::new(&soffice);
        cmd.arg("--headless");
        if let Some(f) = filter {
            cmd.arg(format!("--infilter={f}"));
        }
        // A profile of its own, so that a LibreOffice already open does not take the job.
        let profile = format!(
            "-env:UserInstallation=file://{}/profile",
            dir.path().display()
        );
        let out = cmd
            .args([
                &profile,
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
            ])
            .arg(dir.path())
            .arg(data(input))
            .output()
            .expect("running soffice");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let docx = Path::new(input).with_extension("docx");
        let docx = docx.file_name().unwrap();
        let fresh = formats::read_article(
            &dir.path().join(docx),
            FileFormat::Docx,
            formats::DEFAULT_MAX_INPUT_BYTES,
        )
        .unwrap();
        let committed = read(docx.to_str().unwrap());
        assert_eq!(fresh.text, committed.text, "{input}");
        assert_eq!(fresh.notes, committed.notes, "{input}");
    }
}

/// A zip file with `parts` (name, content), deflated.
fn zip_file(path: &Path, parts: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
}

const DOCUMENT: &str = r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hello there.</w:t></w:r></w:p></w:body></w:document>"#;

#[test]
fn bad_articles_are_refused_in_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    // A zip bomb: 50 MB of spaces in a few kilobytes.
    let bomb = format!(
        "{}{}",
        &DOCUMENT[..DOCUMENT.len() - "</w:document>".len()],
        " ".repeat(50 << 20)
    );
    zip_file(&p("bomb.docx"), &[("word/document.xml", bomb.as_bytes())]);
    // Entity declarations, as in XLIFF.
    let lol = DOCUMENT.replace(
        "<w:document",
        "<!DOCTYPE w:document [<!ENTITY lol \"lol\">]><w:document",
    );
    zip_file(
        &p("entities.docx"),
        &[("word/document.xml", lol.as_bytes())],
    );
    zip_file(&p("notword.docx"), &[("content.xml", DOCUMENT.as_bytes())]);
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(p("locked.docx"), encrypted).unwrap();
    std::fs::write(p("cut.docx"), b"PK\x03\x04\x14\x00\x00\x00garbage").unwrap();
    std::fs::write(p("deep.html"), "<div>".repeat(20_000)).unwrap();
    std::fs::write(p("deep.md"), ">".repeat(20_000) + " x").unwrap();
    std::fs::write(p("ok.txt"), "Hello there.").unwrap();
    for (name, says) in [
        ("bomb.docx", "zip bomb"),
        (
            "entities.docx",
            "word/document.xml: line 1: the DOCTYPE declares entities",
        ),
        ("notword.docx", "without word/document.xml"),
        ("locked.docx", "encrypted"),
        ("cut.docx", "corrupt DOCX"),
        ("deep.html", "nested more than 256 levels"),
        ("deep.md", "nested more than 256 levels"),
    ] {
        let path = p(name);
        let (code, out, err) = common::run(
            &[
                "check",
                path.to_str().unwrap(),
                p("ok.txt").to_str().unwrap(),
                "--model",
                "no-model-needed",
                "--max-input-bytes",
                "1000000",
            ],
            &[],
        );
        assert_eq!(code, 2, "{name}: {out}{err}");
        let line = err.trim();
        assert!(
            !line.contains('\n') && line.contains(name) && line.contains(says),
            "{name}: {err}"
        );
    }
}

/// What the same-article comparison looks at: the links, and each finding's kind, severity,
/// sentences, texts and evidence (messages differ only by the article's location prefix).
fn essentials(report: &serde_json::Value) -> serde_json::Value {
    let findings: Vec<serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            serde_json::json!([
                f["kind"],
                f["severity"],
                f["source"],
                f["target"],
                f["source_text"],
                f["target_text"],
                f["evidence"],
            ])
        })
        .collect();
    let links: Vec<serde_json::Value> = report["alignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| serde_json::json!([a["source"], a["target"], a["similarity"]]))
        .collect();
    serde_json::json!({"score": report["score"], "links": links, "findings": findings})
}

/// `text` with the number after every "line " replaced by `N`.
fn without_lines(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = rest[i + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('N');
    }
    out + rest
}

#[test]
fn the_same_article_in_every_format_gives_the_same_alignment_and_findings() {
    let model = common::real_model_dir();
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    // `batch` picks each file's reader by its extension, plain text and mixed pairs included.
    let pairs: [(&str, PathBuf, PathBuf); 6] = [
        (
            "text",
            examples.join("news.ar.txt"),
            examples.join("news.en.txt"),
        ),
        ("markdown", data("news.ar.md"), data("news.en.md")),
        ("html", data("news.ar.html"), data("news.en.html")),
        ("docx", data("news.ar.docx"), data("news.en.docx")),
        ("html-markdown", data("news.ar.html"), data("news.en.md")),
        (
            "docx-mkdocs",
            data("news.ar.docx"),
            data("news.en.mkdocs.html"),
        ),
    ];
    let mut manifest = String::new();
    for (id, s, t) in &pairs {
        manifest += &serde_json::json!({"id": id, "source": s, "target": t, "src_lang": "ar", "tgt_lang": "en"}).to_string();
        manifest.push('\n');
    }
    let m = dir.path().join("manifest.jsonl");
    std::fs::write(&m, manifest).unwrap();
    let out = dir.path().join("out.jsonl");
    let (code, _, err) = common::run(
        &[
            "batch",
            m.to_str().unwrap(),
            "--root",
            "/",
            "--model",
            model.to_str().unwrap(),
            "--fail-on",
            "never",
            "-o",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_id = |id: &str| {
        records
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no record for {id}: {records:?}"))
    };
    let text = by_id("text");
    assert!(
        text["findings"].as_array().unwrap().len() >= 3,
        "the news pair has deliberate errors: {text}"
    );
    for (id, ..) in &pairs[1..] {
        let r = by_id(id);
        assert_eq!(essentials(r), essentials(text), "{id}");
        // Locations aside: each message is the plain-text one after its location, line numbers
        // in it aside.
        let plain = text["findings"].as_array().unwrap();
        for (f, g) in r["findings"].as_array().unwrap().iter().zip(plain) {
            let (m, p) = (
                f["message"].as_str().unwrap(),
                g["message"].as_str().unwrap(),
            );
            assert!(
                without_lines(m).ends_with(&without_lines(p)),
                "{id}: {m:?} vs {p:?}"
            );
        }
    }
}

#[test]
fn a_changed_code_span_or_link_target_is_an_error() {
    let model = common::real_model_dir();
    let dir = tempfile::tempdir().unwrap();
    let en = dir.path().join("guide.en.md");
    let de = dir.path().join("guide.de.html");
    std::fs::write(
        &en,
        "# Building\n\nInstall Rust first.\n\nThen run `cargo build --release` in the project folder.\n\nThe manual is on [our website](https://example.org/manual).\n",
    )
    .unwrap();
    std::fs::write(
        &de,
        "<h1>Bauen</h1><p>Installieren Sie zuerst Rust.</p><p>Führen Sie dann <code>cargo bauen --release</code> im Projektordner aus.</p><p>Das Handbuch steht auf <a href=\"https://example.com/handbuch\">unserer Website</a>.</p>",
    )
    .unwrap();
    let (_, report, err) = common::check_json(
        &[
            en.to_str().unwrap(),
            de.to_str().unwrap(),
            "--src-lang",
            "en",
            "--tgt-lang",
            "de",
        ],
        &model,
    );
    let findings = report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{err}"));
    let entity = |what: &str| {
        findings
            .iter()
            .find(|f| {
                f["kind"] == "entity_mismatch" && f["message"].as_str().unwrap().contains(what)
            })
            .unwrap_or_else(|| panic!("no {what} finding: {report}"))
    };
    let code = entity("code span cargo build --release in the source is cargo bauen --release");
    assert_eq!(code["severity"], "error");
    assert_eq!(code["target"], serde_json::json!([2]));
    let link = entity(
        "link target https://example.org/manual in the source is https://example.com/handbuch",
    );
    assert_eq!(link["severity"], "error");
    // The HTML target's finding points at its line and column.
    assert!(
        link["message"]
            .as_str()
            .unwrap()
            .starts_with("line 1, column "),
        "{link}"
    );
    // Each sentence carries its block as written in the file, which the HTML report quotes.
    assert_eq!(
        report["target_sentences"][2]["original"],
        "Führen Sie dann <code>cargo bauen --release</code> im Projektordner aus."
    );
    assert_eq!(
        report["source_sentences"][2]["original"],
        "Then run `cargo build --release` in the project folder."
    );
    let html_report = dir.path().join("report.html");
    let (code, _, err) = common::run(
        &[
            "check",
            en.to_str().unwrap(),
            de.to_str().unwrap(),
            "--src-lang",
            "en",
            "--tgt-lang",
            "de",
            "--model",
            model.to_str().unwrap(),
            "--format",
            "html",
            "-o",
            html_report.to_str().unwrap(),
        ],
        &[],
    );
    assert!(code == 0 || code == 1, "{err}");
    let html = std::fs::read_to_string(&html_report).unwrap();
    assert!(
        html.contains("&lt;code&gt;cargo bauen --release&lt;/code&gt;"),
        "the HTML report quotes the original block"
    );
}
