//! `custos forms`: preview the official forms.
//!
//! `custos forms render --form NAME|all --sample --out DIR` writes each form's layouts (PDF, and
//! xlsx or docx where the form has one) from the built-in sample data, so anyone can look at every
//! layout without running the whole system. Fonts come from the shipped `assets/fonts` unless
//! `--font-dir` names another directory.

use std::path::PathBuf;
use std::process::ExitCode;

use custos_reports::{FontSet, FormKind};

/// Arguments of `custos forms`.
#[derive(Debug, clap::Args)]
pub struct FormsArgs {
    #[command(subcommand)]
    command: FormsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum FormsCommand {
    /// Render forms to files (PDF, xlsx, docx). Forms: jcic1 jcic2 jcic3 jcic4 agency-data
    /// taipei-audit vendor-audit account-change contact (or all).
    Render(RenderArgs),
}

/// Arguments of `custos forms render`.
#[derive(Debug, clap::Args)]
struct RenderArgs {
    /// Form to render, or `all`: jcic1 (聯徵1, docx+pdf), jcic2 (聯徵2, xlsx+pdf), jcic3 (聯徵3,
    /// xlsx+pdf), jcic4 (聯徵4, xlsx+pdf), agency-data (公務機關資料表), taipei-audit (附件二),
    /// vendor-audit (附件三), account-change (附件五), contact (附件一).
    #[arg(long, value_name = "NAME")]
    form: String,
    /// Use the built-in sample data (the only data source of the preview).
    #[arg(long)]
    sample: bool,
    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Font directory (default: the shipped assets/fonts).
    #[arg(long, value_name = "DIR")]
    font_dir: Option<PathBuf>,
}

fn usage_error(zh: &str, en: &str) -> ExitCode {
    eprintln!("錯誤：{zh} / error: {en}");
    ExitCode::from(super::EXIT_USAGE)
}

/// Runs `custos forms`.
pub fn run(args: FormsArgs) -> ExitCode {
    match args.command {
        FormsCommand::Render(args) => render(&args),
    }
}

fn render(args: &RenderArgs) -> ExitCode {
    let names = FormKind::ALL.map(FormKind::name).join(", ");
    let kinds: Vec<FormKind> = if args.form == "all" {
        FormKind::ALL.to_vec()
    } else if let Some(kind) = FormKind::from_name(&args.form) {
        vec![kind]
    } else {
        return usage_error(
            &format!("未知的表單「{}」，可用：all, {names}", args.form),
            &format!("unknown form {:?}; expected all, {names}", args.form),
        );
    };
    if !args.sample {
        return usage_error(
            "目前僅能以 --sample 範例資料產生表單",
            "forms render needs --sample (built-in sample data) for now",
        );
    }
    let fonts = match &args.font_dir {
        Some(dir) => FontSet::load(dir),
        None => FontSet::shipped(),
    };
    let fonts = match fonts {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return usage_error(
            &format!("無法建立輸出目錄 {}", args.out.display()),
            &format!("cannot create {}: {e}", args.out.display()),
        );
    }
    for kind in kinds {
        let files = match kind.render_sample(&fonts) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        for file in files {
            let path = args.out.join(&file.file_name);
            if let Err(e) = std::fs::write(&path, &file.bytes) {
                return usage_error(
                    &format!("無法寫入 {}", path.display()),
                    &format!("cannot write {}: {e}", path.display()),
                );
            }
            println!(
                "{}\t{}\t{} bytes",
                kind.title_zh(),
                path.display(),
                file.bytes.len()
            );
        }
    }
    ExitCode::SUCCESS
}
