//! Build script: records the git commit mmsim is built from as `MMSIM_GIT_COMMIT` (read by
//! `mmsim::provenance::GIT_COMMIT`). Outside a git checkout, or without git, nothing is set.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()).filter(|s| !s.is_empty())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=MMSIM_GIT_COMMIT");
    if let Ok(given) = std::env::var("MMSIM_GIT_COMMIT") {
        println!("cargo:rustc-env=MMSIM_GIT_COMMIT={given}");
        return;
    }
    // Rebuild when HEAD moves: the HEAD file and the ref it names.
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let (Some(common), Some(head)) =
            (git(&["rev-parse", "--git-common-dir"]), git(&["symbolic-ref", "-q", "HEAD"]))
        {
            let common = std::path::Path::new(&common);
            let common = if common.is_absolute() {
                common.to_path_buf()
            } else {
                std::env::current_dir().unwrap_or_default().join(common)
            };
            for path in [common.join(&head), common.join("packed-refs")] {
                if path.exists() {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
        }
    }
    if let Some(commit) = git(&["rev-parse", "HEAD"]) {
        println!("cargo:rustc-env=MMSIM_GIT_COMMIT={commit}");
    }
}
