//! The README's two commands share one build: `cargo run --release -- demo` and
//! `cargo test --release --workspace` must resolve the same features for every crate they both
//! compile. A dev-dependency that turns on one more feature of a low-level crate (as fantoccini's
//! webdriver did for `syn`) makes the second command rebuild nearly everything.

use std::collections::{BTreeMap, BTreeSet};

/// Every package of a `cargo tree` with its features, keyed by "name version".
fn features(args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(&root)
        .args(["tree", "--locked", "--offline", "--prefix", "none", "--format", "{p} [{f}]"])
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let mut packages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut words = line.split_whitespace();
        let (Some(name), Some(version), Some(open)) = (words.next(), words.next(), line.rfind('[')) else { continue };
        let listed = line[open + 1..].trim_end_matches(" (*)").trim_end_matches(']');
        packages
            .entry(format!("{name} {version}"))
            .or_default()
            .extend(listed.split(',').filter(|f| !f.is_empty()).map(str::to_string));
    }
    packages
}

#[test]
fn the_demo_and_the_tests_build_dependencies_with_the_same_features() {
    let demo = features(&["-p", "crowdlens-cli", "-e", "normal,build"]);
    let tests = features(&["--workspace", "-e", "normal,build,dev"]);
    assert!(demo.len() > 300, "the demo's tree was read: {} packages", demo.len());
    let differing: Vec<String> = demo
        .iter()
        .filter(|(package, _)| !package.starts_with("crowdlens-"))
        .filter_map(|(package, in_demo)| {
            let in_tests = tests.get(package)?;
            (in_demo != in_tests).then(|| {
                let added: Vec<_> = in_tests.difference(in_demo).collect();
                let dropped: Vec<_> = in_demo.difference(in_tests).collect();
                format!("{package}: the tests add {added:?}, drop {dropped:?}")
            })
        })
        .collect();
    assert!(
        differing.is_empty(),
        "the test build would rebuild these and everything above them; name the features on a normal \
         dependency of crates/cli (see its Cargo.toml):\n{}",
        differing.join("\n")
    );
}
