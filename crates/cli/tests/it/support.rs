use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// This crate's directory. Cargo sets it when it runs the tests; the compile-time value can
/// name another checkout, because cargo does not rebuild a test when the same sources move and
/// a target directory is shared between clones.
/// A port nothing listens on at the moment of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_crowdlens"))
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> &Self {
        assert_eq!(self.status, 0, "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim().lines().last().unwrap_or(""))
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    /// A failure must be a clean, short error, never a panic.
    pub fn clean_error(&self) -> &str {
        assert_ne!(self.status, 0, "expected failure, got: {}", self.stdout);
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        assert!(self.stderr.starts_with("error: "), "{}", self.stderr);
        assert_eq!(self.stderr.trim().lines().count(), 1, "one-line error expected: {}", self.stderr);
        &self.stderr
    }
}

pub fn run(args: &[&str]) -> Run {
    let Output { status, stdout, stderr } = bin().args(args).output().expect("spawn crowdlens");
    let r = Run {
        status: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    assert!(!r.stderr.contains("panicked"), "panic in {args:?}: {}", r.stderr);
    r
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn init_store(dir: &Path) -> PathBuf {
    let st = dir.join("st");
    run(&["init", "--store", s(&st)]).ok();
    st
}

pub fn synth(dir: &Path, devices: u64, days: u32) -> PathBuf {
    let city = dir.join("city");
    run(&["synth", "--out", s(&city), "--devices", &devices.to_string(), "--days", &days.to_string(), "--seed", "7"])
        .ok();
    city
}

/// Every file under `root`, recursively.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

pub fn reconciles(j: &serde_json::Value) -> bool {
    let dropped: u64 = j["dropped"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    j["read"].as_u64().unwrap() == j["stored"].as_u64().unwrap() + j["quarantined"].as_u64().unwrap() + dropped
}

/// Distinct pseudonyms per ISO week, read straight from the store's committed segments (a test
/// may look at rows; no shipped surface can).
pub fn pseudonyms_by_week(store: &Path) -> std::collections::BTreeMap<String, usize> {
    use arrow::array::{Array, Int64Array, UInt64Array};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(store.join("manifest.json")).unwrap()).unwrap();
    let mut weeks: std::collections::BTreeMap<String, std::collections::HashSet<u64>> = Default::default();
    for segment in manifest["segments"].as_array().unwrap() {
        let file = std::fs::File::open(store.join(segment["path"].as_str().unwrap())).unwrap();
        for batch in ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap() {
            let batch = batch.unwrap();
            let p = batch.column(0).as_any().downcast_ref::<UInt64Array>().unwrap();
            let t = batch.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
            for i in 0..batch.num_rows() {
                let week = chrono::DateTime::from_timestamp(t.value(i), 0).unwrap().format("%G-W%V").to_string();
                weeks.entry(week).or_default().insert(p.value(i));
            }
        }
    }
    weeks.into_iter().map(|(w, set)| (w, set.len())).collect()
}

/// Debian's packages that provide `paths`, installed with apt-get when a path is missing and
/// the test runs as root (as CI does); otherwise the test fails saying what to install.
pub fn ensure_debian(paths: &[&str], packages: &[&str]) {
    let present = || paths.iter().all(|p| Path::new(p).exists());
    if present() {
        return;
    }
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    if root {
        let apt = |args: &[&str]| {
            Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive").status().map(|s| s.success())
        };
        let _ = apt(&["update", "-qq"]);
        let _ = apt(&[&["install", "-y", "-qq"][..], packages].concat());
    }
    assert!(present(), "this test needs Debian's {}: run `apt-get install {}` as root", packages.join(", "), packages.join(" "));
}

/// GDAL's reader, which checks GIS exports (Debian's gdal-bin).
pub const OGRINFO: &str = "/usr/bin/ogrinfo";
