//! Finding a model's files: a local directory, a copy under `models/`, or a Hugging Face repository
//! through hf-hub and its standard cache (offline with `HF_HUB_OFFLINE=1`).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The default model: multilingual, MIT-licensed, small enough for a laptop CPU.
pub const DEFAULT_MODEL: &str = "intfloat/multilingual-e5-small";

/// Files every model directory must hold.
pub const REQUIRED_FILES: &[&str] = &["config.json", "tokenizer.json", "model.safetensors"];

/// sentence-transformers files fetched when a repository has them.
const OPTIONAL_FILES: &[&str] = &[
    "modules.json",
    "1_Pooling/config.json",
    "config_sentence_transformers.json",
];

/// Where a model's files were found.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    /// What the user asked for (repo id or path), used in reports and messages.
    pub id: String,
    /// Directory holding `config.json`, `tokenizer.json`, `model.safetensors` and friends.
    pub dir: PathBuf,
}

/// Resolves `--model`: an existing directory, `models/<name>` for a repo id, or the Hub cache/download.
pub fn resolve(spec: &str) -> Result<ModelFiles> {
    let path = Path::new(spec);
    if path.is_dir() {
        return local(spec, path);
    }
    if looks_like_path(spec) {
        return Err(Error::model(spec, "no such model directory"));
    }
    if let Some(dir) = local_copy(spec) {
        return local(spec, &dir);
    }
    hub(spec)
}

fn looks_like_path(spec: &str) -> bool {
    spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('~')
        || spec.contains('\\')
        || spec.matches('/').count() != 1
}

/// `models/<name>` for repo ids fetched by `models/fetch`: under `MTCHECK_MODELS_DIR` when set,
/// else under `./models` or the source tree's `models/`.
fn local_copy(repo_id: &str) -> Option<PathBuf> {
    let name = repo_id.rsplit('/').next()?;
    let roots = match std::env::var_os("MTCHECK_MODELS_DIR") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => vec![
            PathBuf::from("models"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("models"),
        ],
    };
    roots
        .into_iter()
        .map(|root| root.join(name))
        .find(|dir| dir.join("config.json").is_file())
}

fn local(id: &str, dir: &Path) -> Result<ModelFiles> {
    for file in REQUIRED_FILES {
        if !dir.join(file).is_file() {
            return Err(Error::model(
                id,
                format!("{} is missing {file}", dir.display()),
            ));
        }
    }
    Ok(ModelFiles {
        id: id.to_string(),
        dir: dir.to_path_buf(),
    })
}

fn offline() -> bool {
    std::env::var("HF_HUB_OFFLINE")
        .map(|v| matches!(v.trim(), "1" | "true" | "TRUE" | "yes" | "ON" | "on"))
        .unwrap_or(false)
}

/// The hub cache: `HF_HUB_CACHE`, else `HF_HOME/hub`, else `~/.cache/huggingface/hub`.
fn cache() -> hf_hub::Cache {
    match std::env::var_os("HF_HUB_CACHE") {
        Some(dir) => hf_hub::Cache::new(PathBuf::from(dir)),
        None => hf_hub::Cache::from_env(),
    }
}

fn how_to_get(repo_id: &str) -> String {
    if repo_id == DEFAULT_MODEL {
        "run models/fetch to install it without the Hub, or pass --model DIR".into()
    } else {
        "connect to the network once, or pass --model DIR with a local copy".into()
    }
}

fn hub(repo_id: &str) -> Result<ModelFiles> {
    let cache = cache();
    let cached = cache.model(repo_id.to_string());
    if let Some(files) = from_cache(repo_id, &cached) {
        return Ok(files);
    }
    if offline() {
        return Err(Error::model(
            repo_id,
            format!(
                "not in the Hugging Face cache {} and HF_HUB_OFFLINE is set; {}",
                cache.path().display(),
                how_to_get(repo_id)
            ),
        ));
    }
    let api = hf_hub::api::sync::ApiBuilder::from_env()
        .with_cache_dir(cache.path().clone())
        .with_progress(false)
        .build()
        .map_err(|e| Error::model(repo_id, format!("cannot set up the Hub client: {e}")))?;
    let repo = api.model(repo_id.to_string());
    let mut dir = None;
    for file in REQUIRED_FILES {
        let got = repo.get(file).map_err(|e| {
            Error::model(
                repo_id,
                format!("cannot download {file}: {e}; {}", how_to_get(repo_id)),
            )
        })?;
        dir = got.parent().map(Path::to_path_buf);
    }
    // Optional files: a repository without them falls back to the known-model table.
    let mut optional: Vec<String> = OPTIONAL_FILES.iter().map(|s| s.to_string()).collect();
    if let Ok(modules) = repo.get("modules.json") {
        optional.extend(dense_files(&modules));
    }
    for file in optional {
        let _ = repo.get(&file);
    }
    let dir = dir.ok_or_else(|| Error::model(repo_id, "download gave no directory"))?;
    Ok(ModelFiles {
        id: repo_id.to_string(),
        dir,
    })
}

fn from_cache(repo_id: &str, cached: &hf_hub::CacheRepo) -> Option<ModelFiles> {
    let mut dir = None;
    for file in REQUIRED_FILES {
        dir = cached.get(file)?.parent().map(Path::to_path_buf);
    }
    Some(ModelFiles {
        id: repo_id.to_string(),
        dir: dir?,
    })
}

/// Files of Dense modules named by a `modules.json`.
fn dense_files(modules_json: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(modules_json) else {
        return Vec::new();
    };
    let Ok(modules) = serde_json::from_str::<Vec<super::config::StModule>>(&text) else {
        return Vec::new();
    };
    modules
        .iter()
        .filter(|m| m.kind.ends_with("Dense"))
        .flat_map(|m| ["config.json", "model.safetensors"].map(|f| format!("{}/{f}", m.path)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_local_directory_is_named() {
        let err = resolve("./no/such/model").unwrap_err().to_string();
        assert!(
            err.contains("no/such/model") && err.contains("no such model directory"),
            "{err}"
        );
    }

    #[test]
    fn directory_without_weights_names_the_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        std::fs::write(dir.path().join("tokenizer.json"), "{}").unwrap();
        let err = resolve(dir.path().to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("model.safetensors"), "{err}");
    }
}
