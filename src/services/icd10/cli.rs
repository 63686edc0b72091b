//! `telemed icd10 import`: loads the national classifier's titles for Russian or Kazakh from a
//! CSV or TSV file (the formats `domain::icd10::import` reads), and says what it took, what it
//! skipped and which lines it rejected and why.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};

use super::store;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::account::Language;
use crate::domain::icd10::{import, known_count};

/// A classifier file larger than this is not a list of 12 000 titles.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportLanguage {
    Ru,
    Kk,
}

impl From<ImportLanguage> for Language {
    fn from(l: ImportLanguage) -> Language {
        match l {
            ImportLanguage::Ru => Language::Ru,
            ImportLanguage::Kk => Language::Kk,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Icd10Command {
    /// Load ICD-10 titles for a language from the national classifier's file. Lines: a code and
    /// a title, separated by a tab, `;` or `,` (CSV quoting); UTF-8 or UTF-16 with a BOM; a
    /// header line naming the columns (code / mkb_code / код, title / name / mkb_name /
    /// наименование / атауы) is optional. Codes must be in the WHO 2019 list. The file replaces
    /// every title imported for that language before; imported titles take precedence over the
    /// shipped ones.
    Import {
        /// The language of the titles.
        #[arg(long, value_enum)]
        lang: ImportLanguage,
        /// Only check the file and report; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The CSV or TSV file.
        file: PathBuf,
    },
}

fn language_name(lang: Language) -> &'static str {
    match lang {
        Language::Ru => "Russian",
        Language::Kk => "Kazakh",
        Language::En => "English",
    }
}

pub fn run(command: Icd10Command, settings: &Settings) -> anyhow::Result<()> {
    let Icd10Command::Import {
        lang,
        dry_run,
        file,
    } = command;
    let lang = Language::from(lang);
    let size = std::fs::metadata(&file)
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    anyhow::ensure!(
        size <= MAX_FILE_BYTES,
        "{} has {size} bytes; a classifier file has a few megabytes",
        file.display()
    );
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let parsed = import::parse(&bytes).with_context(|| format!("reading {}", file.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} titles accepted, {} headings skipped, {} lines rejected",
        file.display(),
        parsed.titles.len(),
        parsed.headings,
        parsed.rejected.len()
    )?;
    for r in &parsed.rejected {
        writeln!(out, "  rejected line {}: {}", r.line, r.reason)?;
    }
    anyhow::ensure!(
        !parsed.titles.is_empty(),
        "no line has a known ICD-10 code and a title; nothing was imported"
    );
    let name = language_name(lang);
    if dry_run {
        writeln!(out, "dry run: nothing was changed")?;
        return Ok(());
    }
    let db = Db::connect(&settings.database.url, 1)?;
    db.migrate()?;
    let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    let source = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let now = chrono::Utc::now().naive_utc();
    let stored = store::replace(&mut conn, lang, &source, &parsed, now)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    writeln!(
        out,
        "imported {} {name} titles (replacing {}): {} of {} codes now have an imported {name} \
         title; the others fall back to {}",
        stored.titles,
        stored.replaced,
        stored.titles,
        known_count(),
        match lang {
            Language::Kk => "Russian, then English",
            _ => "the shipped Russian titles, then English",
        }
    )?;
    Ok(())
}
