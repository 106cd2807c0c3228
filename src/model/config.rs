//! Model configuration: `Config` mirrors a Hugging Face `config.json`; `SentenceSettings` holds what
//! sentence-transformers keeps beside it (pooling, Dense, normalisation, prefixes), with a table of
//! known models for repositories that lack those files.

use serde::{Deserialize, Serialize};

/// The subset of a BERT / XLM-RoBERTa `config.json` that the encoder needs.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    #[serde(default = "one")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub pad_token_id: usize,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub architectures: Option<Vec<String>>,
}

fn default_act() -> String {
    "gelu".into()
}
fn one() -> usize {
    1
}
fn default_eps() -> f64 {
    1e-12
}

/// Encoder families that differ in how they number positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    /// Positions 0..n (multilingual-e5-small, LaBSE, paraphrase-multilingual-MiniLM).
    Bert,
    /// Positions start after the padding id: `pad + 1 + i` (multilingual-e5-base/large, bge-m3).
    XlmRoberta,
}

impl Config {
    pub fn architecture(&self) -> Architecture {
        let is_xlmr = |s: &str| {
            let s = s.to_ascii_lowercase();
            s.contains("roberta")
        };
        let by_type = self.model_type.as_deref().is_some_and(is_xlmr);
        let by_arch = self
            .architectures
            .as_ref()
            .is_some_and(|a| a.iter().any(|s| is_xlmr(s)));
        if by_type || by_arch {
            Architecture::XlmRoberta
        } else {
            Architecture::Bert
        }
    }

    /// First position id used for real tokens.
    pub fn position_offset(&self) -> usize {
        match self.architecture() {
            Architecture::Bert => 0,
            Architecture::XlmRoberta => self.pad_token_id + 1,
        }
    }

    /// Longest token sequence (special tokens included) one forward pass accepts.
    pub fn max_tokens(&self) -> usize {
        self.max_position_embeddings
            .saturating_sub(self.position_offset())
            .min(512)
    }

    /// Checks the numbers a corrupt or foreign config.json would get wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.hidden_size == 0 || self.num_attention_heads == 0 {
            return Err("hidden_size and num_attention_heads must be positive".into());
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        if self.max_tokens() < 4 {
            return Err("max_position_embeddings is too small".into());
        }
        match self.hidden_act.as_str() {
            "gelu" | "gelu_new" | "gelu_pytorch_tanh" | "relu" => Ok(()),
            other => Err(format!("unsupported hidden_act {other:?}")),
        }
    }
}

/// How token vectors become one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// Mean over all tokens of the sequence, special tokens included (as sentence-transformers does).
    Mean,
    /// The first token (`[CLS]` / `<s>`).
    Cls,
}

/// An optional sentence-transformers Dense layer after pooling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseSpec {
    pub in_features: usize,
    pub out_features: usize,
    pub bias: bool,
    /// `true` for `torch.nn.modules.activation.Tanh` (LaBSE); identity otherwise.
    pub tanh: bool,
    /// Folder of the Dense module, relative to the model directory.
    pub dir: String,
}

/// Everything between the encoder's last hidden state and the sentence vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceSettings {
    pub pooling: Pooling,
    pub dense: Option<DenseSpec>,
    pub normalize: bool,
    /// Prepended to every text before tokenisation (e5: "passage: ").
    pub prefix: String,
    /// Where these settings came from: "model files", "known-model table" or "defaults".
    pub origin: std::borrow::Cow<'static, str>,
}

/// One row of the known-model table.
pub struct KnownModel {
    pub id: &'static str,
    pub pooling: Pooling,
    pub prefix: &'static str,
    pub normalize: bool,
}

/// Settings for models whose repositories may lack sentence-transformers files.
///
/// | model | pooling | prefix |
/// |---|---|---|
/// | intfloat/multilingual-e5-small, -base, -large | mean | "passage: " |
/// | sentence-transformers/LaBSE | cls (+ Dense tanh from 2_Dense) | none |
/// | sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2 | mean | none |
/// | BAAI/bge-m3 | cls | none |
pub const KNOWN_MODELS: &[KnownModel] = &[
    KnownModel {
        id: "intfloat/multilingual-e5-small",
        pooling: Pooling::Mean,
        prefix: "passage: ",
        normalize: true,
    },
    KnownModel {
        id: "intfloat/multilingual-e5-base",
        pooling: Pooling::Mean,
        prefix: "passage: ",
        normalize: true,
    },
    KnownModel {
        id: "intfloat/multilingual-e5-large",
        pooling: Pooling::Mean,
        prefix: "passage: ",
        normalize: true,
    },
    KnownModel {
        id: "sentence-transformers/LaBSE",
        pooling: Pooling::Cls,
        prefix: "",
        normalize: true,
    },
    KnownModel {
        id: "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
        pooling: Pooling::Mean,
        prefix: "",
        normalize: false,
    },
    KnownModel {
        id: "BAAI/bge-m3",
        pooling: Pooling::Cls,
        prefix: "",
        normalize: true,
    },
];

/// Finds a known model by repository id or by its last path component (a local copy such as
/// `models/multilingual-e5-small`).
pub fn known_model(id: &str) -> Option<&'static KnownModel> {
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_ascii_lowercase();
    let wanted = base(id.trim_end_matches('/'));
    KNOWN_MODELS
        .iter()
        .find(|k| k.id.eq_ignore_ascii_case(id) || base(k.id) == wanted)
}

/// `1_Pooling/config.json`.
#[derive(Deserialize)]
pub(crate) struct StPoolingConfig {
    #[serde(default)]
    pub pooling_mode_cls_token: bool,
    #[serde(default)]
    pub pooling_mode_mean_tokens: bool,
}

/// One entry of `modules.json`.
#[derive(Deserialize)]
pub(crate) struct StModule {
    #[serde(default)]
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `2_Dense/config.json`.
#[derive(Deserialize)]
pub(crate) struct StDenseConfig {
    pub in_features: usize,
    pub out_features: usize,
    #[serde(default = "yes")]
    pub bias: bool,
    #[serde(default)]
    pub activation_function: String,
}
fn yes() -> bool {
    true
}

/// `config_sentence_transformers.json` (only the prompts matter here).
#[derive(Deserialize)]
pub(crate) struct StConfig {
    #[serde(default)]
    pub prompts: std::collections::BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(model_type: &str) -> Config {
        serde_json::from_value(serde_json::json!({
            "vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
            "intermediate_size": 16, "max_position_embeddings": 514, "pad_token_id": 1,
            "model_type": model_type
        }))
        .unwrap()
    }

    #[test]
    fn xlmr_positions_start_after_padding_id_and_bert_at_zero() {
        assert_eq!(cfg("xlm-roberta").position_offset(), 2);
        assert_eq!(cfg("xlm-roberta").max_tokens(), 512);
        assert_eq!(cfg("bert").position_offset(), 0);
    }

    #[test]
    fn known_model_matches_local_folder_name() {
        assert_eq!(
            known_model("models/multilingual-e5-small").unwrap().prefix,
            "passage: "
        );
        assert!(known_model("someone/unknown").is_none());
    }
}
