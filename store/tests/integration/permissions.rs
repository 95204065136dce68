//! The store's folder is mode 0700 and its files 0600, whatever the process's umask. The umask
//! is process-wide: the test runs itself again as a child with umask 0 (as `crash.rs` does), so
//! the other tests of this binary keep theirs.

use std::os::unix::fs::PermissionsExt;

use medchain_store::Store;

use crate::common::diagnosis;

/// Set in the child, which runs the check.
const CHILD: &str = "MEDCHAIN_STORE_UMASK_CHILD";
/// This test's full name in the test binary, for the child to run it alone.
const TEST_NAME: &str = "permissions::store_files_are_private_whatever_the_umask";

#[test]
fn store_files_are_private_whatever_the_umask() {
	if std::env::var_os(CHILD).is_none() {
		let child = std::process::Command::new(std::env::current_exe().unwrap())
			.args(["--exact", TEST_NAME, "--test-threads=1"])
			.env(CHILD, "1")
			.output()
			.unwrap();
		let stdout = String::from_utf8_lossy(&child.stdout);
		assert!(
			child.status.success() && stdout.contains("test result: ok. 1 passed"),
			"the check under umask 0 failed or did not run: {stdout}{}",
			String::from_utf8_lossy(&child.stderr)
		);
		return;
	}
	// SAFETY: umask only sets the process's file mode mask; this child process runs this test
	// alone.
	unsafe { libc::umask(0) };
	let dir = tempfile::tempdir().unwrap();
	let store_dir = dir.path().join("nested/store");
	let store = Store::open(&store_dir, &dir.path().join("kek"), 1).unwrap();
	store.submit(&[diagnosis("visit-1", 1, "m")]).unwrap();
	store.shred(&[]).unwrap();
	let mode =
		|path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
	assert_eq!(mode(&store_dir), 0o700);
	let mut files = 0;
	for entry in std::fs::read_dir(&store_dir).unwrap() {
		let path = entry.unwrap().path();
		assert_eq!(mode(&path), 0o600, "{}", path.display());
		files += 1;
	}
	assert!(files >= 2, "records and key files");
	assert_eq!(mode(&dir.path().join("kek")), 0o600);
}
