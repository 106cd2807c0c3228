//! `mtcheck schema`: the JSON Schema of the JSON report, generated from the report's types.

/// Prints the schema (what docs/report.schema.json holds).
pub fn run() -> anyhow::Result<i32> {
    print!("{}", mtcheck::report::json_schema());
    Ok(0)
}
