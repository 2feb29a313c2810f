//! Writes every sample form into a directory: `cargo run -p custos-reports --example render_sample -- DIR`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use custos_reports::{FontSet, FormKind};

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "forms-out".to_string());
    let Ok(fonts) = FontSet::shipped() else {
        eprintln!("fonts missing");
        return ExitCode::FAILURE;
    };
    if std::fs::create_dir_all(&dir).is_err() {
        return ExitCode::FAILURE;
    }
    for kind in FormKind::ALL {
        match kind.render_sample(&fonts) {
            Ok(files) => {
                for f in files {
                    let path = std::path::Path::new(&dir).join(&f.file_name);
                    if std::fs::write(&path, &f.bytes).is_err() {
                        return ExitCode::FAILURE;
                    }
                    println!("{}", path.display());
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", kind.name());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
