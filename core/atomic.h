/* atomic.h — whole files written so that a crash never leaves them
 * half-written (SPEC §7).
 *
 * atomic_write() puts the new contents in "NAME.tmp" beside the target,
 * fsyncs it, renames it over NAME and fsyncs the directory. rename(2) swaps
 * the directory entry in one step, so at every instant NAME is either the
 * complete old file or the complete new one, and after a successful return
 * the new one survives a power cut too. A crash may leave a stale NAME.tmp;
 * the next atomic_write() of NAME replaces it, and atomic_read() never looks
 * at it. This relies on a POSIX filesystem (ext4, xfs, btrfs, f2fs, tmpfs…);
 * FAT does not rename atomically.
 *
 * The hub is one thread and writes each file from one place; two writers of
 * the same NAME at once (two hubs on one data dir) would share NAME.tmp and
 * must be prevented by the caller.
 *
 * Files are addressed as (dir, name): dir is a path, name a single path
 * component (not empty, no '/', not "." or "..", at most NAME_MAX - 4 bytes
 * so that NAME.tmp fits). The file is opened relative to a descriptor of
 * dir, so the rename and the directory fsync act on the same directory and
 * no combined path is ever built or truncated.
 *
 * Every function returns ≥ 0 on success or one of the ATOMIC_ERR_* codes,
 * with errno set to the cause (for ATOMIC_ERR_PATH: EINVAL or ENAMETOOLONG;
 * ATOMIC_ERR_TOO_LARGE: EFBIG). atomic_strerror() names a code for logs.
 * Every pointer argument is borrowed for the duration of the call; nothing
 * is kept and nothing is allocated. */
#ifndef FERRY_CORE_ATOMIC_H
#define FERRY_CORE_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#define ATOMIC_ERR_IO        (-1) /* a system call failed; errno says which */
#define ATOMIC_ERR_PATH      (-2) /* dir or name unusable: empty, '/', ".", "..", too long */
#define ATOMIC_ERR_MISSING   (-3) /* the file, the directory or a parent does not exist */
#define ATOMIC_ERR_TOO_LARGE (-4) /* atomic_read: the file is larger than the buffer */
#define ATOMIC_ERR_TYPE      (-5) /* a directory where a file belongs, or the reverse */
#define ATOMIC_ERR_DIR_SYNC                                                                        \
	(-6) /* atomic_write: NAME already has the new contents,                                   \
	        but fsync of the directory failed */

/* Suffix of the temporary file beside NAME. */
#define ATOMIC_TMP_SUFFIX ".tmp"

/* atomic_dir_ensure() success values. */
#define ATOMIC_DIR_EXISTED 0
#define ATOMIC_DIR_CREATED 1

/* Replace dir/name with data[0..n) so that dir/name is always either its old
 * contents or exactly the new ones, and give it exactly `mode` (permission
 * bits; the umask neither widens nor narrows it). n may be 0 (data may then
 * be NULL). A stale dir/name.tmp, from a crash or an earlier failure, is
 * removed first.
 *
 * Returns 0 once the file and its directory entry are on stable storage.
 * On failure returns a negative code, errno set, dir/name.tmp removed and
 * dir/name as it was — except ATOMIC_ERR_DIR_SYNC, returned when everything
 * succeeded but the final fsync of the directory: the new contents are in
 * place but the rename might not survive a power cut (retry to be sure).
 * A missing dir gives ATOMIC_ERR_MISSING and creates nothing; dir/name being
 * a directory gives ATOMIC_ERR_TYPE and leaves that directory alone. */
int atomic_write(const char *dir, const char *name, const void *data, size_t n, mode_t mode);

/* Read the whole of dir/name into buf[0..cap) and store its length in *len.
 * Returns 0; ATOMIC_ERR_MISSING when dir/name (or dir) does not exist;
 * ATOMIC_ERR_TOO_LARGE when it holds more than cap bytes (a file of exactly
 * cap bytes is fine); ATOMIC_ERR_TYPE when it is not a regular file (a FIFO
 * is refused without blocking); ATOMIC_ERR_IO or ATOMIC_ERR_PATH otherwise.
 * The file is never modified. On failure *len is untouched and buf's
 * contents are unspecified. buf may be NULL when cap is 0. */
int atomic_read(const char *dir, const char *name, void *buf, size_t cap, size_t *len);

/* Make sure dir exists as a directory. If missing, create it (not its
 * parents) with mode exactly 0700, whatever the umask. An existing directory
 * is left as it is; if others_access is not NULL, *others_access is set to 1
 * when its group or other permission bits are not all clear (the caller
 * should warn: secrets live there), else 0.
 *
 * Returns ATOMIC_DIR_CREATED or ATOMIC_DIR_EXISTED; ATOMIC_ERR_TYPE when
 * something other than a directory is at that path; ATOMIC_ERR_MISSING when
 * a parent does not exist; ATOMIC_ERR_PATH or ATOMIC_ERR_IO otherwise.
 * A symbolic link to a directory counts as the directory. */
int atomic_dir_ensure(const char *dir, int *others_access);

/* A short constant English description of an ATOMIC_ERR_* code (or of 0),
 * for log messages; "unknown error" for anything else. Never NULL. */
const char *atomic_strerror(int err);

#endif
