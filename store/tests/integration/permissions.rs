//! The store's folder is mode 0700 and its files 0600, whatever the process's umask (its own
//! test process: the umask is process-wide).

use std::os::unix::fs::PermissionsExt;

use medchain_store::Store;

use crate::common::diagnosis;

#[test]
fn store_files_are_private_whatever_the_umask() {
	// SAFETY: umask only sets the process's file mode mask; this test binary runs nothing else.
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
