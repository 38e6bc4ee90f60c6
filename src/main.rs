use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = lore::cli::args::Cli::parse();
    match lore::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
