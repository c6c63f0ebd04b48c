// Package repofs reads the user's repository, which may be hostile (a pull request checked out in
// CI), within fixed bounds.
//
//   - Dir is a local directory as an fs.FS that never leaves the directory (os.Root), never
//     follows a symlink, even one that stays inside, and never opens anything but a regular file
//     or a directory: a FIFO would hang the reader, a device (/dev/zero) would never end, and a
//     link to ~/.ssh/id_rsa would print a credential in an error message.
//   - ReadFile reads one file of any fs.FS (Dir, a git tree, fstest.MapFS) only when it is a
//     regular file, and at most a given number of bytes, whatever its Stat says: a file can grow
//     between Stat and Read.
//
// Refusals are ErrSymlink, ErrNotRegular and *TooLargeError, wrapped in *fs.PathError by the
// file system. Their text never holds a file's content nor a link's target.
//
// Invariants: nothing here writes; a refused file is never opened (its type comes from Lstat or
// the directory entry), and a file that turns out not to be regular once opened (a swap after
// Lstat) is closed unread.
package repofs
