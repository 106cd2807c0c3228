//! The `mtcheck` binary: parse flags, run the subcommand, map errors to exit codes
//! (0 pass or warn, 1 fail, 2 usage, input or model error).

mod cli;

use clap::Parser;

fn main() {
    match cli::run(cli::Cli::parse()) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // Every failure is exit 2: the check did not run, whatever the reason.
            eprintln!("mtcheck: {e:#}");
            std::process::exit(2);
        }
    }
}
