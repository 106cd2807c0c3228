//! The `mtcheck` binary: parse flags, run the subcommand, map errors to exit codes
//! (0 pass or warn, 1 fail, 2 usage, input or model error).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Check(a) => cli::run_check(a),
        cli::Command::Batch(a) => cli::run_batch(a),
        cli::Command::Eval(a) => cli::run_eval(a),
        cli::Command::Calibrate(a) => cli::run_calibrate(a),
        cli::Command::Models(m) => cli::run_models(m),
        cli::Command::Bench(a) => cli::run_bench(a),
        cli::Command::Config(c) => cli::run_config(c),
        cli::Command::Cache(c) => cli::run_cache(c),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // Every failure is exit 2: the check did not run, whatever the reason.
            eprintln!("mtcheck: {e:#}");
            std::process::exit(2);
        }
    }
}
